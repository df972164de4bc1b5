#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Boot pagefold in QEMU under several machine configurations and check
the in-kernel tests.

Each configuration (firmware, boot medium, memory size, kernel command
line) gets its own ISO (built by `make iso`), its own QEMU and its own
serial log in build/test-logs/<config>.log. The verdict of one boot comes
from two independent witnesses, which must agree:

  * QEMU's exit status, set by the kernel through isa-debug-exit
    (33 = all passed, 35 = a test failed, 37 = panic or CPU exception;
    anything else, or being killed by our timeout, is a crash or a hang);
  * the KTAP version 1 report on the serial console, parsed strictly.

The last line printed is always `N passed, N failed` (test cases over
all configurations); the exit status is non-zero on any failure.

    python3 tests/runner.py                 every configuration
    python3 tests/runner.py --only bios-cd  one of them
    python3 tests/runner.py --list          the table
    python3 tests/runner.py --group memory  the memory sizes of issue 3
    python3 tests/runner.py --bench         boot once with bench=all and
                                            print the benchmark table
    python3 tests/runner.py --accel         say which accelerator the runs
                                            use and why; print its QEMU
                                            arguments (for `make run`)

tests/runner_selftest.py imports this module: build_iso(), boot() and
parse_ktap() are its interface.
"""

import argparse
import contextlib
import dataclasses
import fnmatch
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# PAGEFOLD_BUILD lets several people (or CI jobs) share one tree.
BUILD = Path(os.environ.get("PAGEFOLD_BUILD", ROOT / "build")).resolve()
ISO_DIR = BUILD / "test-isos"
LOG_DIR = BUILD / "test-logs"

# QEMU exit statuses: isa-debug-exit turns the kernel's value v into
# (v << 1) | 1 (drivers/qemu_exit.h).
EXIT_PASS = 33          # 0x10
EXIT_FAIL = 35          # 0x11
EXIT_PANIC = 37         # 0x12

OVMF_CANDIDATES = ("/usr/share/ovmf/OVMF.fd", "/usr/share/OVMF/OVMF_CODE.fd")


# ---------------------------------------------------------------------------
# The configurations
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Config:
    """One way of booting the kernel. Everything has a default but the
    name, so that a new configuration is one line in CONFIGS."""
    name: str
    firmware: str = "bios"      # bios: QEMU's SeaBIOS; uefi: OVMF via -bios
    boot: str = "cd"            # cd: -cdrom; usb: USB stick on an xHCI
    memory: str = "512M"        # QEMU -m
    cmdline: str = "test=all"   # kernel command line, baked into grub.cfg
    extra: str = ""             # more QEMU arguments, split like a shell
    timeout: float = 120        # seconds before QEMU is killed
    groups: tuple = ()          # names for --group
    machine: str = "q35"        # QEMU -machine
    must_run: tuple = ()        # suite.case patterns that may not be skipped here

    def __post_init__(self):
        """Catch a typo in a new table line at once, not at boot time."""
        if isinstance(self.groups, str):
            object.__setattr__(self, "groups", tuple(self.groups.split(",")))
        if self.firmware not in ("bios", "uefi"):
            raise ValueError(f"{self.name}: firmware '{self.firmware}' is not bios or uefi")
        if self.boot not in ("cd", "usb"):
            raise ValueError(f"{self.name}: boot '{self.boot}' is not cd or usb")


# The cases that need 1 GiB pages skip where none can be had; the
# configurations built for them must see them run, not skip.
HUGETLB_1G = ("hugetlb.*gigantic*", "hugetlb.mixed_pools")
MEMORY_FAILURE_1G = ("memory_failure.*1g*",)

# The memory manager's suites, run under each memory size below.
MM_TESTS = "test=e820,memblock,buddy,pgtable,sparse,slab"

CONFIGS = [
    Config("bios-cd", firmware="bios", boot="cd", groups=("boot",)),
    Config("bios-usb", firmware="bios", boot="usb", groups=("boot",)),
    Config("uefi-cd", firmware="uefi", boot="cd", groups=("boot",)),
    Config("uefi-usb", firmware="uefi", boot="usb", groups=("boot",)),
    # Memory sizes (issue 3). q35 puts RAM above 2 GiB at 4 GiB when the
    # guest has more than 2.75 GiB: 3.5G and 6G have a hole below 4 GiB
    # (sections 16-31 absent) and a Normal zone; 128M is one section.
    # memmap=nn$ss reserves: 128M at 512M makes section 4 a hole inside
    # the table, 64M and 16M cut sections 2 and 6 in part. The '$'
    # reaches the kernel as is (the Makefile escapes it for GRUB).
    Config("mem-128m", memory="128M", cmdline=MM_TESTS, timeout=180, groups=("memory",)),
    Config("mem-1g", memory="1G", cmdline=MM_TESTS, timeout=180, groups=("memory",)),
    Config("mem-3.5g", memory="3584M", cmdline=MM_TESTS, timeout=240, groups=("memory",)),
    Config("mem-6g", memory="6G", cmdline=MM_TESTS, timeout=300, groups=("memory",)),
    Config("mem-holes", memory="2G", timeout=240, groups=("memory",),
           cmdline=MM_TESTS + " memmap=64M$0x10000000 memmap=128M$0x20000000"
                              " memmap=16M$0x30000000"),
    # HugeTLB pools (issue 4): boot-time 1 GiB pages (their memmap built
    # optimized) and 2 MiB pages, with HVO on and off; 6 GiB so that free
    # aligned 1 GiB ranges remain for the run-time cases.
    Config("hugetlb-6g", memory="6G", timeout=300, groups=("hugetlb",), must_run=HUGETLB_1G,
           cmdline="hugepagesz=1G hugepages=2 hugepagesz=2M hugepages=64 test=hugetlb"),
    Config("hugetlb-6g-nohvo", memory="6G", timeout=300, groups=("hugetlb",),
           must_run=HUGETLB_1G,
           cmdline="hugetlb_free_vmemmap=off hugepagesz=1G hugepages=2 hugepagesz=2M"
                   " hugepages=64 test=hugetlb"),
    # Device memory (issue 6): memmap=2G!4G turns 4-6 GiB (sections
    # 32-47) into device memory for device-dax; RAM is 0-2 GiB and 6-10
    # GiB, so that whole free sections can go offline and 1 GiB pages
    # remain for hugetlb and hardware poison. GRUB passes the '!' as is.
    # The second boot adds boot-time pools (a 1 GiB page built optimized:
    # its sections cannot go offline, dax shares its all-tail table) and
    # device memory at 64 GiB, beyond the guest's RAM and the vmemmap PMD
    # table of RAM, whose memmap needs (and frees) a PMD table of its own.
    Config("device-8g", memory="8G", timeout=240, groups=("device",),
           must_run=HUGETLB_1G + MEMORY_FAILURE_1G,
           cmdline="memmap=2G!4G test=devdax,dax_mmap,memory_failure,hotplug,hugetlb"),
    Config("device-8g-pools", memory="8G", timeout=240, groups=("device",),
           must_run=MEMORY_FAILURE_1G,
           cmdline="memmap=2G!4G memmap=1G!64G hugepagesz=1G hugepages=1 hugepagesz=2M"
                   " hugepages=16 test=devdax,memory_failure,hotplug"),
]

# `--bench`: one boot that runs the benchmarks (kernel/bench.h). 4 GiB so
# that a free, 1 GiB aligned GiB exists: q35 keeps only 2 GiB below 4 GiB,
# the firmware reserves the top of it, and the memmap sits in the top GiB.
BENCH_CONFIG = Config("bench", firmware="bios", boot="cd", memory="4G",
                      cmdline="bench=all page_poison=off", timeout=600)


def find_config(name):
    """The configuration called name, so that callers (the self-test) can
    derive variants with dataclasses.replace()."""
    for config in CONFIGS:
        if config.name == name:
            return config
    raise KeyError(f"no configuration named {name!r}")


class RunnerError(Exception):
    """A problem of the host set-up (missing firmware, failed build):
    reported as the cause of the configurations it affects."""


# ---------------------------------------------------------------------------
# KTAP parsing
# ---------------------------------------------------------------------------

# Escape sequences: GRUB's menu and the firmware draw on the serial line.
ANSI_RE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|[()][0-9A-Za-z]|[@-Z\\-~])")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

VERSION_RE = re.compile(r"KTAP version (\d+)$")
SUBTEST_RE = re.compile(r"# Subtest: (.*)$")
PLAN_RE = re.compile(r"1\.\.(\d+)$")
RESULT_RE = re.compile(r"(ok|not ok) (\d+)(?: (.*))?$")
TOTALS_RE = re.compile(r"# Totals: pass:(\d+) fail:(\d+) skip:(\d+) total:(\d+)$")
DIAG_RE = re.compile(r"#(.*)$")
SKIP_RE = re.compile(r"^(.*?)\s*#\s*SKIP\b\s*(.*)$", re.IGNORECASE)

# The first line of a fatal report: a CPU exception (followed by its
# panic), a panic, or a panic inside the panic path.
CRASH_RE = re.compile(r"EXCEPTION: |Kernel panic - not syncing: |Kernel panic while panicking: ")

INDENT = "    "


def clean_lines(text):
    """Serial text as the kernel meant it: no escape sequences, no CRs
    (a CR in mid-line means the text after it overwrote the line)."""
    lines = []
    for raw in text.split("\n"):
        line = ANSI_RE.sub("", raw).rstrip("\r")
        if "\r" in line:
            line = line.rsplit("\r", 1)[1]
        lines.append(CONTROL_RE.sub("", line).rstrip())
    return lines


@dataclass
class Token:
    """One KTAP line: its nesting depth (0 or 1), kind and fields."""
    lineno: int
    depth: int
    kind: str           # version, subtest, plan, result, totals, diag
    fields: tuple
    text: str


def tokenize(line, lineno):
    """The KTAP token of a line, or None for anything else (boot
    messages, register dumps), which the parser ignores."""
    if line.startswith(INDENT) and not line.startswith(INDENT + " "):
        depth, body = 1, line[len(INDENT):]
    elif not line.startswith(" "):
        depth, body = 0, line
    else:
        return None
    for kind, regex in (("version", VERSION_RE), ("subtest", SUBTEST_RE),
                        ("plan", PLAN_RE), ("result", RESULT_RE),
                        ("totals", TOTALS_RE), ("diag", DIAG_RE)):
        m = regex.match(body)
        if m:
            return Token(lineno, depth, kind, m.groups(), line)
    return None


@dataclass
class CaseResult:
    """The result of one in-kernel test case."""
    suite: str
    name: str
    status: str                 # pass, fail, skip, or missing (never reported)
    diagnostics: list = field(default_factory=list)
    skip_reason: str = ""

    @property
    def full_name(self):
        return f"{self.suite}.{self.name}"


@dataclass
class SuiteResult:
    """The top-level result line of one suite."""
    name: str
    status: str                 # pass, fail, skip (every case skipped), or missing
    skip_reason: str = ""


@dataclass
class KtapResult:
    """What parse_ktap() found. ok means: a complete, consistent report
    in which no case failed."""
    found: bool = False             # a top-level KTAP version line
    cases: list = field(default_factory=list)
    suites: list = field(default_factory=list)      # SuiteResult, in order
    errors: list = field(default_factory=list)
    crash: str = ""                 # first EXCEPTION/panic line after the last KTAP line
    stopped_in: str = ""            # where output ended inside a suite
    last_line: str = ""             # the last non-empty line of the text

    def count(self, status):
        return sum(1 for c in self.cases if c.status == status)

    @property
    def passed(self):
        return self.count("pass")

    @property
    def failed(self):
        """Failed cases, counting a planned case that never reported."""
        return self.count("fail") + self.count("missing")

    @property
    def skipped(self):
        return self.count("skip")

    @property
    def skipped_suites(self):
        return [s for s in self.suites if s.status == "skip"]

    @property
    def ok(self):
        return self.found and not self.errors and self.failed == 0


class _Suite:
    """A suite while its results come in."""

    def __init__(self, index):
        self.index = index
        self.name = None
        self.plan = None
        self.cases = []
        self.numbers = []
        self.diagnostics = []       # '#' lines waiting for the next result

    @property
    def label(self):
        return self.name or f"suite {self.index}"


class _KtapParser:
    """A line-driven parser: it must cope with a report cut anywhere, so
    it records what is wrong and carries on instead of raising."""

    def __init__(self, result):
        self.result = result
        self.plan = None
        self.suite = None           # the open suite
        self.suites = []            # suites with their top-level result
        self.totals = None
        self.plan_missing_reported = False

    def error(self, token, message):
        where = f"line {token.lineno}: " if token else ""
        self.result.errors.append(where + message)

    def feed(self, token):
        handler = getattr(self, f"on_{token.kind}_{token.depth}", None)
        if handler:
            handler(token)

    # Top level ------------------------------------------------------------

    def on_version_0(self, token):
        self.error(token, "a second top-level 'KTAP version' line (did the kernel restart?)")

    def on_plan_0(self, token):
        if self.plan is not None:
            self.error(token, "a second top-level plan")
        elif self.suite or self.suites:
            self.error(token, "the top-level plan comes after results")
        self.plan = int(token.fields[0])

    def on_result_0(self, token):
        ok, number, rest = token.fields
        name, skip_reason = split_skip(rest or "")
        suite = self.suite
        if suite is None:
            suite = _Suite(len(self.suites) + 1)
            suite.name = name
            self.error(token, f"result for suite '{name}' without its subtest block")
        self.check_plan_seen(token)
        if int(number) != suite.index:
            self.error(token, f"suite '{suite.label}' numbered {number}, expected {suite.index}")
        if suite.name is not None and name != suite.name:
            self.error(token, f"result names suite '{name}' but the subtest was '{suite.name}'")
        self.close_suite(token, suite, ok == "ok", skip_reason)

    def on_totals_0(self, token):
        if self.totals is not None:
            self.error(token, "a second totals line")
        if self.suite:
            self.close_suite(token, self.suite, None)
        self.totals = tuple(int(n) for n in token.fields)
        passed, failed, skipped, total = self.totals
        r = self.result
        seen = (r.passed, r.count("fail"), r.skipped)
        if (passed, failed, skipped) != seen or total != sum(seen):
            self.error(token, f"totals say pass:{passed} fail:{failed} skip:{skipped} "
                              f"total:{total}, the results say pass:{seen[0]} "
                              f"fail:{seen[1]} skip:{seen[2]} total:{sum(seen)}")
        if self.plan is not None and len(self.suites) < self.plan:
            self.error(token, f"totals after {len(self.suites)} of {self.plan} suites")

    # Nested level ----------------------------------------------------------

    def open_suite(self, token):
        """A nested block starts: the previous one must have ended."""
        if self.suite:
            self.error(token, f"suite '{self.suite.label}' has no result line")
            self.close_suite(token, self.suite, None)
        self.check_plan_seen(token)
        self.suite = _Suite(len(self.suites) + 1)
        if self.plan is not None and self.suite.index > self.plan:
            self.error(token, f"suite {self.suite.index} is beyond the plan 1..{self.plan}")

    def on_version_1(self, token):
        self.open_suite(token)

    def current_suite(self, token):
        """The open suite; a block without its version line is an error."""
        if self.suite is None:
            self.open_suite(token)
            self.error(token, "subtest without a 'KTAP version 1' line")
        return self.suite

    def on_subtest_1(self, token):
        suite = self.current_suite(token)
        if suite.name is not None:
            self.error(token, f"suite '{suite.name}' named twice")
        suite.name = token.fields[0].strip()
        if suite.name in (s.name for s in self.suites):
            self.error(token, f"suite '{suite.name}' appears twice")

    def on_plan_1(self, token):
        suite = self.current_suite(token)
        if suite.plan is not None:
            self.error(token, f"suite '{suite.label}' has a second plan")
        elif suite.numbers:
            self.error(token, f"suite '{suite.label}': the plan comes after results")
        suite.plan = int(token.fields[0])

    def on_diag_1(self, token):
        if self.suite:
            self.suite.diagnostics.append(token.text.strip())

    def on_result_1(self, token):
        suite = self.current_suite(token)
        ok, number, rest = token.fields
        number = int(number)
        name, skip_reason = split_skip(rest or "")
        label = suite.label
        if suite.plan is None and not suite.numbers:
            self.error(token, f"suite '{label}' has no plan")
        if number in suite.numbers:
            self.error(token, f"suite '{label}': duplicate result {number} ({name})")
        elif number != len(suite.numbers) + 1:
            self.error(token, f"suite '{label}': result {number} ({name}), "
                              f"expected {len(suite.numbers) + 1}")
        if suite.plan is not None and number > suite.plan:
            self.error(token, f"suite '{label}': result {number} is beyond "
                              f"the plan 1..{suite.plan}")
        if name in (c.name for c in suite.cases):
            self.error(token, f"suite '{label}': case '{name}' reported twice")
        if skip_reason is not None:
            status = "skip"
        else:
            status = "pass" if ok == "ok" else "fail"
        suite.numbers.append(number)
        suite.cases.append(CaseResult(suite.name or label, name, status,
                                      suite.diagnostics, skip_reason or ""))
        suite.diagnostics = []

    # Bookkeeping -------------------------------------------------------------

    def check_plan_seen(self, token):
        if self.plan is None and not self.suites and not self.suite:
            self.error(token, "no top-level plan (1..N) before the first suite")
            self.plan_missing_reported = True

    def close_suite(self, token, suite, ok, skip_reason=None):
        """Account for the suite's missing results and check that its
        ok/not ok (and # SKIP) agrees with its cases (ok None: no result
        line)."""
        planned = suite.plan if suite.plan is not None else 0
        got = len(suite.numbers)
        if got < planned:
            self.error(token, f"suite '{suite.label}': {planned - got} of {planned} "
                              f"results missing (last was {got})")
            for n in range(got + 1, planned + 1):
                suite.cases.append(CaseResult(suite.name or suite.label, f"#{n}", "missing"))
        if ok is True and any(c.status == "fail" for c in suite.cases):
            self.error(token, f"suite '{suite.label}' says ok but has failed cases")
        if ok is False and not any(c.status in ("fail", "missing") for c in suite.cases):
            self.error(token, f"suite '{suite.label}' says not ok but no case failed")
        self.check_suite_skip(token, suite, ok, skip_reason)
        self.result.cases.extend(suite.cases)
        self.suites.append(suite)
        if self.suite is suite:
            self.suite = None

    def check_suite_skip(self, token, suite, ok, skip_reason):
        """A suite is skipped exactly when every one of its cases was."""
        all_skipped = bool(suite.cases) and all(c.status == "skip" for c in suite.cases)
        if skip_reason is not None and not all_skipped:
            self.error(token, f"suite '{suite.label}' says SKIP but not every case was skipped")
        elif ok is not None and skip_reason is None and all_skipped:
            self.error(token, f"suite '{suite.label}': every case was skipped but its "
                              f"result has no '# SKIP'")
        if ok is None:
            status = "missing"
        elif skip_reason is not None:
            status = "skip"
        else:
            status = "pass" if ok else "fail"
        self.result.suites.append(SuiteResult(suite.name or suite.label, status,
                                              skip_reason or ""))

    def finish(self):
        """The text ended: whatever was still expected is missing."""
        if self.suite:
            suite = self.suite
            planned = "?" if suite.plan is None else suite.plan
            self.result.stopped_in = (f"{suite.label} ({len(suite.numbers)} of "
                                      f"{planned} results)")
            self.error(None, f"output ends inside suite '{suite.label}' after "
                             f"{len(suite.numbers)} of {planned} results")
            self.close_suite(None, suite, None)
        if self.plan is None:
            if not self.plan_missing_reported:
                self.error(None, "no top-level plan (1..N)")
        elif len(self.suites) < self.plan:
            self.error(None, f"{self.plan - len(self.suites)} of {self.plan} suites missing")
        if self.totals is None:
            self.error(None, "no '# Totals' line")


def split_skip(rest):
    """'name # SKIP reason' -> (name, reason); reason None when not skipped."""
    m = SKIP_RE.match(rest)
    if m:
        return m.group(1).strip(), m.group(2).strip()
    return rest.strip(), None


def find_crash(lines, after):
    """The first EXCEPTION or panic line after line index `after` (the
    last KTAP line), from its marker on. Earlier ones are panics that a
    test provoked and caught: the report went on after them."""
    for line in lines[after + 1:]:
        m = CRASH_RE.search(line)
        if m:
            return line[m.start():]
    return ""


def parse_ktap(text):
    """Parse a serial log into a KtapResult. Lines that are not KTAP are
    ignored; the report itself must be complete and consistent."""
    lines = clean_lines(text)
    result = KtapResult()
    result.last_line = next((l.strip() for l in reversed(lines) if l.strip()), "")
    tokens = [t for t in (tokenize(l, i + 1) for i, l in enumerate(lines)) if t]
    start = next((i for i, t in enumerate(tokens)
                  if t.kind == "version" and t.depth == 0), None)
    if start is None:
        result.errors.append("no KTAP output")
        result.crash = find_crash(lines, -1)
        return result
    version = tokens[start].fields[0]
    parser = _KtapParser(result)
    result.found = True
    if version != "1":
        parser.error(tokens[start], f"KTAP version {version}, expected 1")
    for token in tokens[start + 1:]:
        parser.feed(token)
    parser.finish()
    result.crash = find_crash(lines, tokens[-1].lineno - 1)
    return result


# ---------------------------------------------------------------------------
# Building the ISOs
# ---------------------------------------------------------------------------

_iso_lock = threading.Lock()
_iso_cache = {}


def iso_name(cmdline):
    """A file name for the ISO of a command line: readable, and unique
    thanks to a hash (test=a,b and test=a_b must not share one)."""
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", cmdline).strip("_")[:60] or "empty"
    digest = hashlib.sha1(cmdline.encode()).hexdigest()[:8]
    return f"{readable}-{digest}"


def build_iso(cmdline):
    """Path of an ISO whose grub.cfg boots the kernel with cmdline.
    make decides whether to rebuild; each command line is built once per
    run, one make at a time (parallel makes would race on build/)."""
    with _iso_lock:
        if cmdline not in _iso_cache:
            try:
                _iso_cache[cmdline] = make_iso(cmdline)
            except RunnerError as e:
                _iso_cache[cmdline] = e     # do not run a failing make twice
        found = _iso_cache[cmdline]
    if isinstance(found, RunnerError):
        raise found
    return found


def make_iso(cmdline):
    """Run `make iso` for one command line, its output in a log file."""
    name = iso_name(cmdline)
    iso = ISO_DIR / f"{name}.iso"
    log = LOG_DIR / f"make-{name}.log"
    ISO_DIR.mkdir(parents=True, exist_ok=True)
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    say(f"building ISO for '{cmdline}' -> {relative(iso)}")
    with open(log, "w") as out:
        proc = subprocess.run(["make", "iso", f"BUILD={BUILD}", f"CMDLINE={cmdline}", f"ISO={iso}"],
                              cwd=ROOT, stdin=subprocess.DEVNULL, stdout=out,
                              stderr=subprocess.STDOUT)
    if proc.returncode != 0 or not iso.exists():
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
        raise RunnerError(f"'make iso CMDLINE={cmdline}' failed (status "
                          f"{proc.returncode}, log {relative(log)}):\n{tail}")
    return iso


# ---------------------------------------------------------------------------
# Booting
# ---------------------------------------------------------------------------

QEMU = "qemu-system-x86_64"     # --qemu replaces it
POLL = 0.1                      # seconds between checks of a running QEMU

_live_lock = threading.Lock()
_live = set()                   # running QEMUs, killed on Ctrl-C


# ---------------------------------------------------------------------------
# The accelerator: one choice per run, by a real boot under KVM
# ---------------------------------------------------------------------------

# An open /dev/kvm proves little: on some hosts QEMU aborts at the first
# vCPU reset (failed to set MSR 0x10a) or crawls through the firmware.
# So KVM is chosen only when a tiny test boot under it gives its verdict:
# the debug-exit code and a complete KTAP report with passing cases.
ACCEL_ARGS = {"kvm": ["-accel", "kvm", "-cpu", "host"],
              "tcg": ["-accel", "tcg", "-cpu", "max"]}
ACCEL_PROBE = Config("accel-probe", memory="256M", cmdline="test=libc", timeout=20)
KVM_DEVICE = "/dev/kvm"


class AccelError(RunnerError):
    """PAGEFOLD_ACCEL asks for what cannot be had."""


@dataclass(frozen=True)
class Accel:
    """The accelerator of a run and why it was chosen."""
    name: str                   # kvm or tcg
    reason: str

    @property
    def args(self):
        return list(ACCEL_ARGS[self.name])

    @property
    def line(self):
        return f"accelerator: {self.name} ({' '.join(self.args)}): {self.reason}"


def first_line(text):
    return next((l.strip() for l in text.splitlines() if l.strip()), "")


def probe_verdict(run, ktap, timeout):
    """None when the probe boot passed, else why not, in one line with
    QEMU's own complaint quoted."""
    status, cause = judge(run, ktap, timeout)
    if status == "PASS" and ktap.passed:
        return None
    why = first_line(cause) if cause else "no test case passed"
    stderr = first_line(run.stderr)
    if stderr:
        why += f": '{stderr}'"
    return why


