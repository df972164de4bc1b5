# SPDX-License-Identifier: MIT
"""The verdict of one boot, from QEMU's fate and the KTAP report, and
the cases a configuration must see run."""

import fnmatch

from qemu import EXIT_FAIL, EXIT_PANIC, EXIT_PASS


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

