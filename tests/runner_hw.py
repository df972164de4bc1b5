#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Boot pagefold in QEMU the way a real PC would meet it, and check what
the serial-only runner (tests/runner.py) cannot see: the screen, the
keyboard, ACPI power off and reboot, and awkward machines.

Each scenario is one QEMU, driven through QMP (QEMU's monitor protocol,
on a UNIX socket): `screendump` takes screenshots, `send-key` types on
the PS/2 keyboard, `pmemsave` reads VGA text memory, and the SHUTDOWN
and RESET events tell a guest power-off from a crash or a reset.

    screen-bios    SeaBIOS, -vga std framebuffer: banner and prompt on
                   the screen, typing (shift, Ctrl-U, Ctrl-C) reaches the
                   shell, `reboot` brings GRUB back, `poweroff` ends QEMU
                   without isa-debug-exit
    screen-uefi    OVMF GOP, -serial none: banner and prompt on the
                   screen, typing shows on it, `poweroff` ends QEMU
    textmode       GRUB leaves VGA text mode (gfxpayload=text): the text
                   is in the VGA's memory at 0xb8000
    noserial-*     -serial none, this file's suites: the verdict comes
                   through isa-debug-exit alone (SeaBIOS on pc, OVMF on q35)
    qemu64-*       -cpu qemu64 (no 1 GiB pages), -smp 4,
                   -m 3G,slots=2,maxmem=8G, test=all, on pc and q35
    no-i8042-*     no PS/2 controller (pc: nothing answers; q35: the
                   FADT says so): the shell still comes up

Screens are checked against the console font itself: this script parses
the PSF file the kernel was built with (its own parser, not the build's
converter), and a text is on the screen when the pixels of its glyphs
are, cell by cell.

    python3 tests/runner_hw.py             every scenario
    python3 tests/runner_hw.py --list
    python3 tests/runner_hw.py --only screen-bios,textmode

