# SPDX-License-Identifier: MIT
"""What the self-test modules share: counting checks, and writing
synthetic serial logs."""

import textwrap


class Checks:
    """Counts checks and prints the failed ones with what was seen."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, condition, seen=""):
        if condition:
            self.passed += 1
            print(f"ok     {name}")
        else:
            self.failed += 1
            print(f"FAILED {name}")
            for line in str(seen).splitlines():
                print(f"       | {line}")
        return condition


def ktap(text):
    """Synthetic serial text: dedented, so that the 4-space nesting of
    the KTAP report is what the test writes inside the block."""
    return textwrap.dedent(text).lstrip("\n")


def errors_of(result):
    return "\n".join(result.errors)