def probe_kvm(qemu, iso, log_dir, timeout):
    """Boot the probe configuration under KVM; (None, summary) when it
    passed, (why, "") when not."""
    config = dataclasses.replace(ACCEL_PROBE, timeout=timeout)
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / "accel-probe.log"
    if log.exists():
        log.unlink()
    cmd = qemu_command(config, iso, log, qemu, accel=ACCEL_ARGS["kvm"])
    try:
        run = run_qemu(cmd, log, timeout)
    except OSError as e:
        return f"cannot start {cmd[0]}: {e}", ""
    text = log.read_bytes().decode("utf-8", errors="replace") if log.exists() else ""
    ktap = parse_ktap(text)
    why = probe_verdict(run, ktap, timeout)
    return why, (f"the KVM probe ('{ACCEL_PROBE.cmdline}') passed: {ktap.passed} cases, "
                 f"exit status {run.exit_status}, {run.seconds:.1f} s")


def kvm_device_error(device):
    """Why the KVM device cannot be opened read-write, or None."""
    try:
        fd = os.open(device, os.O_RDWR | os.O_CLOEXEC)
    except OSError as e:
        return f"{device}: {e.strerror}"
    os.close(fd)
    return None


def choose_accel(qemu, env=None, kvm_device=KVM_DEVICE, iso=None, timeout=None, log_dir=None):
    """The accelerator for this run: PAGEFOLD_ACCEL=kvm|tcg forces one
    (a forced kvm must still pass the probe), otherwise KVM when the
    probe boot passes under it and TCG for anything else."""
    env = os.environ if env is None else env
    forced = env.get("PAGEFOLD_ACCEL", "")
    if forced not in ("", "kvm", "tcg"):
        raise AccelError(f"PAGEFOLD_ACCEL='{forced}': expected kvm or tcg")
    if forced == "tcg":
        return Accel("tcg", "forced by PAGEFOLD_ACCEL=tcg")
    why = kvm_device_error(kvm_device)
    if why is None:
        try:
            iso = iso or build_iso(ACCEL_PROBE.cmdline)
        except RunnerError as e:
            why = f"the probe's ISO could not be built: {first_line(str(e))}"
    if why is None:
        why, passed = probe_kvm(qemu or QEMU, iso, Path(log_dir or LOG_DIR),
                                timeout or ACCEL_PROBE.timeout)
        if why is None:
            return Accel("kvm", passed + ("" if not forced else ", forced by PAGEFOLD_ACCEL=kvm"))
        why = f"the KVM probe ('{ACCEL_PROBE.cmdline}', -accel kvm -cpu host) failed: {why}"
    if forced:
        raise AccelError(f"PAGEFOLD_ACCEL=kvm but {why}")
    return Accel("tcg", why)


