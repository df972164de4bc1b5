# SPDX-License-Identifier: MIT
"""Reading text off the screen: the console font parsed from its PSF
file (not by the build's converter), screenshots cut into its cells, and
VGA text memory."""

import gzip
import struct
from dataclasses import dataclass


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
