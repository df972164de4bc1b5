#!/usr/bin/env python3
"""Checks scripts/mkinitramfs.py against the newc format two ways: a reader
written from the format description (buffer-format.rst), and GNU cpio
(`cpio -t` lists, `cpio -i` unpacks). Ends with `N passed, N failed`."""

import os
import shutil
import stat
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MKINITRAMFS = os.path.join(ROOT, "scripts", "mkinitramfs.py")
FIELDS = ("ino", "mode", "uid", "gid", "nlink", "mtime", "filesize",
          "devmajor", "devminor", "rdevmajor", "rdevminor", "namesize", "check")


def parse_newc(data):
    """[(name, fields, data)] up to and without the trailer; raises
    ValueError on anything the format does not allow."""
    out, pos = [], 0
    while True:
        if data[pos:pos + 6] != b"070701":
            raise ValueError(f"offset {pos}: bad magic {data[pos:pos + 6]!r}")
        hdr = data[pos + 6:pos + 110]
        f = dict(zip(FIELDS, (int(hdr[i:i + 8], 16) for i in range(0, 104, 8))))
        name_end = pos + 110 + f["namesize"]
        if data[name_end - 1] != 0:
            raise ValueError(f"offset {pos}: name not NUL-terminated")
        name = data[pos + 110:name_end - 1].decode()
        start = (name_end + 3) & ~3
        if any(data[name_end:start]):
            raise ValueError(f"{name}: non-zero name padding")
        end = start + f["filesize"]
        body = data[start:end]
        pos = (end + 3) & ~3
        if name == "TRAILER!!!":
            if pos != len(data):
                raise ValueError("bytes after the trailer")
            return out
        out.append((name, f, body))


class Case:
    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="mkinitramfs-test.")
        self.progs = []
        for name, text in (("hello", b"\x7fELF hello"), ("fork_cow", b"\x7fELF cow\0\1")):
            path = os.path.join(self.tmp, name)
            with open(path, "wb") as f:
                f.write(text)
            self.progs.append(path)
        self.extra = os.path.join(self.tmp, "extra")
        os.makedirs(os.path.join(self.extra, "etc", "deep", "er"))
        os.makedirs(os.path.join(self.extra, "bin"))
        self.write("etc/motd", b"welcome\n", 0o644)
        self.write("etc/deep/er/three", b"123", 0o600)
        self.write("etc/empty", b"", 0o644)
        self.write("bin/mine", b"\x7fELF mine" * 1000, 0o755)

    def write(self, rel, data, mode):
        path = os.path.join(self.extra, rel)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, mode)

    def run(self, out, *extra_args):
        return subprocess.run([sys.executable, MKINITRAMFS, "-o", out, *extra_args,
                               *self.progs], capture_output=True, text=True)

    def build(self, name="a.cpio"):
        out = os.path.join(self.tmp, name)
        r = self.run(out, "--extra", self.extra)
        if r.returncode:
            raise AssertionError(f"mkinitramfs failed: {r.stderr.strip()}")
        with open(out, "rb") as f:
            return out, f.read()


EXPECTED = {
    "bin": (stat.S_IFDIR, None),
    "bin/fork_cow": (stat.S_IFREG | 0o755, b"\x7fELF cow\0\1"),
    "bin/hello": (stat.S_IFREG | 0o755, b"\x7fELF hello"),
    "bin/mine": (stat.S_IFREG | 0o755, b"\x7fELF mine" * 1000),
    "etc": (stat.S_IFDIR, None),
    "etc/deep": (stat.S_IFDIR, None),
    "etc/deep/er": (stat.S_IFDIR, None),
    "etc/deep/er/three": (stat.S_IFREG | 0o600, b"123"),
    "etc/empty": (stat.S_IFREG | 0o644, b""),
    "etc/motd": (stat.S_IFREG | 0o644, b"welcome\n"),
}


