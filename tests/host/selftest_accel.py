# SPDX-License-Identifier: MIT
"""Self-test of the accelerator choice, against fake QEMUs that abort,
hang or pass under KVM."""

import sys
import tempfile
from pathlib import Path

from accel import Accel, AccelError, cached_accel, choose_accel
from selftest_logs import ALL_PASS

# The MSR failure of a host whose /dev/kvm opens but whose KVM cannot
# run the guest (issue 10), as QEMU prints it before aborting.
MSR_ABORT = ("qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69\n"
             "qemu-system-x86_64: ../../target/i386/kvm/kvm.c:3183: kvm_buf_set_msrs: "
             "Assertion `ret == cpu->kvm_msr_buf->nmsrs' failed.\n")

# A stand-in for QEMU: under -accel kvm it aborts, hangs or works as its
# mode says; working means the probe's KTAP report and the pass code.
FAKE_QEMU = """#!{python}
import sys, time
args = sys.argv[1:]
kvm = args[args.index("-accel") + 1] == "kvm"
if kvm and {mode!r} == "abort":
    sys.stderr.write({abort!r})
    sys.exit(134)
if kvm and {mode!r} == "hang":
    time.sleep(3600)
with open(args[args.index("-serial") + 1][len("file:"):], "w") as serial:
    serial.write({report!r})
sys.exit(33)
"""


def fake_qemu(work, mode):
    path = Path(work) / f"qemu-{mode}"
    path.write_text(FAKE_QEMU.format(python=sys.executable, mode=mode, abort=MSR_ABORT,
                                     report=ALL_PASS))
    path.chmod(0o755)
    return str(path)


def test_accel(c):
    """The accelerator choice against fake QEMUs, with a KVM device that
    opens (a plain file) or does not exist."""
    with tempfile.TemporaryDirectory(prefix="pagefold-accel-") as work:
        device = Path(work) / "kvm"
        device.write_text("")
        qemu = {mode: fake_qemu(work, mode) for mode in ("abort", "hang", "works")}

        def choose(mode, env=None, timeout=5, kvm_device=device):
            return choose_accel(qemu[mode], env={} if env is None else env,
                                       kvm_device=str(kvm_device), iso=Path(work) / "probe.iso",
                                       timeout=timeout, log_dir=Path(work) / "logs")

        a = choose("abort")
        c.check("accel: QEMU aborting under KVM -> tcg", a.name == "tcg", a)
        c.check("accel: the reason quotes QEMU's MSR error and its status",
                "'qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69'" in a.reason
                and "status 134" in a.reason, a.reason)
        c.check("accel: the line names tcg, its arguments and the probe's failure",
                a.line.startswith("accelerator: tcg (-accel tcg -cpu max): the KVM probe")
                and "failed to set MSR" in a.line, a.line)
        a = choose("hang", timeout=2)
        c.check("accel: QEMU hanging under KVM -> tcg", a.name == "tcg", a)
        c.check("accel: the reason is the probe's timeout",
                "failed: timeout after 2 s (no output for" in a.reason, a.reason)
        a = choose("works")
        c.check("accel: QEMU passing the probe under KVM -> kvm", a.name == "kvm", a)
        c.check("accel: the reason gives the probe's verdict",
                "passed: 3 cases, exit status 33" in a.reason
                and a.args == ["-accel", "kvm", "-cpu", "host"], a.line)
        a = choose("works", kvm_device=Path(work) / "no-kvm")
        c.check("accel: no KVM device -> tcg, naming the device's error",
                a.name == "tcg" and a.reason.endswith("no-kvm: No such file or directory"),
                a.line)

        a = choose("abort", env={"PAGEFOLD_ACCEL": "tcg"})
        c.check("accel: PAGEFOLD_ACCEL=tcg forces tcg without a probe",
                a.name == "tcg" and a.reason == "forced by PAGEFOLD_ACCEL=tcg", a.line)
        a = choose("works", env={"PAGEFOLD_ACCEL": "kvm"})
        c.check("accel: PAGEFOLD_ACCEL=kvm with a passing probe -> kvm", a.name == "kvm", a)
        for mode, cause in (("abort", "failed to set MSR 0x10a"), ("hang", "timeout after 2 s")):
            try:
                a = choose(mode, env={"PAGEFOLD_ACCEL": "kvm"}, timeout=2)
                c.check(f"accel: PAGEFOLD_ACCEL=kvm failing the probe ({mode}) is an error",
                        False, a.line)
            except AccelError as e:
                c.check(f"accel: PAGEFOLD_ACCEL=kvm failing the probe ({mode}) is an error",
                        str(e).startswith("PAGEFOLD_ACCEL=kvm but the KVM probe")
                        and cause in str(e), e)
        try:
            a = choose("works", env={"PAGEFOLD_ACCEL": "fast"})
            c.check("accel: PAGEFOLD_ACCEL=fast is an error", False, a.line)
        except AccelError as e:
            c.check("accel: PAGEFOLD_ACCEL=fast is an error", "expected kvm or tcg" in str(e), e)

        test_accel_cache(c, Path(work) / "accel.json", lambda: choose("works"))


def test_accel_cache(c, cache, choose):
    """One probe per run: the first runner writes the cache, the next
    ones read it; a cache made under another PAGEFOLD_ACCEL is not used."""
    def must_not_probe():
        raise AssertionError("probed a second time")

    first = cached_accel(cache, choose, env={})
    try:
        again = cached_accel(cache, must_not_probe, env={})
        c.check("accel cache: a second runner reuses the choice",
                again.name == first.name == "kvm" and "probed once for this run" in again.reason,
                again.line)
    except AssertionError as e:
        c.check("accel cache: a second runner reuses the choice", False, e)
    forced = cached_accel(cache, lambda: Accel("tcg", "forced"),
                                 env={"PAGEFOLD_ACCEL": "tcg"})
    c.check("accel cache: another PAGEFOLD_ACCEL chooses again", forced.reason == "forced",
            forced.line)
