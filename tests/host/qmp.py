# SPDX-License-Identifier: MIT
"""One QEMU under QMP (its monitor protocol, on a UNIX socket): typing
on the PS/2 keyboard, screenshots, the serial line, and the SHUTDOWN and
RESET events that tell a power-off from a crash or a reset."""

import json
import os
import queue
import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import qemu
from ktap import clean_lines
from screen import screen_cells

STEP = 90           # seconds any one step may take under TCG


# Characters to QEMU key codes (US layout); shifted ones with "shift".
KEYS = {" ": "spc", "\n": "ret", "-": "minus", "=": "equal", ".": "dot", "/": "slash",
        ",": "comma", ";": "semicolon", "'": "apostrophe", "\\": "backslash",
        "[": "bracket_left", "]": "bracket_right", "`": "grave_accent"}
SHIFTED = {"!": "1", "@": "2", "#": "3", "$": "4", "%": "5", "^": "6", "&": "7",
           "*": "8", "(": "9", ")": "0", "_": "minus", "+": "equal", ":": "semicolon",
           '"': "apostrophe", "<": "comma", ">": "dot", "?": "slash",
           "{": "bracket_left", "}": "bracket_right", "|": "backslash", "~": "grave_accent"}


def key_codes(ch):
    """The qcodes pressed together for one character."""
    if ch.isascii() and ch.isalnum():
        return ["shift", ch.lower()] if ch.isupper() else [ch]
    if ch in KEYS:
        return [KEYS[ch]]
    if ch in SHIFTED:
        return ["shift", SHIFTED[ch]]
    raise ValueError(f"no key for {ch!r}")


class Qemu:
    """One QEMU: its QMP connection (a reader thread sorts replies from
    events), its serial output (on stdout, copied to the log) and its
    serial input (stdin)."""

    def __init__(self, name, args, log, work):
        self.name, self.log, self.work = name, log, work
        self.sock_path = os.path.join(work, "qmp.sock")
        self.cmd = [qemu.QEMU] + args + ["-qmp", f"unix:{self.sock_path},server=on,wait=off"]
        self.serial = bytearray()
        self.events, self.replies = [], queue.Queue()
        self.lock = threading.Lock()
        self.logf = open(log, "wb")
        self.errf = open(log.with_suffix(".stderr"), "wb")
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.errf)
        threading.Thread(target=self._read_serial, daemon=True).start()
        self.qmp = self._connect()
        self.file = self.qmp.makefile("rwb")
        self.file.readline()                            # the greeting
        self.reader = threading.Thread(target=self._read_qmp, daemon=True)
        self.reader.start()
        self.execute("qmp_capabilities")

    def _connect(self):
        deadline = time.monotonic() + 30
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(self.sock_path)
                return s
            except OSError:
                s.close()
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("QEMU did not start: " + self.stderr()[-500:])
                time.sleep(0.05)

    def _read_serial(self):
        while True:
            chunk = self.proc.stdout.read1(4096)
            if not chunk:
                break
            with self.lock:
                self.serial += chunk
            self.logf.write(chunk)
            self.logf.flush()

    def _read_qmp(self):
        try:
            for line in self.file:
                msg = json.loads(line)
                if "event" in msg:
                    with self.lock:
                        self.events.append(msg)
                else:
                    self.replies.put(msg)
        except (OSError, ValueError):
            pass                        # closed under us: QEMU is gone
        self.replies.put(None)

    def execute(self, command, **arguments):
        msg = {"execute": command}
        if arguments:
            msg["arguments"] = arguments
        try:
            self.file.write(json.dumps(msg).encode() + b"\n")
            self.file.flush()
        except OSError as e:
            raise RuntimeError(f"QMP {command}: QEMU is gone ({e})") from None
        reply = self.replies.get(timeout=60)
        if reply is None:
            raise RuntimeError(f"QMP {command}: QEMU is gone")
        if "error" in reply:
            raise RuntimeError(f"QMP {command}: {reply['error'].get('desc')}")
        return reply.get("return")

    def type(self, text):
        """Type text on the PS/2 keyboard; "^U" style pairs are Ctrl keys."""
        i = 0
        while i < len(text):
            if text[i] == "^" and i + 1 < len(text):
                codes, i = ["ctrl", text[i + 1].lower()], i + 2
            else:
                codes, i = key_codes(text[i]), i + 1
            self.execute("send-key", keys=[{"type": "qcode", "data": c} for c in codes],
                         **{"hold-time": 50})
            time.sleep(0.06)

    def serial_text(self):
        with self.lock:
            return bytes(self.serial).decode("utf-8", errors="replace")

    def serial_lines(self):
        return clean_lines(self.serial_text())

    def serial_size(self):
        with self.lock:
            return len(self.serial)

    def wait_serial(self, pattern, since=0, timeout=STEP):
        """Until pattern matches the serial output from byte `since` on."""
        regex = re.compile(pattern.encode())
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                found = regex.search(self.serial, since)
            if found:
                return True
            if self.proc.poll() is not None or time.monotonic() > deadline:
                return False
            time.sleep(0.1)

    def write_serial(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def screenshot(self, font, tag):
        path = os.path.join(self.work, f"{tag}.ppm")
        self.execute("screendump", filename=path)
        keep = self.log.with_name(f"{self.name}-{tag}.ppm")
        shutil.copyfile(path, keep)
        return screen_cells(path, font)

    def wait_screen(self, font, texts, timeout=STEP, tag="screen", until=None):
        """Screenshots until every text is on the screen (and until(screen)
        holds); the last one."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screenshot(font, tag)
            if all(screen.find(font, t) for t in texts) and (not until or until(screen)):
                return screen
            if self.proc.poll() is not None or time.monotonic() > deadline:
                return screen
            time.sleep(0.5)

    def wait_exit(self, timeout=STEP):
        """QEMU's exit status (None: still running), once every event it
        sent before exiting has been read."""
        try:
            status = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        self.reader.join(timeout=10)
        return status

    def shutdown_reason(self):
        with self.lock:
            for e in self.events:
                if e["event"] == "SHUTDOWN":
                    return e.get("data", {}).get("reason")
        return None

    def resets(self):
        with self.lock:
            return [e.get("data", {}).get("reason") for e in self.events if e["event"] == "RESET"]

    def stderr(self):
        self.errf.flush()
        return Path(self.errf.name).read_text(errors="replace")

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.reader.join(timeout=10)
        for f in (self.file, self.qmp):
            try:
                f.close()
            except OSError:
                pass
        self.logf.close()
        self.errf.close()
        if not Path(self.errf.name).read_text(errors="replace").strip():
            os.unlink(self.errf.name)
