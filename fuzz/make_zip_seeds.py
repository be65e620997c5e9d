#!/usr/bin/env python3
"""Writes the seed corpus of the skill_zip fuzz target: small valid and hostile packages.

Run from anywhere; it rewrites fuzz/corpus/skill_zip/*.zip. The outputs are committed, so
this only needs running again when a seed is added or changed.
"""
import io
import os
import stat
import struct
import zipfile

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "skill_zip")
SKILL_MD = b"---\nname: demo\ndescription: A demo skill\n---\n# Demo\n"
FIXED_TIME = (2025, 1, 1, 0, 0, 0)  # so the bytes do not change from run to run


def build(entries, method=zipfile.ZIP_DEFLATED):
    """entries: (name, data, unix mode or None)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.compress_type = method
            if mode is not None:
                info.create_system = 3  # unix
                info.external_attr = mode << 16
            z.writestr(info, data)
    return buf.getvalue()


def patch_sizes(data, size):
    """Sets every declared uncompressed size (local headers and central directory) to size."""
    out = bytearray(data)
    pos = 0
    while (pos := out.find(b"PK\x03\x04", pos)) >= 0:
        struct.pack_into("<I", out, pos + 22, size)
        pos += 4
    pos = 0
    while (pos := out.find(b"PK\x01\x02", pos)) >= 0:
        struct.pack_into("<I", out, pos + 24, size)
        pos += 4
    return bytes(out)


def main():
    os.makedirs(OUT, exist_ok=True)
    reg = stat.S_IFREG | 0o644
    valid = build([("demo/", b"", stat.S_IFDIR | 0o755), ("demo/SKILL.md", SKILL_MD, reg),
                   ("demo/scripts/run.py", b"print('hi')\n", reg),
                   ("other/SKILL.md", SKILL_MD.replace(b"demo", b"other"), reg)])
    seeds = {
        "valid": valid,
        "stored": build([("demo/SKILL.md", SKILL_MD, None)], zipfile.ZIP_STORED),
        "symlink": build([("demo/SKILL.md", SKILL_MD, reg),
                          ("demo/link", b"/etc/passwd", stat.S_IFLNK | 0o777)]),
        "fifo": build([("demo/pipe", b"", stat.S_IFIFO | 0o644)]),
        "dotdot": build([("demo/../../etc/passwd", b"x", reg)]),
        "absolute": build([("/demo/SKILL.md", SKILL_MD, reg)]),
        "backslash": build([("demo\\SKILL.md", SKILL_MD, reg)]),
        "bad_skill_name": build([("bad name!/SKILL.md", SKILL_MD, reg)]),
        "top_level_file": build([("SKILL.md", SKILL_MD, reg)]),
        "duplicate": build([("demo/a", b"1", reg), ("demo/a", b"2", reg)]),
        "declared_huge": patch_sizes(build([("demo/SKILL.md", SKILL_MD, reg)]), 0xFFFFFFF0),
        "declared_small": patch_sizes(build([("demo/SKILL.md", SKILL_MD, reg)]), 4),
        "bomb": build([("demo/zeros", b"\0" * (4 << 20), reg)]),
        "empty": build([]),
        "truncated": valid[: len(valid) // 2],
        "not_a_zip": b"this is not a zip file\n",
    }
    for name, data in seeds.items():
        with open(os.path.join(OUT, name + ".zip"), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