def test_format(case):
    _, data = case.build()
    entries = parse_newc(data)
    names = [e[0] for e in entries]
    assert sorted(names) == sorted(EXPECTED), f"names {names}"
    for i, (name, f, body) in enumerate(entries):
        mode, content = EXPECTED[name]
        if content is None:
            assert stat.S_ISDIR(f["mode"]) and f["filesize"] == 0, name
        else:
            assert f["mode"] == mode, f"{name}: mode {f['mode']:o}"
            assert body == content, f"{name}: content differs"
        assert not name.startswith("/"), f"{name}: absolute"
        parents = ["/".join(name.split("/")[:k]) for k in range(1, name.count("/") + 1)]
        assert all(p in names[:i] for p in parents), f"{name} before its parent"
        assert f["uid"] == f["gid"] == f["mtime"] == 0, f"{name}: owner or time"
        assert not any(f[k] for k in FIELDS[7:11]), f"{name}: device numbers"
        assert f["check"] == 0, f"{name}: check field"
        assert f["nlink"] == (2 if content is None else 1), f"{name}: nlink"


def test_reproducible(case):
    _, a = case.build("a.cpio")
    os.utime(os.path.join(case.extra, "etc", "motd"), (1, 1))
    _, b = case.build("b.cpio")
    assert a == b, "two builds differ"


def test_gnu_cpio_lists_and_unpacks(case):
    if not shutil.which("cpio"):
        raise AssertionError("cpio is not installed (run: make deps)")
    out, _ = case.build()
    with open(out, "rb") as f:
        listed = subprocess.run(["cpio", "-t", "--quiet"], stdin=f,
                                capture_output=True, text=True, check=True)
    assert sorted(listed.stdout.split()) == sorted(EXPECTED), listed.stdout
    dest = os.path.join(case.tmp, "unpacked")
    os.mkdir(dest)
    with open(out, "rb") as f:
        subprocess.run(["cpio", "-i", "-d", "--quiet", "--no-absolute-filenames"],
                       stdin=f, cwd=dest, check=True)
    for name, (mode, content) in EXPECTED.items():
        st = os.lstat(os.path.join(dest, name))
        if content is None:
            assert stat.S_ISDIR(st.st_mode), f"{name}: not unpacked as a directory"
            continue
        assert stat.S_IMODE(st.st_mode) == stat.S_IMODE(mode), f"{name}: mode"
        with open(os.path.join(dest, name), "rb") as f:
            assert f.read() == content, f"{name}: unpacked content differs"


def expect_error(case, args, words):
    out = os.path.join(case.tmp, "bad.cpio")
    r = case.run(out, *args)
    assert r.returncode != 0, f"{args}: accepted"
    line = r.stderr.strip()
    assert "\n" not in line and words in line, f"{args}: error {line!r}"
    assert not os.path.exists(out), f"{args}: left an archive behind"


def test_errors(case):
    os.symlink("motd", os.path.join(case.extra, "etc", "link"))
    expect_error(case, ["--extra", case.extra], "etc/link: not a regular file")
    os.unlink(os.path.join(case.extra, "etc", "link"))
    case.write("bin/hello", b"clash", 0o755)
    expect_error(case, ["--extra", case.extra], "bin/hello: given twice")
    expect_error(case, ["--extra", os.path.join(case.tmp, "nowhere")],
                 "nowhere: not a directory")
    case.progs.append(os.path.join(case.tmp, "missing"))
    expect_error(case, [], "missing: no such program")


def main():
    passed = failed = 0
    for name, fn in list(globals().items()):
        if not name.startswith("test_"):
            continue
        case = Case()
        try:
            fn(case)
            print(f"ok {name}")
            passed += 1
        except (AssertionError, ValueError, subprocess.CalledProcessError) as e:
            print(f"not ok {name}: {e}")
            failed += 1
        finally:
            shutil.rmtree(case.tmp)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