def cached_accel(cache, choose, env=None):
    """choose() once per run: a run made of several runners (make test)
    names a cache file, which the first of them writes and the others
    read. A cache made under another PAGEFOLD_ACCEL is not used."""
    env = os.environ if env is None else env
    forced = env.get("PAGEFOLD_ACCEL", "")
    if cache:
        try:
            saved = json.loads(Path(cache).read_text())
            if saved.get("forced") == forced and saved.get("name") in ACCEL_ARGS:
                return Accel(saved["name"], saved["reason"] + " (probed once for this run)")
        except (OSError, ValueError, AttributeError):
            pass
    accel = choose()
    if cache:
        Path(cache).parent.mkdir(parents=True, exist_ok=True)
        Path(cache).write_text(json.dumps({"name": accel.name, "reason": accel.reason,
                                           "forced": forced}) + "\n")
    return accel


_accel_lock = threading.Lock()
_accel = None


def accel_choice():
    """This run's accelerator, chosen on first use (PAGEFOLD_ACCEL_CACHE
    shares it between the runners of one `make test`)."""
    global _accel
    with _accel_lock:
        if _accel is None:
            _accel = cached_accel(os.environ.get("PAGEFOLD_ACCEL_CACHE"),
                                  lambda: choose_accel(QEMU))
        return _accel