The last line is `N passed, N failed` (checks); the exit status is
non-zero when one failed.
"""

import argparse
import gzip
import json
import os
import queue
import re
import shlex
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import runner  # noqa: E402

BUILD = runner.BUILD
LOG_DIR = runner.LOG_DIR / "hw"
DEFAULT_FONT = "/usr/share/consolefonts/Uni2-Terminus16.psf.gz"
BANNER = "pagefold version"
PROMPT = "pagefold# "
STEP = 90           # seconds any one step may take under TCG


# ---------------------------------------------------------------------------
# The console font, and reading text off a screenshot
# ---------------------------------------------------------------------------

class Font:
    """A PSF1/PSF2 font: the glyph of each code point its Unicode table
    names, as a tuple of rows of 0/1 pixels."""

    def __init__(self, path):
        data = open(path, "rb").read()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        if data[:2] == b"\x36\x04":
            mode, self.height = data[2], data[3]
            count, self.width, off, size = (512 if mode & 1 else 256), 8, 4, data[3]
            table, utf8 = (data[off + count * size:], False) if mode & 6 else (None, False)
        elif data[:4] == b"\x72\xb5\x4a\x86":
            _, off, flags, count, size, self.height, self.width = struct.unpack_from("<7I", data, 4)
            table, utf8 = (data[off + count * size:], True) if flags & 1 else (None, True)
        else:
            raise ValueError(f"{path}: not a PSF font")
        rowbytes = (self.width + 7) // 8
        glyphs = []
        for i in range(count):
            g = data[off + i * size:off + (i + 1) * size]
            glyphs.append(tuple(
                bytes((int.from_bytes(g[r * rowbytes:(r + 1) * rowbytes], "big")
                       >> (rowbytes * 8 - 1 - x)) & 1 for x in range(self.width))
                for r in range(self.height)))
        self.glyph = {}
        for index, cps in enumerate(self._table(table, utf8, count)):
            for cp in cps:
                self.glyph.setdefault(chr(cp), glyphs[index])
        # Reading a screen: a cell's pixels back to a character, ASCII first.
        self.reverse = {}
        for cp in range(0x20, 0x7f):
            if chr(cp) in self.glyph:
                self.reverse.setdefault(self.glyph[chr(cp)], chr(cp))

    @staticmethod
    def _table(table, utf8, count):
        """Code points of each glyph (identity when there is no table)."""
        if table is None:
            return [[i] for i in range(count)]
        out = []
        if utf8:
            for entry in table.split(b"\xff")[:count]:
                out.append([ord(c) for c in entry.split(b"\xfe")[0].decode("utf-8", "ignore")])
            return out
        cps = []
        for (v,) in struct.iter_unpack("<H", table[:len(table) & ~1]):
            if v == 0xFFFF:
                out.append(cps)
                cps = []
            elif v == 0xFFFE:
                cps.append(None)
            elif None not in cps:
                cps.append(v)
        return [[c for c in g if c is not None] for g in out[:count]]


def read_ppm(path):
    """(width, height, RGB bytes) of a binary PPM (QEMU's screendump)."""
    data = open(path, "rb").read()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b"P6" or int(fields[3]) != 255:
        raise ValueError(f"{path}: not an 8-bit binary PPM")
    w, h = int(fields[1]), int(fields[2])
    return w, h, data[pos + 1:pos + 1 + w * h * 3]


@dataclass
class Screen:
    """A screenshot cut into character cells: the glyph pixels (lit =
    not black) of each cell, and the text they read as."""
    cells: list         # rows of cell pixel tuples
    text: list          # rows of str ('?' where no glyph matches)

    def find(self, font, s):
        """(row, col) where the glyphs of s are on the screen, or None."""
        want = [font.glyph[c] for c in s]
        for y, row in enumerate(self.cells):
            for x in range(len(row) - len(want) + 1):
                if row[x:x + len(want)] == want:
                    return y, x
        return None

    def dump(self):
        return "\n".join(l.rstrip() for l in self.text if l.strip())


LIT = bytes([0] + [1] * 255)


def screen_cells(path, font):
    """Cut a screenshot into font-sized cells from the top-left corner,
    where the framebuffer console draws its first cell."""
    w, h, rgb = read_ppm(path)
    fw, fh = font.width, font.height
    lit_rows = []
    for y in range(h - h % fh):
        row = rgb[y * w * 3:(y + 1) * w * 3]
        r, g, b = row[0::3].translate(LIT), row[1::3].translate(LIT), row[2::3].translate(LIT)
        lit_rows.append(bytes(x | y2 | z for x, y2, z in zip(r, g, b)))
    cells, text = [], []
    for cy in range(h // fh):
        band = lit_rows[cy * fh:(cy + 1) * fh]
        row = [tuple(line[cx * fw:(cx + 1) * fw] for line in band) for cx in range(w // fw)]
        cells.append(row)
        text.append("".join(font.reverse.get(c, "?") for c in row))
    return Screen(cells, text)


def vga_text(path, cols=80, rows=25):
    """Rows of text from a dump of VGA text memory (character, attribute)."""
    data = open(path, "rb").read()
    chars = bytes(data[i] for i in range(0, min(len(data), cols * rows * 2), 2))
    return [chars[r * cols:(r + 1) * cols].decode("latin-1") for r in range(rows)]


# ---------------------------------------------------------------------------
# QEMU under QMP
# ---------------------------------------------------------------------------

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
        self.cmd = [runner.QEMU] + args + ["-qmp", f"unix:{self.sock_path},server=on,wait=off"]
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
        return runner.clean_lines(self.serial_text())

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


# ---------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------

class Result:
    """The checks of one scenario, in order."""

    def __init__(self, name):
        self.name, self.checks, self.seconds = name, [], 0.0

    def check(self, what, ok, detail=""):
        self.checks.append((what, bool(ok), "" if ok else str(detail)))
        return ok


def shell_lines(q, since=0):
    return [l.strip() for l in q.serial_lines()[since:]]


def check_poweroff(r, q, how):
    """`poweroff` must end QEMU by itself (there is no debug-exit device),
    through ACPI S5: QEMU reports a guest shutdown, not a reset."""
    status = q.wait_exit()
    reason = q.shutdown_reason()
    r.check(f"poweroff ends QEMU without isa-debug-exit ({how})",
            status == 0 and reason == "guest-shutdown",
            f"exit status {status}, SHUTDOWN reason {reason!r}; serial ends: "
            + " | ".join(shell_lines(q)[-4:]))


def check_screen(r, font, screen, where, texts):
    for t in texts:
        r.check(f"{where}: the glyphs of '{t.strip()}' are on the screen",
                screen.find(font, t), "the screen reads:\n" + screen.dump()[-1500:])


def scenario_screen_bios(r, q, font):
    """Framebuffer under SeaBIOS, the keyboard, reboot, poweroff."""
    if not r.check("shell prompt on serial", q.wait_serial(re.escape(PROMPT)),
                   "serial ends: " + " | ".join(shell_lines(q)[-5:])):
        return
    r.check("fbcon registered on the VBE framebuffer",
            any(l.startswith("fbcon: 1024x768 32 bpp") for l in shell_lines(q)),
            "no 'fbcon: 1024x768 32 bpp' line")
    screen = q.wait_screen(font, [BANNER, PROMPT], tag="boot")
    check_screen(r, font, screen, "SeaBIOS -vga std", [BANNER, PROMPT])

    q.type("echo Kbd-Test_1!\n")
    r.check("typed 'echo Kbd-Test_1!' comes out on serial (shift, punctuation)",
            q.wait_serial(r"\nKbd-Test_1!\r?\n"),
            "serial ends: " + " | ".join(shell_lines(q)[-4:]))
    q.type("echo bad^Uecho ctrlu-ok\n")
    r.check("Ctrl-U (21) kills the typed line",
            q.wait_serial(r"\nctrlu-ok\r?\n") and "badecho ctrlu-ok" not in shell_lines(q),
            "serial ends: " + " | ".join(shell_lines(q)[-4:]))
    q.type("echo nope^Cecho ctrlc-ok\n")
    r.check("Ctrl-C (3) abandons the typed line",
            q.wait_serial(r"\^C\r?\n") and q.wait_serial(r"\nctrlc-ok\r?\n")
            and not any("nope" in l for l in shell_lines(q)[-3:]),
            "serial ends: " + " | ".join(shell_lines(q)[-4:]))
    screen = q.wait_screen(font, ["ctrlc-ok"], tag="typed")
    check_screen(r, font, screen, "after typing", ["Kbd-Test_1!", "ctrlc-ok"])

    mark = q.serial_size()
    q.type("reboot\n")
    r.check("reboot: GRUB's banner again in the serial log",
            q.wait_serial(r"GNU GRUB", since=mark),
            f"resets {q.resets()}; serial ends: " + " | ".join(shell_lines(q)[-4:]))
    r.check("reboot: the kernel comes back to the prompt",
            q.wait_serial(re.escape(BANNER), since=mark)
            and q.wait_serial(re.escape(PROMPT), since=mark),
            "serial ends: " + " | ".join(shell_lines(q)[-4:]))
    r.check("reboot was a guest reset", "guest-reset" in q.resets(), f"resets {q.resets()}")
    q.type("poweroff\n")
    check_poweroff(r, q, "SeaBIOS, q35")


def scenario_screen_uefi(r, q, font):
    """OVMF's GOP framebuffer and no serial port at all."""
    screen = q.wait_screen(font, [BANNER, PROMPT], tag="boot")
    check_screen(r, font, screen, "OVMF GOP, -serial none", [BANNER, PROMPT])
    if not screen.find(font, PROMPT):
        r.check("the kernel drew on the GOP framebuffer", screen.find(font, BANNER),
                "nothing in the console font: did GRUB set a video mode? Under UEFI it "
                "needs a video driver loaded (grub.cfg: insmod all_video)")
        return
    q.type("echo kbd on uefi\n")
    # The typed line, then the command's output on a line of its own.
    printed = lambda s: any(l.rstrip() == "kbd on uefi" for l in s.text)
    screen = q.wait_screen(font, ["echo kbd on uefi"], tag="typed", until=printed)
    r.check("typed text is echoed and printed on the screen",
            screen.find(font, "echo kbd on uefi") and printed(screen),
            "the screen reads:\n" + screen.dump()[-800:])
    q.type("poweroff\n")
    check_poweroff(r, q, "OVMF, q35")


def scenario_textmode(r, q, font):
    """GRUB hands over EGA text mode: vgacon writes 0xb8000."""
    if not r.check("shell prompt on serial", q.wait_serial(re.escape(PROMPT)),
                   "serial ends: " + " | ".join(shell_lines(q)[-5:])):
        return
    r.check("vgacon registered on the EGA text tag",
            any(l.startswith("vgacon: 80x25") for l in shell_lines(q)),
            "no 'vgacon: 80x25' line; fbcon said: "
            + " | ".join(l for l in shell_lines(q) if "fbcon" in l))
    path = os.path.join(q.work, "vga.bin")
    q.execute("pmemsave", val=0xb8000, size=80 * 25 * 2, filename=path)
    text = vga_text(path)
    # 25 lines: the banner has scrolled away, the end of the boot is there.
    for t in ("vgacon: 80x25 VGA text mode", "Type 'help'", PROMPT):
        r.check(f"VGA text memory holds '{t.strip()}'", any(t in l for l in text),
                "text memory reads:\n" + "\n".join(l.rstrip() for l in text if l.strip()))
    q.write_serial("poweroff\r")
    check_poweroff(r, q, "SeaBIOS text mode, via serial")


def scenario_verdict(r, q, font):
    """test=all without a serial port: only isa-debug-exit speaks."""
    status = q.wait_exit(timeout=3 * STEP)
    r.check("test=all verdict through isa-debug-exit alone",
            status == runner.EXIT_PASS, f"exit status {status} (33 = all passed)")


def scenario_test_all(r, q, font, expect=()):
    """test=all with a serial log: exit status and KTAP must both pass."""
    status = q.wait_exit(timeout=3 * STEP)
    ktap = runner.parse_ktap(q.serial_text())
    r.check("test=all passes (exit status and KTAP)",
            status == runner.EXIT_PASS and ktap.ok,
            f"exit status {status}, {ktap.passed} passed, {ktap.failed} failed; "
            + "; ".join(ktap.errors[:3] + [ktap.crash]))
    lines = shell_lines(q)
    for what, pattern in expect:
        r.check(what, any(re.search(pattern, l) for l in lines), f"no line matching {pattern!r}")


def scenario_qemu64(r, q, font, extra=()):
    """No pdpe1gb, 4 CPUs (the others stay parked), memory hotplug slots."""
    scenario_test_all(r, q, font, expect=(
        ("CPU model printed", r"^CPU: QEMU Virtual CPU"),
        ("CPU features: no pdpe1gb on qemu64", r"^CPU: features used:.* !pdpe1gb"),
        ("direct map falls back to 2 MiB pages", r"direct map with 2 MiB pages"),
        ("1 GiB huge pages refused for want of pdpe1gb", r"1\.00 GiB .*pdpe1gb"),
        ("ACPI found", r"^ACPI: S5 SLP_TYPa"),
    ) + extra)


def scenario_qemu64_q35(r, q, font):
    """The same on OVMF, whose memory map is long and puts reserved and
    ACPI ranges between RAM ranges, and RAM above 4 GiB."""
    scenario_qemu64(r, q, font, extra=(
        ("RAM above 4 GiB in the Normal zone", r"Normal +\[mem 0x0000000100000000-"),
    ))


def scenario_no_i8042(r, q, font):
    """No PS/2 controller: detected, no hang, the shell comes up."""
    up = q.wait_serial(re.escape(PROMPT))
    r.check("no i8042: reported at boot", any(l.startswith("i8042: ") and "no PS/2" in l
                                             for l in shell_lines(q)),
            "i8042 lines: " + " | ".join(l for l in shell_lines(q) if "i8042" in l))
    if not r.check("no i8042: the shell comes up", up,
                   "serial ends: " + " | ".join(shell_lines(q)[-5:])):
        return
    q.write_serial("poweroff\r")
    check_poweroff(r, q, "no i8042, via serial")


@dataclass
class Scenario:
    name: str
    run: object                 # function(result, qemu, font)
    firmware: str = "bios"
    machine: str = "q35"
    cmdline: str = ""
    serial: bool = True
    debug_exit: bool = False
    cpu: str = ""               # "" = the runner's choice (-cpu max / host)
    memory: str = "512M"
    extra: str = ""
    iso: str = "make"           # make: `make iso`; textmode: our own grub.cfg
    reboot: bool = False        # False: -no-reboot
    weight: int = 10            # rough seconds under TCG: the long ones start first


HW_SUITES = "test=acpi,fbcon,ioremap,kbd"

SCENARIOS = [
    Scenario("screen-bios", scenario_screen_bios, reboot=True, weight=20),
    Scenario("screen-uefi", scenario_screen_uefi, firmware="uefi", serial=False, weight=15),
    Scenario("textmode", scenario_textmode, iso="textmode"),
    # The point is the verdict's path, not the suites: the ones of this
    # work (test=all runs in the qemu64 scenarios and in runner.py).
    Scenario("noserial-bios", scenario_verdict, machine="pc", cmdline=HW_SUITES,
             serial=False, debug_exit=True),
    Scenario("noserial-uefi", scenario_verdict, firmware="uefi", cmdline=HW_SUITES,
             serial=False, debug_exit=True),
    Scenario("qemu64-pc", scenario_qemu64, machine="pc", cmdline="test=all", debug_exit=True,
             cpu="qemu64", memory="3G,slots=2,maxmem=8G", extra="-smp 4", weight=60),
    Scenario("qemu64-q35", scenario_qemu64_q35, firmware="uefi", cmdline="test=all",
             debug_exit=True, cpu="qemu64", memory="3G,slots=2,maxmem=8G", extra="-smp 4",
             weight=70),
    Scenario("no-i8042-pc", scenario_no_i8042, machine="pc,i8042=off"),
    Scenario("no-i8042-q35", scenario_no_i8042, machine="q35,i8042=off"),
]


TEXTMODE_CFG = """\
serial --unit=0 --speed=115200 --word=8 --parity=no --stop=1
terminal_input serial console
terminal_output serial console
set timeout=0
menuentry "pagefold (VGA text mode)" {
	multiboot2 /boot/pagefold.elf
	set gfxpayload=text
	boot
}
"""


def textmode_iso():
    """An ISO whose GRUB leaves the screen in text mode, from the kernel
    `make iso` built. gfxpayload is set after `multiboot2`, which sets it
    from the kernel's framebuffer request."""
    runner.build_iso("")
    iso = runner.ISO_DIR / "hw-textmode.iso"
    with tempfile.TemporaryDirectory() as tree:
        os.makedirs(os.path.join(tree, "boot", "grub"))
        shutil.copyfile(BUILD / "pagefold.elf", os.path.join(tree, "boot", "pagefold.elf"))
        with open(os.path.join(tree, "boot", "grub", "grub.cfg"), "w") as f:
            f.write(TEXTMODE_CFG)
        proc = subprocess.run(["grub-mkrescue", "-o", str(iso), tree],
                              capture_output=True, text=True)
    if proc.returncode:
        raise runner.RunnerError("grub-mkrescue failed: " + proc.stderr[-500:])
    return iso


def qemu_args(s, iso):
    accel = runner.accel_args()
    if s.cpu:
        accel = accel[:2] + ["-cpu", s.cpu]
    args = (["-machine", s.machine] + accel + ["-m", s.memory]
            + ["-nodefaults", "-display", "none", "-vga", "std",
               "-serial", "stdio" if s.serial else "none"]
            + runner.firmware_args(s.firmware)
            + ["-cdrom", runner.drive_path(iso)])
    if s.debug_exit:
        args += ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    if not s.reboot:
        args += ["-no-reboot"]
    return args + shlex.split(s.extra)


def run_scenario(s, font, isos):
    r = Result(s.name)
    start = time.monotonic()
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = LOG_DIR / f"{s.name}.log"
    q = None
    try:
        iso = isos[s.iso if s.iso == "textmode" else s.cmdline]
        if isinstance(iso, Exception):
            raise iso
        with tempfile.TemporaryDirectory(prefix="pagefold-hw-") as work:
            q = Qemu(s.name, qemu_args(s, iso), log, work)
            try:
                s.run(r, q, font)
            finally:
                q.close()
    except (runner.RunnerError, RuntimeError, OSError, ValueError, queue.Empty) as e:
        r.check("the scenario ran", False, f"{type(e).__name__}: {e}")
    r.seconds = time.monotonic() - start
    return r


def report(r):
    lines = []
    for what, ok, detail in r.checks:
        lines.append(f"{'ok    ' if ok else 'FAILED'} {r.name}: {what}")
        lines.extend(f"       | {l}" for l in detail.splitlines())
    lines.append(f"       {r.name}: {r.seconds:.1f} s, log {runner.relative(LOG_DIR / (r.name + '.log'))}")
    runner.say("\n".join(lines))


def font_path():
    """The font the kernel was built with (the Makefile records FONT)."""
    stamp = BUILD / "font.stamp"
    if stamp.exists():
        return stamp.read_text().strip()
    return DEFAULT_FONT


def build_isos(scenarios):
    isos = {}
    for s in scenarios:
        key = "textmode" if s.iso == "textmode" else s.cmdline
        if key in isos:
            continue
        try:
            isos[key] = textmode_iso() if key == "textmode" else runner.build_iso(s.cmdline)
        except runner.RunnerError as e:
            isos[key] = e
    return isos


def main(argv=None):
    p = argparse.ArgumentParser(description="Screen, keyboard, ACPI and odd-machine "
                                            "tests of pagefold in QEMU.")
    p.add_argument("--only", action="append", metavar="NAME[,NAME]")
    p.add_argument("--list", action="store_true")
    p.add_argument("--jobs", "-j", type=int, default=min(2, os.cpu_count() or 1))
    p.add_argument("--qemu", default=runner.QEMU)
    args = p.parse_args(argv)
    scenarios = SCENARIOS
    only = runner.split_names(args.only)
    if only:
        unknown = set(only) - {s.name for s in SCENARIOS}
        if unknown:
            raise SystemExit(f"runner_hw: unknown scenario {', '.join(sorted(unknown))}")
        scenarios = [s for s in SCENARIOS if s.name in only]
    if args.list:
        for s in scenarios:
            print(f"{s.name:<14} {s.firmware:<5} {s.machine:<14} {s.cmdline or '(shell)':<9} "
                  f"{'serial' if s.serial else 'no serial':<10} -m {s.memory} {s.extra}")
        return 0
    runner.QEMU = args.qemu
    runner.check_qemu(runner.QEMU)
    try:
        runner.say(runner.accel_choice().line)
    except runner.AccelError as e:
        raise SystemExit(f"runner_hw: {e}")
    start = time.monotonic()
    isos = build_isos(scenarios)
    font = Font(font_path())
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {s.name: pool.submit(run_scenario, s, font, isos)
                   for s in sorted(scenarios, key=lambda s: -s.weight)}
        results = []
        for s in scenarios:
            results.append(futures[s.name].result())
            report(results[-1])
    passed = sum(ok for r in results for _, ok, _ in r.checks)
    failed = sum(not ok for r in results for _, ok, _ in r.checks)
    runner.say(f"runner_hw: {len(results)} scenarios in {time.monotonic() - start:.0f} s")
    runner.say(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
