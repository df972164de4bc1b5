# SPDX-License-Identifier: MIT
"""Booting configurations: one boot judged, several in parallel, and
the lines that report them."""

import shlex
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from accel import accel_args
from common import LOG_DIR, RunnerError, relative, say
from configs import Config
from iso import build_iso
from ktap import KtapResult, parse_ktap
from qemu import fresh_log, kill_all, qemu_command, read_log, run_qemu
from verdict import judge, require_cases


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



def boot_command(config, log, qemu=None):
    """QEMU's command line booting a configuration's ISO (built if need
    be) under this run's accelerator."""
    return qemu_command(config, build_iso(config.cmdline, config.ktest), log, qemu, accel=accel_args())


def boot(config, qemu=None, log_dir=None):
    """Build the ISO of a configuration, boot it once and judge it."""
    log = fresh_log(log_dir or LOG_DIR, config.name)
    try:
        cmd = boot_command(config, log, qemu)
    except RunnerError as e:
        return BootResult(config, "ERROR", str(e), failed=1, log=log)
    say(f"booting {config.name} ({config.firmware}, {config.boot}, -m {config.memory}, "
        f"'{config.cmdline}', timeout {config.timeout:g} s)")
    say(f"    {shlex.join(cmd)}", verbose_only=True)
    try:
        run = run_qemu(cmd, log, config.timeout)
    except OSError as e:
        return BootResult(config, "ERROR", f"cannot start {cmd[0]}: {e}", failed=1, log=log)
    ktap = parse_ktap(read_log(log))
    status, cause = judge(run, ktap, config.timeout)
    status, cause = require_cases(status, cause, ktap, config.must_run)
    failed = ktap.failed
    if status != "PASS":
        failed = max(failed, 1)
    return BootResult(config, status, cause, ktap.passed, failed, ktap.skipped,
                      log, run.exit_status, run.seconds, ktap)




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
    for cmdline, ktest in dict.fromkeys((c.cmdline, c.ktest) for c in configs):
        try:
            build_iso(cmdline, ktest)
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