def accel_args():
    """The accelerator and a CPU model that it supports."""
    return accel_choice().args


def find_ovmf():
    """OVMF firmware image for -bios, whichever Debian package layout."""
    for path in OVMF_CANDIDATES:
        if os.path.exists(path):
            return path
    raise RunnerError("no UEFI firmware: none of " + ", ".join(OVMF_CANDIDATES)
                      + " exists (install the 'ovmf' package: make deps)")


def drive_path(path):
    """A path inside a QEMU option list, where a comma must be doubled."""
    return str(path).replace(",", ",,")


def firmware_args(firmware):
    if firmware == "bios":
        return []       # QEMU's default SeaBIOS
    if firmware == "uefi":
        return ["-bios", find_ovmf()]
    raise RunnerError(f"unknown firmware '{firmware}' (bios or uefi)")


def boot_media_args(boot, iso):
    """The ISO as a CD on the machine's AHCI/IDE, or as a USB stick. The
    stick is a raw read-only disk on an xHCI controller, first in the
    boot order: SeaBIOS boots its MBR (GRUB's hybrid boot image), OVMF
    its EFI system partition."""
    if boot == "cd":
        return ["-cdrom", drive_path(iso)]
    if boot == "usb":
        return ["-device", "qemu-xhci",
                "-drive", f"if=none,id=stick,format=raw,readonly=on,file={drive_path(iso)}",
                "-device", "usb-storage,drive=stick,bootindex=0"]
    raise RunnerError(f"unknown boot medium '{boot}' (cd or usb)")


