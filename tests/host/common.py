# SPDX-License-Identifier: MIT
"""What every host-side module shares: where the tree and the build
are, the error of a broken host set-up, and printing from threads."""

import os
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# PAGEFOLD_BUILD lets several people (or CI jobs) share one tree.
BUILD = Path(os.environ.get("PAGEFOLD_BUILD", ROOT / "build")).resolve()
ISO_DIR = BUILD / "test-isos"
LOG_DIR = BUILD / "test-logs"
# make's object folder for each KTEST value (the Makefile's OUT): a
# normal image, one with the suites, one with the runner's broken suites.
KERNEL_DIRS = {"0": BUILD, "1": BUILD / "ktest", "selftest": BUILD / "selftest"}


class RunnerError(Exception):
    """A problem of the host set-up (missing firmware, failed build):
    reported as the cause of the configurations it affects."""



_say_lock = threading.Lock()
VERBOSE = False


def say(message, verbose_only=False):
    """Print from any worker thread without interleaving lines."""
    if verbose_only and not VERBOSE:
        return
    with _say_lock:
        print(message, flush=True)


def relative(path):
    """A path as the user would type it from the repository root."""
    try:
        return str(Path(path).relative_to(ROOT))
    except ValueError:
        return str(path)



def split_names(values):
    """--only a,b --only c -> ['a', 'b', 'c']."""
    return [n for v in values or [] for n in v.split(",") if n]


