# SPDX-License-Identifier: MIT
"""Synthetic serial logs for the self-test: well-formed KTAP reports
and broken ones, each telling one thing the parser must notice."""

from selftest_checks import ktap


ALL_PASS = ktap("""
    SeaBIOS (version 1.16.2)
    pagefold version 0.1 x86_64
    KTAP version 1
    1..2
        KTAP version 1
        # Subtest: buddy
        1..3
        ok 1 split
        # merge: a log line that is not a failure
        ok 2 merge
        ok 3 huge # SKIP no memory above 4G
    ok 1 buddy
    memblock: a kernel message between suites
        KTAP version 1
        # Subtest: e820
        1..1
        ok 1 sanitize
    ok 2 e820
    # Totals: pass:3 fail:0 skip:1 total:4
    ktest: all passed
    """)

ONE_FAILS = ktap("""
    KTAP version 1
    1..1
        KTAP version 1
        # Subtest: buddy
        1..2
        ok 1 split
        # merge: EXPECTATION FAILED at mm/test_buddy.c:42
        # Expected nr_free() == before, but nr_free() == 7, before == 8
        not ok 2 merge
    not ok 1 buddy
    # Totals: pass:1 fail:1 skip:0 total:2
    """)

MISSING_RESULTS = ktap("""
    KTAP version 1
    1..1
        KTAP version 1
        # Subtest: buddy
        1..3
        ok 1 split
        ok 2 merge
    ok 1 buddy
    # Totals: pass:2 fail:0 skip:0 total:2
    """)

NO_TOP_PLAN = ktap("""
    KTAP version 1
        KTAP version 1
        # Subtest: buddy
        1..1
        ok 1 split
    ok 1 buddy
    # Totals: pass:1 fail:0 skip:0 total:1
    """)

NO_SUITE_PLAN = ktap("""
    KTAP version 1
    1..1
        KTAP version 1
        # Subtest: buddy
        ok 1 split
    ok 1 buddy
    # Totals: pass:1 fail:0 skip:0 total:1
    """)

RESULT_BEYOND_PLAN = ktap("""
    KTAP version 1
    1..1
        KTAP version 1
        # Subtest: buddy
        1..1
        ok 1 split
        ok 2 merge
    ok 1 buddy
    # Totals: pass:2 fail:0 skip:0 total:2
    """)

SUITES_MISSING = ktap("""
    KTAP version 1
    1..3
        KTAP version 1
        # Subtest: buddy
        1..1
        ok 1 split
    ok 1 buddy
    # Totals: pass:1 fail:0 skip:0 total:1
    """)

NO_VERSION = ktap("""
    pagefold version 0.1 x86_64
    1..1
        # Subtest: buddy
        1..1
        ok 1 split
    ok 1 buddy
    """)

CRASH_AFTER_PARTIAL = ktap("""
    KTAP version 1
    1..2
        KTAP version 1
        # Subtest: traps
        1..1
    Kernel panic - not syncing: provoked on purpose, caught by the test
        ok 1 panic_is_caught
    ok 1 traps
        KTAP version 1
        # Subtest: runner_fault
        1..2
        ok 1 warm_up
    EXCEPTION: #PF Page Fault, error 0x0 at RIP ffffffff80101234 <f+0x10>
    CR2: ffffc90000005000 (read, not present)
    RAX: 0000000000000000 RBX: 0000000000000000 RCX: 0000000000000000
    Call Trace:
     [<ffffffff80101234>] f+0x10
    Kernel panic - not syncing: Fatal exception #PF Page Fault
    ---[ end Kernel panic - not syncing: Fatal exception #PF Page Fault ]---
    """)

TOTALS_MISMATCH = ktap("""
    KTAP version 1
    1..1
        KTAP version 1
        # Subtest: buddy
        1..2
        ok 1 split
        ok 2 merge
    ok 1 buddy
    # Totals: pass:3 fail:0 skip:0 total:3
    """)

DUPLICATE_RESULT = ktap("""
    KTAP version 1
    1..1
        KTAP version 1
        # Subtest: buddy
        1..2
        ok 1 split
        ok 1 split
    ok 1 buddy
    # Totals: pass:2 fail:0 skip:0 total:2
    """)

OUT_OF_ORDER = ktap("""
    KTAP version 1
    1..1
        KTAP version 1
        # Subtest: buddy
        1..2
        ok 2 merge
        ok 1 split
    ok 1 buddy
    # Totals: pass:2 fail:0 skip:0 total:2
    """)

SUITE_OK_CASE_FAILED = ktap("""
    KTAP version 1
    1..1
        KTAP version 1
        # Subtest: buddy
        1..1
        not ok 1 split
    ok 1 buddy
    # Totals: pass:0 fail:1 skip:0 total:1
    """)

# devdax without device memory: every case skipped, and the suite too.
SUITE_SKIPPED = ktap("""
    KTAP version 1
    1..2
        KTAP version 1
        # Subtest: devdax
        1..2
        ok 1 create # SKIP no device memory
        ok 2 destroy # SKIP no device memory
    ok 1 devdax # SKIP no device memory
        KTAP version 1
        # Subtest: e820
        1..1
        ok 1 sanitize
    ok 2 e820
    # Totals: pass:1 fail:0 skip:2 total:3
    """)

# What the kernel printed before it knew the directive.
SUITE_SKIPPED_AS_OK = SUITE_SKIPPED.replace("ok 1 devdax # SKIP no device memory",
                                            "ok 1 devdax")
SUITE_SKIP_BUT_RAN = SUITE_SKIPPED.replace("ok 2 destroy # SKIP no device memory",
                                           "ok 2 destroy")

# hugetlb-6g whose 1 GiB cases found no 1 GiB page.
GIGANTIC_SKIPPED = ktap("""
    KTAP version 1
    1..1
        KTAP version 1
        # Subtest: hugetlb
        1..3
        ok 1 grow_and_shrink
        ok 2 gigantic_optimized_accounting # SKIP no free aligned 1 GiB range in this guest
        ok 3 mixed_pools
    ok 1 hugetlb
    # Totals: pass:2 fail:0 skip:1 total:3
    """)
GIGANTIC_RAN = GIGANTIC_SKIPPED.replace(
    " # SKIP no free aligned 1 GiB range in this guest", "").replace(
    "pass:2 fail:0 skip:1", "pass:3 fail:0 skip:0")

# The same report as a serial port delivers it after GRUB: CRLF line ends,
# escape sequences, a CR-prefixed first line.
SERIAL_NOISE = ("\x1b[2J\x1b[0mGNU GRUB  version 2.06\x1b[H\r\n"
                + "\r" + ALL_PASS.replace("\n", "\r\n"))
