# SPDX-License-Identifier: MIT
"""A strict parser of the KTAP version 1 report that the kernel prints
on its serial console (kernel/ktest.c), cut anywhere or whole."""

import re
from dataclasses import dataclass, field

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