def qemu_command(config, iso, log, qemu=None, accel=None):
    """The full QEMU command line of one boot."""
    return ([qemu or QEMU, "-machine", config.machine]
            + (accel if accel is not None else accel_args())
            + ["-m", config.memory,
               "-nographic", "-nodefaults", "-no-reboot", "-display", "none",
               "-serial", f"file:{log}",
               "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
            + firmware_args(config.firmware)
            + boot_media_args(config.boot, iso)
            + shlex.split(config.extra))


@dataclass
class BootResult:
    """The outcome of booting one configuration."""
    config: Config
    status: str                 # PASS, FAIL, CRASH, TIMEOUT, ERROR
    cause: str = ""             # why it is not PASS, for a human
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    log: Path = None
    exit_status: int = None     # QEMU's, None when killed or not started
    seconds: float = 0.0
    ktap: KtapResult = None

    @property
    def ok(self):
        return self.status == "PASS"


@dataclass
class Run:
    """What happened to the QEMU process, before judging the output."""
    exit_status: int = None
    timed_out: bool = False
    silent_for: float = 0.0     # seconds without serial output at the end
    seconds: float = 0.0
    stderr: str = ""


def run_qemu(cmd, log, timeout):
    """Run QEMU until it exits or timeout seconds pass (then kill it),
    watching the serial log grow to tell a hang from slow progress."""
    stderr_path = log.with_suffix(".stderr")
    start = time.monotonic()
    last_growth, last_size = start, -1
    run = Run()
    with open(stderr_path, "w") as err:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                stdout=err, stderr=subprocess.STDOUT)
        with _live_lock:
            _live.add(proc)
        try:
            while proc.poll() is None:
                now = time.monotonic()
                size = log.stat().st_size if log.exists() else 0
                if size != last_size:
                    last_size, last_growth = size, now
                if now - start > timeout:
                    run.timed_out = True
                    proc.kill()
                    proc.wait()
                    break
                time.sleep(POLL)
        finally:
            with _live_lock:
                _live.discard(proc)
    end = time.monotonic()
    run.seconds = end - start
    run.silent_for = end - last_growth
    if not run.timed_out:
        run.exit_status = proc.returncode
    run.stderr = stderr_path.read_text(errors="replace").strip()
    if not run.stderr:
        stderr_path.unlink()
    return run


