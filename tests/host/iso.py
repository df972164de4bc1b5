# SPDX-License-Identifier: MIT
"""The ISOs: one per kernel command line and kind of image (make's
KTEST: 1 with the suites, 0 without, selftest with the broken ones),
built by `make iso`."""

import hashlib
import re
import subprocess
import threading

from common import ISO_DIR, LOG_DIR, ROOT, BUILD, RunnerError, relative, say

_iso_lock = threading.Lock()
_iso_cache = {}


# The file name prefix of each kind of image; the test image has none.
ISO_PREFIX = {"0": "image-", "1": "", "selftest": "selftest-"}


def iso_name(cmdline, ktest="1"):
    """A file name for the ISO of a command line: readable, and unique
    thanks to a hash (test=a,b and test=a_b must not share one)."""
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", cmdline).strip("_")[:60] or "empty"
    digest = hashlib.sha1(cmdline.encode()).hexdigest()[:8]
    return f"{ISO_PREFIX[ktest]}{readable}-{digest}"


def build_iso(cmdline, ktest="1"):
    """Path of an ISO whose grub.cfg boots the kernel with cmdline.
    make decides whether to rebuild; each command line is built once per
    run, one make at a time (parallel makes would race on build/)."""
    key = (cmdline, ktest)
    with _iso_lock:
        if key not in _iso_cache:
            try:
                _iso_cache[key] = make_iso(cmdline, ktest)
            except RunnerError as e:
                _iso_cache[key] = e         # do not run a failing make twice
        found = _iso_cache[key]
    if isinstance(found, RunnerError):
        raise found
    return found


def make_iso(cmdline, ktest):
    """Run `make iso` for one command line, its output in a log file."""
    name = iso_name(cmdline, ktest)
    iso = ISO_DIR / f"{name}.iso"
    log = LOG_DIR / f"make-{name}.log"
    ISO_DIR.mkdir(parents=True, exist_ok=True)
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    say(f"building ISO for '{cmdline}' -> {relative(iso)}")
    with open(log, "w") as out:
        proc = subprocess.run(["make", "iso", f"BUILD={BUILD}", f"KTEST={ktest}",
                               f"CMDLINE={cmdline}", f"ISO={iso}"],
                              cwd=ROOT, stdin=subprocess.DEVNULL, stdout=out,
                              stderr=subprocess.STDOUT)
    if proc.returncode != 0 or not iso.exists():
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
        raise RunnerError(f"'make iso KTEST={ktest} CMDLINE={cmdline}' failed (status "
                          f"{proc.returncode}, log {relative(log)}):\n{tail}")
    return iso


