# SPDX-License-Identifier: MIT
"""`--bench`: one boot that runs the kernel's benchmarks, and the table
of their rows."""

import dataclasses
import re
from dataclasses import dataclass

from accel import accel_choice
from boot import boot_command
from common import LOG_DIR, RunnerError, relative, say
from configs import BENCH_CONFIG
from ktap import clean_lines, find_crash
from qemu import EXIT_PASS, fresh_log, read_log, run_qemu

# bench/bench.h: "bench: <bench> <metric> <value> <unit> [<n> ops] [<n> runs]",
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
    # The configuration's other words (page_poison=off) stay: a debug fill
    # of every freed page would be what the figures measure.
    rest = [w for w in BENCH_CONFIG.cmdline.split() if not w.startswith("bench=")]
    config = dataclasses.replace(BENCH_CONFIG, cmdline=" ".join([f"bench={names}"] + rest),
                                 timeout=BENCH_CONFIG.timeout * scale)
    log = fresh_log(LOG_DIR, "bench")
    try:
        cmd = boot_command(config, log, qemu)
    except RunnerError as e:
        say(f"bench: {e}")
        return 1
    say(accel_choice().line)
    say(f"bench: booting {config.firmware}-{config.boot}, -m {config.memory}, "
        f"'{config.cmdline}' (log {relative(log)})")
    run = run_qemu(cmd, log, config.timeout)
    text = read_log(log)
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