def kill_all():
    """Ctrl-C: leave no QEMU behind."""
    with _live_lock:
        for proc in _live:
            proc.kill()


def describe_failures(ktap, limit=10, diag_limit=8):
    """'suite.case' of each failed case, with its first diagnostic lines
    (the full text is in the log)."""
    out = []
    bad = [c for c in ktap.cases if c.status == "fail"]
    for case in bad[:limit]:
        out.append(f"{case.full_name} failed")
        out.extend(f"    {d}" for d in case.diagnostics[:diag_limit])
        if len(case.diagnostics) > diag_limit:
            out.append(f"    ... {len(case.diagnostics) - diag_limit} more lines in the log")
    if len(bad) > limit:
        out.append(f"... and {len(bad) - limit} more failed cases")
    return out


def judge(run, ktap, timeout):
    """Status and cause of a boot, from QEMU's fate and the KTAP report.
    Both must say 'pass' for a PASS. The cause starts with the most
    telling line: the timeout, the EXCEPTION/panic line, or the failed
    cases."""
    failures = describe_failures(ktap)
    errors = [f"KTAP: {e}" for e in ktap.errors if e != "no KTAP output"]
    crash = [ktap.crash] if ktap.crash else []
    no_ktap = [] if ktap.found else ["no KTAP output"]
    where = [f"output stopped in {ktap.stopped_in}"] if ktap.stopped_in else []
    last = [f"last output: '{ktap.last_line}'" if ktap.last_line
            else "no serial output at all"]
    status = run.exit_status

    if run.timed_out:
        head = f"timeout after {timeout:g} s (no output for {run.silent_for:.0f} s)"
        return "TIMEOUT", "\n".join([head] + crash + no_ktap + where + failures + last)
    if status == EXIT_PANIC:
        head = crash or [f"kernel panic (exit status {status}) without a panic line"]
        return "CRASH", "\n".join(head + no_ktap + where + failures)
    if status not in (EXIT_PASS, EXIT_FAIL) and run.stderr and not ktap.last_line:
        return "ERROR", "\n".join([f"QEMU failed (status {status}) before any output"]
                                  + [f"QEMU: {l}" for l in run.stderr.splitlines()[-5:]])
    if status not in (EXIT_PASS, EXIT_FAIL):
        head = f"QEMU exited with status {status}"
        if status == 0:
            head += " (a triple fault or reset, stopped by -no-reboot)"
        stderr = [f"QEMU: {l}" for l in run.stderr.splitlines()[-5:]]
        return "CRASH", "\n".join([head] + stderr + crash + no_ktap + where + failures + last)
    if not ktap.found:
        return "FAIL", "\n".join([f"no KTAP output (exit status {status})"] + last)
    if status == EXIT_PASS and ktap.ok:
        return "PASS", ""
    if status == EXIT_PASS:
        head = ["the kernel exited 'all passed' but the KTAP report disagrees"]
        return "FAIL", "\n".join(head + failures + errors)
    if not failures and not errors:
        head = ["the kernel exited 'test failed' but no KTAP case failed"]
        return "FAIL", "\n".join(head + last)
    return "FAIL", "\n".join(failures + errors)


def must_run_problems(ktap, patterns):
    """A line for each case that a pattern requires and that was skipped,
    with its reason, and for each pattern that no case of a complete
    report matches (a renamed case must not pass unseen)."""
    out = []
    for pattern in patterns:
        matched = [c for c in ktap.cases if fnmatch.fnmatchcase(c.full_name, pattern)]
        if not matched and ktap.ok:
            out.append(f"no case matches '{pattern}', which this configuration must run")
        out.extend(f"{c.full_name} was skipped ({c.skip_reason}): this configuration "
                   f"must run it" for c in matched if c.status == "skip")
    return out


def require_cases(status, cause, ktap, patterns):
    """judge()'s verdict, failed when a case the configuration must run
    was skipped."""
    problems = must_run_problems(ktap, patterns)
    if not problems:
        return status, cause
    if status == "PASS":
        return "FAIL", "\n".join(problems)
    return status, "\n".join([cause] + problems)


