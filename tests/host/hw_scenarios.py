# SPDX-License-Identifier: MIT
"""The scenarios of runner_hw.py: what a real PC does to the kernel
(screen, keyboard, ACPI power, awkward machines), one QEMU each."""

import os
import queue
import re
import shlex
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass

from accel import accel_args
import common
from common import ISO_DIR, KERNEL_DIRS, RunnerError, relative, say
from iso import build_iso
from ktap import parse_ktap
from qemu import EXIT_PASS, drive_path, firmware_args
from qmp import STEP, Qemu
from screen import vga_text

LOG_DIR = common.LOG_DIR / "hw"
DEFAULT_FONT = "/usr/share/consolefonts/Uni2-Terminus16.psf.gz"
BANNER = "pagefold version"
PROMPT = "pagefold# "


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
            status == EXIT_PASS, f"exit status {status} (33 = all passed)")


def scenario_test_all(r, q, font, expect=()):
    """test=all with a serial log: exit status and KTAP must both pass.
    At -smp 4 it takes about 110 s alone under TCG and twice that with
    the other qemu64 scenario beside it on two host cores: 6 steps."""
    status = q.wait_exit(timeout=6 * STEP)
    ktap = parse_ktap(q.serial_text())
    r.check("test=all passes (exit status and KTAP)",
            status == EXIT_PASS and ktap.ok,
            f"exit status {status}, {ktap.passed} passed, {ktap.failed} failed; "
            + "; ".join(ktap.errors[:3] + [ktap.crash]))
    lines = shell_lines(q)
    for what, pattern in expect:
        r.check(what, any(re.search(pattern, l) for l in lines), f"no line matching {pattern!r}")


def scenario_qemu64(r, q, font, extra=()):
    """No pdpe1gb, 4 CPUs all brought up and scheduling, memory hotplug
    slots. test=all runs the SMP suites here too: each must have run
    and passed, not been skipped or left out."""
    scenario_test_all(r, q, font, expect=(
        ("4 CPUs brought up", r"^smp: Brought up 1 node, 4 CPUs"),
        ("the smp suite passed on 4 CPUs", r"^ok \d+ smp$"),
        ("the sched suite passed on 4 CPUs", r"^ok \d+ sched$"),
        ("lockdep found nothing in the run", r"^ok \d+ lockdep_clean$"),
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
    build_iso("")
    iso = ISO_DIR / "hw-textmode.iso"
    with tempfile.TemporaryDirectory() as tree:
        os.makedirs(os.path.join(tree, "boot", "grub"))
        shutil.copyfile(KERNEL_DIRS["1"] / "pagefold.elf", os.path.join(tree, "boot", "pagefold.elf"))
        with open(os.path.join(tree, "boot", "grub", "grub.cfg"), "w") as f:
            f.write(TEXTMODE_CFG)
        proc = subprocess.run(["grub-mkrescue", "-o", str(iso), tree],
                              capture_output=True, text=True)
    if proc.returncode:
        raise RunnerError("grub-mkrescue failed: " + proc.stderr[-500:])
    return iso


def qemu_args(s, iso):
    accel = accel_args()
    if s.cpu:
        accel = accel[:2] + ["-cpu", s.cpu]
    args = (["-machine", s.machine] + accel + ["-m", s.memory]
            + ["-nodefaults", "-display", "none", "-vga", "std",
               "-serial", "stdio" if s.serial else "none"]
            + firmware_args(s.firmware)
            + ["-cdrom", drive_path(iso)])
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
    except (RunnerError, RuntimeError, OSError, ValueError, queue.Empty) as e:
        r.check("the scenario ran", False, f"{type(e).__name__}: {e}")
    r.seconds = time.monotonic() - start
    return r


def report(r):
    lines = []
    for what, ok, detail in r.checks:
        lines.append(f"{'ok    ' if ok else 'FAILED'} {r.name}: {what}")
        lines.extend(f"       | {l}" for l in detail.splitlines())
    lines.append(f"       {r.name}: {r.seconds:.1f} s, log {relative(LOG_DIR / (r.name + '.log'))}")
    say("\n".join(lines))


def font_path():
    """The font the kernel was built with (the Makefile records FONT)."""
    stamp = KERNEL_DIRS["1"] / "font.stamp"
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
            isos[key] = textmode_iso() if key == "textmode" else build_iso(s.cmdline)
        except RunnerError as e:
            isos[key] = e
    return isos
