# SPDX-License-Identifier: MIT
"""Driving QEMU: the command line of one boot and running it under a
timeout, watching the serial log grow."""

import os
import shlex
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from common import RunnerError

# QEMU exit statuses: isa-debug-exit turns the kernel's value v into
# (v << 1) | 1 (drivers/qemu_exit.h).
EXIT_PASS = 33          # 0x10
EXIT_FAIL = 35          # 0x11
EXIT_PANIC = 37         # 0x12

OVMF_CANDIDATES = ("/usr/share/ovmf/OVMF.fd", "/usr/share/OVMF/OVMF_CODE.fd")

QEMU = "qemu-system-x86_64"     # --qemu replaces it
POLL = 0.1                      # seconds between checks of a running QEMU

_live_lock = threading.Lock()
_live = set()                   # running QEMUs, killed on Ctrl-C


def fresh_log(log_dir, name):
    """The serial log of a new boot: its folder made, an old one gone."""
    log_dir = Path(log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"{name}.log"
    if log.exists():
        log.unlink()
    return log


def read_log(log):
    """The serial text a boot left, however mangled."""
    return log.read_bytes().decode("utf-8", errors="replace") if log.exists() else ""


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


def qemu_command(config, iso, log, qemu=None, *, accel):
    """The full QEMU command line of one boot."""
    return ([qemu or QEMU, "-machine", config.machine]
            + accel
            + ["-m", config.memory,
               "-nographic", "-nodefaults", "-no-reboot", "-display", "none",
               "-serial", f"file:{log}",
               "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
            + firmware_args(config.firmware)
            + boot_media_args(config.boot, iso)
            + shlex.split(config.extra))


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




def check_qemu(qemu):
    """Fail early and clearly when QEMU is not installed."""
    if shutil.which(qemu) is None:
        raise SystemExit(f"runner: QEMU not found: '{qemu}' (install qemu-system-x86: make deps)")