def boot(config, qemu=None, log_dir=None):
    """Build the ISO of a configuration, boot it once and judge it."""
    log_dir = Path(log_dir) if log_dir else LOG_DIR
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"{config.name}.log"
    if log.exists():
        log.unlink()
    try:
        iso = build_iso(config.cmdline)
        cmd = qemu_command(config, iso, log, qemu)
    except RunnerError as e:
        return BootResult(config, "ERROR", str(e), failed=1, log=log)
    say(f"booting {config.name} ({config.firmware}, {config.boot}, -m {config.memory}, "
        f"'{config.cmdline}', timeout {config.timeout:g} s)")
    say(f"    {shlex.join(cmd)}", verbose_only=True)
    try:
        run = run_qemu(cmd, log, config.timeout)
    except OSError as e:
        return BootResult(config, "ERROR", f"cannot start {cmd[0]}: {e}", failed=1, log=log)
    text = log.read_bytes().decode("utf-8", errors="replace") if log.exists() else ""
    ktap = parse_ktap(text)
    status, cause = judge(run, ktap, config.timeout)
    status, cause = require_cases(status, cause, ktap, config.must_run)
    failed = ktap.failed
    if status != "PASS":
        failed = max(failed, 1)
    return BootResult(config, status, cause, ktap.passed, failed, ktap.skipped,
                      log, run.exit_status, run.seconds, ktap)


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------

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


def result_line(r):
    counts = f"{r.passed} passed, {r.failed} failed, {r.skipped} skipped"
    return f"{r.config.name:<12} {r.status:<8} {counts:<36} {r.seconds:6.1f} s  {relative(r.log)}"


def print_result(r):
    lines = [result_line(r)]
    lines.extend(f"    {l}" for l in r.cause.splitlines())
    say("\n".join(lines))


def print_table(configs):
    say(f"{'name':<12} {'firmware':<8} {'boot':<5} {'machine':<8} {'memory':<7} "
        f"{'timeout':>7}  {'groups':<12} cmdline / extra")
    for c in configs:
        extra = f" / {c.extra}" if c.extra else ""
        say(f"{c.name:<12} {c.firmware:<8} {c.boot:<5} {c.machine:<8} {c.memory:<7} "
            f"{c.timeout:>6g}s  {','.join(c.groups):<12} {c.cmdline}{extra}")
        if c.must_run:
            say(f"{'':<12} must run: {', '.join(c.must_run)}")


# ---------------------------------------------------------------------------
# Benchmarks (--bench)
# ---------------------------------------------------------------------------

# kernel/bench.h: "bench: <bench> <metric> <value> <unit> [<n> ops] [<n> runs]",
# "bench: <bench> <metric> skipped <reason>", "bench: <bench> failed ...".
BENCH_ROW_RE = re.compile(r"bench: (\S+) (\S+) (\d+) (\S+)(?: (\d+) ops)?(?: (\d+) runs)?$")
BENCH_SKIP_RE = re.compile(r"bench: (\S+) (\S+) skipped (.*)$")
BENCH_FAIL_RE = re.compile(r"bench: (\S+) failed (.*)$")


@dataclass
class BenchRow:
    bench: str
    metric: str
    value: int = None           # None: skipped
    unit: str = ""
    ops: int = None
    runs: int = None
    skip_reason: str = ""


def parse_bench(text):
    """The benchmark rows and failures printed in a serial log."""
    rows, failures = [], []
    for line in clean_lines(text):
        line = line.strip()
        m = BENCH_ROW_RE.match(line)
        if m:
            bench, metric, value, unit, ops, runs = m.groups()
            rows.append(BenchRow(bench, metric, int(value), unit,
                                 int(ops) if ops else None, int(runs) if runs else None))
            continue
        m = BENCH_SKIP_RE.match(line)
        if m:
            rows.append(BenchRow(m.group(1), m.group(2), skip_reason=m.group(3)))
            continue
        m = BENCH_FAIL_RE.match(line)
        if m:
            failures.append(line)
    return rows, failures


def format_bench(rows):
    """The rows as a table, one line each."""
    b = max([len("bench")] + [len(r.bench) for r in rows])
    m = max([len("metric")] + [len(r.metric) for r in rows])
    out = [f"{'bench':<{b}} {'metric':<{m}} {'value':>12} {'unit':<7} {'ops':>8} {'runs':>5}"]
    for r in rows:
        if r.value is None:
            out.append(f"{r.bench:<{b}} {r.metric:<{m}} {'skipped':>12}  ({r.skip_reason})")
            continue
        ops = "" if r.ops is None else str(r.ops)
        runs = "" if r.runs is None else str(r.runs)
        out.append(f"{r.bench:<{b}} {r.metric:<{m}} {r.value:>12} {r.unit:<7} {ops:>8} {runs:>5}")
    return out


def run_bench(names, qemu, scale):
    """Boot once with bench=names and print the table. 0 when the kernel
    exited 'pass' and printed at least one row."""
    config = dataclasses.replace(BENCH_CONFIG, cmdline=f"bench={names}",
                                 timeout=BENCH_CONFIG.timeout * scale)
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = LOG_DIR / "bench.log"
    if log.exists():
        log.unlink()
    try:
        iso = build_iso(config.cmdline)
        cmd = qemu_command(config, iso, log, qemu)
    except RunnerError as e:
        say(f"bench: {e}")
        return 1
    say(accel_choice().line)
    say(f"bench: booting {config.firmware}-{config.boot}, -m {config.memory}, "
        f"'{config.cmdline}' (log {relative(log)})")
    run = run_qemu(cmd, log, config.timeout)
    text = log.read_bytes().decode("utf-8", errors="replace") if log.exists() else ""
    rows, failures = parse_bench(text)
    for line in format_bench(rows):
        say(line)
    problems = list(failures)
    if run.timed_out:
        problems.append(f"timeout after {config.timeout:g} s")
    elif run.exit_status != EXIT_PASS:
        problems.append(f"QEMU exited with status {run.exit_status}, not {EXIT_PASS}")
    if not rows:
        problems.append("no benchmark rows in the log")
    crash = find_crash(clean_lines(text), -1)
    if crash:
        problems.append(crash)
    for p in problems:
        say(f"bench: {p}")
    say(f"bench: {len(rows)} rows in {run.seconds:.1f} s")
    return 1 if problems else 0


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------

