# SPDX-License-Identifier: MIT
"""The accelerator of a run: KVM when a probe boot passes under it, TCG
otherwise; PAGEFOLD_ACCEL forces either."""

import dataclasses
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import qemu
from common import LOG_DIR, RunnerError, say
from configs import Config
from iso import build_iso
from ktap import parse_ktap
from verdict import judge

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


def probe_kvm(binary, iso, log_dir, timeout):
    """Boot the probe configuration under KVM; (None, summary) when it
    passed, (why, "") when not."""
    config = dataclasses.replace(ACCEL_PROBE, timeout=timeout)
    log = qemu.fresh_log(log_dir, "accel-probe")
    cmd = qemu.qemu_command(config, iso, log, binary, accel=ACCEL_ARGS["kvm"])
    try:
        run = qemu.run_qemu(cmd, log, timeout)
    except OSError as e:
        return f"cannot start {cmd[0]}: {e}", ""
    ktap = parse_ktap(qemu.read_log(log))
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


def choose_accel(binary, env=None, kvm_device=KVM_DEVICE, iso=None, timeout=None, log_dir=None):
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
            iso = iso or build_iso(ACCEL_PROBE.cmdline, ACCEL_PROBE.ktest)
        except RunnerError as e:
            why = f"the probe's ISO could not be built: {first_line(str(e))}"
    if why is None:
        why, passed = probe_kvm(binary or qemu.QEMU, iso, Path(log_dir or LOG_DIR),
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
                                  lambda: choose_accel(qemu.QEMU))
        return _accel


def announce_accel(prog):
    """Say which accelerator this run uses and why; a forced one that
    cannot be had ends the program with the cause."""
    try:
        say(accel_choice().line)
    except AccelError as e:
        raise SystemExit(f"{prog}: {e}")


def accel_args():
    """The accelerator and a CPU model that it supports."""
    return accel_choice().args

