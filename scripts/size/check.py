#!/usr/bin/env python3
"""The size check of `make test`: the linked core, the device context and
libgcc's 64-bit division against scripts/size/budget.txt.

Usage: check.py BUDGET MAP SIZES_OBJ NM   (from scripts/size.sh --check)
Prints one line per budget and exits 1 if any is exceeded."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from report import MODULES, map_contrib  # noqa: E402

DIV64 = re.compile(r"libgcc\.a\((_aeabi_u?ldivmod|_u?divmoddi4|_u?divdi3|_u?moddi3)\.o\)")


def libgcc(map_path):
    """Bytes of .text each libgcc member contributes to the image."""
    text, sizes, in_map, out_text = {}, {}, False, False
    for line in open(map_path):
        if line.startswith("Linker script and memory map"):
            in_map = True
            continue
        if not in_map:
            continue
        m = re.match(r"^(\.\S+)", line)
        if m:
            out_text = m.group(1) == ".text"
            continue
        m = re.match(r"^ \.text\S*\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+\S*libgcc\.a\((\S+)\.o\)", line)
        if m and out_text:
            text[m.group(2)] = text.get(m.group(2), 0) + int(m.group(1), 16)
            sizes[m.group(2)] = line
    return text


def main():
    budget_path, map_path, sizes_obj, nm = sys.argv[1:5]
    budget = {}
    for line in open(budget_path):
        line = line.split("#")[0].split()
        if len(line) == 2:
            budget[line[0]] = int(line[1])
    core = sum(v["text"] for k, v in map_contrib(map_path).items() if k in MODULES)
    gcc = libgcc(map_path)
    div64 = sum(v for k, v in gcc.items() if DIV64.search("libgcc.a(%s.o)" % k))
    out = subprocess.run([nm, "-S", "-t", "d", sizes_obj], check=True, capture_output=True,
                         text=True).stdout
    dev = [int(f[1]) for f in (ln.split() for ln in out.splitlines())
           if len(f) == 4 and f[3] == "ltuya_sizeof_device_t"]
    got = {"core_text": core + sum(gcc.values()), "device_t": dev[0] if dev else 1 << 30,
           "libgcc_div64": div64}
    bad = 0
    for k in ("core_text", "device_t", "libgcc_div64"):
        ok = got[k] <= budget[k]
        bad += not ok
        print("size %-12s %6d B (budget %d)%s" % (k, got[k], budget[k], "" if ok else "  EXCEEDED"))
    if gcc:
        print("  libgcc helpers linked: " + ", ".join("%s %d" % kv for kv in sorted(gcc.items())))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
