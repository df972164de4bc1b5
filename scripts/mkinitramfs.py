#!/usr/bin/env python3
"""Write a newc cpio archive, Linux's initramfs format, for pagefold.

    mkinitramfs.py -o OUT [--extra DIR] PROGRAM...

Each PROGRAM becomes /bin/<its file name>; every file and directory under
DIR goes to the same path under / (DIR/x becomes /x). Paths in the archive
are relative ("bin/fork_cow"), as the kernel's unpacker expects. The output
depends only on the inputs' names, contents and permission bits: entries
are sorted, parents come before children, and times, owners and inode
numbers are fixed, so two builds give the same bytes.

Only regular files and directories are packed: pagefold's read-only
in-memory file system has nothing else, so anything else is an error.

Format (Documentation/driver-api/early-userspace/buffer-format.rst): each
entry is the magic "070701", thirteen 8-digit hex fields (ino, mode, uid,
gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor,
namesize with its NUL, check), the name and its NUL padded to a multiple
of 4, the data padded to a multiple of 4; "TRAILER!!!" ends the archive.
"""

import argparse
import os
import stat
import sys

MAGIC = b"070701"
TRAILER = "TRAILER!!!"
DIR_MODE = stat.S_IFDIR | 0o755
PROGRAM_MODE = stat.S_IFREG | 0o755


class ArchiveError(Exception):
    pass


def pad4(n):
    return (4 - n % 4) % 4


def entry(ino, mode, nlink, name, data=b""):
    """One newc entry: header, name, padding, data, padding."""
    encoded = name.encode() + b"\0"
    fields = (ino, mode, 0, 0, nlink, 0, len(data), 0, 0, 0, 0, len(encoded), 0)
    header = MAGIC + b"".join(b"%08x" % f for f in fields)
    out = header + encoded + b"\0" * pad4(len(header) + len(encoded))
    return out + data + b"\0" * pad4(len(data))


def parent_paths(path):
    parts = path.split("/")[:-1]
    return ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]


def add_parents(entries, path):
    """Every directory above path, so that an unpacker can create it."""
    for parent in parent_paths(path):
        entries.setdefault(parent, (DIR_MODE, None))


def collect_extra(entries, top):
    """Files and directories under top at the same relative paths."""
    if not os.path.isdir(top):
        raise ArchiveError(f"{top}: not a directory")
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, top).replace(os.sep, "/")
            st = os.lstat(full)
            if stat.S_ISDIR(st.st_mode):
                entries[rel] = (stat.S_IFDIR | stat.S_IMODE(st.st_mode), None)
            elif stat.S_ISREG(st.st_mode):
                entries[rel] = (stat.S_IFREG | stat.S_IMODE(st.st_mode), full)
            else:
                raise ArchiveError(f"{full}: not a regular file or directory "
                                   "(the initramfs holds only those)")


def collect_programs(entries, programs):
    for prog in programs:
        if not os.path.isfile(prog):
            raise ArchiveError(f"{prog}: no such program")
        rel = "bin/" + os.path.basename(prog)
        if rel in entries:
            raise ArchiveError(f"{rel}: given twice (a program and an extra "
                               "file, or two programs of one name)")
        entries[rel] = (PROGRAM_MODE, prog)


def build(programs, extra):
    entries = {}
    if extra:
        collect_extra(entries, extra)
    collect_programs(entries, programs)
    for path in list(entries):
        add_parents(entries, path)
    for path in entries:
        for parent in parent_paths(path):
            if not stat.S_ISDIR(entries[parent][0]):
                raise ArchiveError(f"{path}: its parent {parent} is a file")
    out = bytearray()
    for ino, path in enumerate(sorted(entries, key=lambda p: p.split("/")), 1):
        mode, source = entries[path]
        if stat.S_ISDIR(mode):
            out += entry(ino, mode, 2, path)
            continue
        with open(source, "rb") as f:
            out += entry(ino, mode, 1, path, f.read())
    out += entry(0, 0, 1, TRAILER)
    return bytes(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--extra", help="directory whose files go under /")
    ap.add_argument("programs", nargs="*", help="files that go to /bin")
    args = ap.parse_args()
    try:
        data = build(args.programs, args.extra)
    except (ArchiveError, OSError) as e:
        print(f"mkinitramfs: {e}", file=sys.stderr)
        return 1
    tmp = args.output + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