def split_names(values):
    """--only a,b --only c -> ['a', 'b', 'c']."""
    return [n for v in values or [] for n in v.split(",") if n]


def select(configs, only, groups):
    """The configurations named by --only and in a --group (both filters
    apply when both are given); all when neither is."""
    known = {c.name for c in configs}
    unknown = [n for n in only if n not in known]
    if unknown:
        raise SystemExit(f"runner: unknown configuration {', '.join(unknown)} "
                         f"(--list shows them)")
    all_groups = {g for c in configs for g in c.groups}
    unknown = [g for g in groups if g not in all_groups]
    if unknown:
        raise SystemExit(f"runner: unknown group {', '.join(unknown)} "
                         f"(known: {', '.join(sorted(all_groups))})")
    return [c for c in configs
            if (not only or c.name in only)
            and (not groups or set(groups) & set(c.groups))]


def adjust(config, scale, cmdline_extra):
    """A configuration with the command-line options applied."""
    cmdline = f"{config.cmdline} {cmdline_extra}".strip() if cmdline_extra else config.cmdline
    return dataclasses.replace(config, timeout=config.timeout * scale, cmdline=cmdline)


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Boot pagefold in QEMU and check its in-kernel tests (KTAP).")
    p.add_argument("--only", action="append", metavar="NAME[,NAME]",
                   help="run only these configurations")
    p.add_argument("--group", action="append", metavar="G[,G]",
                   help="run only the configurations in these groups")
    p.add_argument("--jobs", "-j", type=int, default=min(2, os.cpu_count() or 1),
                   help="QEMUs running at once (default: min(2, CPUs))")
    p.add_argument("--timeout-scale", type=float, default=1.0, metavar="F",
                   help="multiply every timeout by F (slow hosts, TCG)")
    p.add_argument("--list", action="store_true",
                   help="print the configurations and exit")
    p.add_argument("--keep-going", action=argparse.BooleanOptionalAction, default=True,
                   help="after a failure, still boot the remaining configurations "
                        "(default; --no-keep-going stops starting new ones)")
    p.add_argument("--cmdline-extra", default="", metavar="STR",
                   help="append STR to every configuration's kernel command line")
    p.add_argument("--qemu", default=QEMU, metavar="PATH",
                   help=f"the QEMU binary (default: {QEMU})")
    p.add_argument("--verbose", "-v", action="store_true",
                   help="print each QEMU command line")
    p.add_argument("--accel", action="store_true",
                   help="choose the accelerator as the runs do, say which and why "
                        "(stderr), print its QEMU arguments (stdout) and exit")
    p.add_argument("--bench", nargs="?", const="all", metavar="NAME[,NAME]",
                   help="instead of the tests: boot once with bench=NAMES (default "
                        f"all; {BENCH_CONFIG.firmware}-{BENCH_CONFIG.boot}, "
                        f"-m {BENCH_CONFIG.memory}) and print the benchmark table")
    args = p.parse_args(argv)
    if args.jobs < 1:
        p.error("--jobs must be at least 1")
    if args.timeout_scale <= 0:
        p.error("--timeout-scale must be positive")
    return args


def check_qemu(qemu):
    """Fail early and clearly when QEMU is not installed."""
    if shutil.which(qemu) is None:
        raise SystemExit(f"runner: QEMU not found: '{qemu}' (install qemu-system-x86: make deps)")


def run_all(configs, jobs, keep_going, qemu):
    """Boot the configurations, jobs at a time, printing each result as
    it comes; returns the results in table order (None: not started)."""
    stop = threading.Event()

    def one(config):
        if stop.is_set():
            return None
        r = boot(config, qemu)
        say(result_line(r))
        if not r.ok and not keep_going:
            stop.set()
        return r

    # The ISOs first, one make at a time, so that boots overlap only
    # with each other.
    for cmdline in dict.fromkeys(c.cmdline for c in configs):
        try:
            build_iso(cmdline)
        except RunnerError:
            pass                    # boot() reports it as the cause
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(one, c) for c in configs]
        try:
            return [f.result() for f in futures]
        except KeyboardInterrupt:
            stop.set()
            kill_all()
            raise


def print_summary(configs, results):
    """One line per configuration, then the totals line, last."""
    say("")
    say("summary:")
    passed = failed = 0
    for config, r in zip(configs, results):
        if r is None:
            say(f"{config.name:<12} NOT RUN  (--no-keep-going after a failure)")
            continue
        print_result(r)
        passed += r.passed
        failed += r.failed
    say(f"{passed} passed, {failed} failed")
    return passed, failed


def exit_code(results):
    """0 only when every configuration ran and passed."""
    return 0 if all(r is not None and r.ok for r in results) else 1


def print_accel():
    """--accel, for `make run`: the QEMU arguments alone on stdout."""
    with contextlib.redirect_stdout(sys.stderr):
        accel = accel_choice()
        say(accel.line)
    print(" ".join(accel.args))
    return 0


def interrupt(signum, frame):
    """SIGTERM (a cancelled CI job) cleans up like Ctrl-C."""
    raise KeyboardInterrupt


def main(argv=None):
    global QEMU, VERBOSE
    signal.signal(signal.SIGTERM, interrupt)
    args = parse_args(argv)
    configs = select(CONFIGS, split_names(args.only), split_names(args.group))
    if args.list:
        print_table(configs)
        return 0
    QEMU, VERBOSE = args.qemu, args.verbose
    check_qemu(QEMU)
    try:
        if args.accel:
            return print_accel()
        if args.bench:
            return run_bench(args.bench, QEMU, args.timeout_scale)
        say(accel_choice().line)
    except AccelError as e:
        raise SystemExit(f"runner: {e}")
    configs = [adjust(c, args.timeout_scale, args.cmdline_extra) for c in configs]
    if not configs:
        raise SystemExit("runner: no configuration selected")
    say(f"booting {len(configs)} configuration(s), {args.jobs} at a time")
    try:
        results = run_all(configs, args.jobs, args.keep_going, QEMU)
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    print_summary(configs, results)
    return exit_code(results)


if __name__ == "__main__":
    sys.exit(main())
