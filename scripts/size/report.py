#!/usr/bin/env python3
"""Tables for docs/size.md from what scripts/size.sh compiled.

Usage: report.py OUTDIR TARGET...   (OUTDIR/TARGET/CONFIG/*.o, *.su, *.ci, app.map)

Sizes are Berkeley-style (text = code + read-only data). Stack: each
function's own frame from -fstack-usage, and the deepest path through the
call graph of -fcallgraph-info, with the core's few indirect calls (the
session's event hook into the client, the client's hooks into the device)
resolved by the table INDIRECT below. Frames of the crypto backend, the C
library and the port (transport, clock) are not included.
"""
import os
import re
import subprocess
import sys

MODULES = ["frame", "json", "session", "client", "device", "handshake", "status", "discovery"]
CONFIGS = [
    ("full", "3.1-3.5"),
    ("no31", "LTUYA_WITH_V31=0"),
    ("no35", "LTUYA_WITH_V35=0"),
    ("v33only", "3.2/3.3 only (V31=V34=V35=0)"),
    ("v33min", "3.2/3.3 only, LTUYA_WITH_STATUS_TEXT=0"),
]
TOOLS = {"cm4": "arm-none-eabi", "esp8266": "xtensa-lx106-elf", "rv32imc": "riscv64-unknown-elf"}
NAMES = {
    "cm4": "Cortex-M4 (arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os)",
    "esp8266": "ESP8266 (xtensa-lx106-elf-gcc -mlongcalls -Os)",
    "rv32imc": "RISC-V rv32imc, ESP32-C3 class (riscv64-unknown-elf-gcc -march=rv32imc -mabi=ilp32 -Os)",
}
CONTEXTS = [
    ("device_t", "ltuya_device_t (device.h: client + DP cache)"),
    ("client_t", "ltuya_client_t (client.h: session + copies of host/ids)"),
    ("session_t", "ltuya_session_t (session.h)"),
    ("reasm_t", "ltuya_reasm_t (frame.h, inside the session)"),
    ("cache_entry_t", "ltuya_cache_entry_t (one cached DP)"),
    ("client_opts_t", "ltuya_client_opts_t (kept in the client)"),
    ("session_opts_t", "ltuya_session_opts_t (kept in the session)"),
    ("dps_t", "ltuya_dps_t (a parsed status; on the stack while parsing)"),
    ("dp_t", "ltuya_dp_t"),
    ("frame_t", "ltuya_frame_t (a decoded frame, on the stack)"),
    ("beacon_t", "ltuya_beacon_t (discovery.h)"),
]
# caller -> functions its indirect calls reach when the device API drives the core
INDIRECT = {
    "session.c:emit": ["client.c:on_event"],
    "session.c:wall": ["client.c:wall"],
    "session.c:send_frame": ["client.c:on_frame"],
    "session.c:ltuya_session_input": ["client.c:on_frame"],
    "client.c:on_event": ["device.c:on_push", "device.c:on_done"],
    "device.c:scaled": ["device.c:dps_int", "device.c:cache_int"],
    "device.c:guess_map": ["device.c:dps_int", "device.c:cache_int"],
}


def tool(target, name):
    return TOOLS[target] + "-" + name


def berkeley(target, paths):
    outp = subprocess.run([tool(target, "size")] + paths, check=True, capture_output=True, text=True)
    rows = {}
    for line in outp.stdout.splitlines()[1:]:
        f = line.split()
        rows[os.path.basename(f[5])[:-2]] = (int(f[0]), int(f[1]), int(f[2]))
    return rows


def table(head, rows):
    w = [max(len(str(r[i])) for r in [head] + rows) for i in range(len(head))]
    fmt = lambda r: "| " + " | ".join(str(c).ljust(w[i]) if i == 0 else str(c).rjust(w[i])
                                      for i, c in enumerate(r)) + " |"
    lines = [fmt(head), "|" + "|".join("-" * (x + 2) if i == 0 else "-" * (x + 1) + ":"
                                        for i, x in enumerate(w)) + "|"]
    return "\n".join(lines + [fmt(r) for r in rows])


def map_contrib(path):
    """text/data/bss the core objects contribute to a linked image (from the
    ld map), by the output section each input section went to."""
    totals = {}
    in_map = False
    pending = None
    out_kind = None
    with open(path) as f:
        for line in f:
            if line.startswith("Linker script and memory map"):
                in_map = True
                continue
            if not in_map:
                continue
            m = re.match(r"^(\.\S+)", line)
            if m:  # an output section
                o = m.group(1)
                out_kind = ("bss" if o in (".bss", ".sbss") else
                            "data" if o in (".data", ".sdata") else
                            "text" if o in (".text", ".rodata", ".srodata", ".literal") else None)
                pending = None
                continue
            m = re.match(r"^ (\.\S+)\s*$", line)
            if m:
                pending = m.group(1)
                continue
            m = re.match(r"^ (\.\S+|COMMON)?\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S+\.o)\s*$", line)
            sec = (m.group(1) or pending) if m else None
            pending = None
            if not m or sec is None or out_kind is None:
                continue
            obj = os.path.basename(m.group(3))[:-2]
            t = totals.setdefault(obj, {"text": 0, "data": 0, "bss": 0})
            t[out_kind] += int(m.group(2), 16)
    return totals


def sizeofs(target, obj):
    outp = subprocess.run([tool(target, "nm"), "-S", "-t", "d", obj], check=True,
                          capture_output=True, text=True)
    res = {}
    for line in outp.stdout.splitlines():
        f = line.split()
        if len(f) == 4 and f[3].startswith("ltuya_sizeof_"):
            res[f[3][len("ltuya_sizeof_"):]] = int(f[1])
    return res


def stack_usage(d):
    rows = []
    for m in MODULES + ["crypto_common"]:
        p = os.path.join(d, m + ".su")
        for line in open(p):
            loc, n, kind = line.rstrip("\n").split("\t")
            fn = loc.split(":")[-1]
            rows.append((int(n), m + ".c:" + fn, kind))
    rows.sort(reverse=True)
    return rows


def callgraph(d):
    """own: 'file.c:func' -> own frame; graph: 'file.c:func' -> set of callees.

    GCC names static functions 'src/x.c:f' and exported ones plain 'f'
    (their file is in the label); calls to undefined names (C library,
    crypto backend) are leaves and left out."""
    own, raw_edges, by_name = {}, [], {}

    def norm(title):
        return os.path.basename(title.split(":")[0]) + ":" + title.split(":")[-1]

    for m in MODULES + ["crypto_common"]:
        for line in open(os.path.join(d, m + ".ci")):
            nm = re.match(r'node: \{ title: "([^"]+)" label: "[^"]*?\\n([^"\\]+):\d+:\d+\\n(\d+) bytes', line)
            if nm:
                title, n = nm.group(1), int(nm.group(3))
                if ":" in title:
                    key = norm(title)
                else:
                    key = m + ".c:" + title
                    by_name[title] = key
                own[key] = max(own.get(key, 0), n)
                continue
            em = re.match(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"', line)
            if em:
                raw_edges.append((m, em.group(1), em.group(2)))

    def resolve(m, title):
        if ":" in title:
            return norm(title)
        return by_name.get(title)

    graph = {}
    for m, src, tgt in raw_edges:
        s = resolve(m, src) or (m + ".c:" + src)
        if tgt == "__indirect_call":
            graph.setdefault(s, set()).update(INDIRECT.get(s, []))
            continue
        t = resolve(m, tgt)
        if t:
            graph.setdefault(s, set()).add(t)
    return own, graph


def deepest(own, graph, root):
    memo, onpath = {}, set()

    def walk(k):
        if k in memo:
            return memo[k]
        if k in onpath:  # recursion (ltuya_client_call retrying one DP at a time: depth 1)
            return (0, [])
        onpath.add(k)
        best = (0, [])
        for c in graph.get(k, ()):
            r = walk(c)
            if r[0] > best[0]:
                best = r
        onpath.discard(k)
        memo[k] = (own.get(k, 0) + best[0], [k] + best[1])
        return memo[k]

    return walk(root)


def main():
    out, targets = sys.argv[1], sys.argv[2:]
    print("## Code size per module (full build: 3.1-3.5), bytes\n")
    print("Object files before linking: every function, used or not. `crypto_common` is")
    print("src/crypto/common.c (CRC-32 table, base64, PKCS#7), counted apart from the core.\n")
    per = {t: berkeley(t, [os.path.join(out, t, "full", m + ".o") for m in MODULES + ["crypto_common"]])
           for t in targets}
    head = ["module"] + [f"{t} {k}" for t in targets for k in ("text", "data", "bss")]
    rows = []
    for m in MODULES + ["crypto_common"]:
        rows.append([m] + [v for t in targets for v in per[t][m]])
    rows.append(["**core total** (without crypto_common)"] +
                [sum(per[t][m][i] for m in MODULES) for t in targets for i in range(3)])
    print(table(head, rows))

    print("\n## Core .text by protocol versions compiled in, bytes\n")
    print("Objects: all modules without crypto_common. Linked: what a program using the")
    print("whole device API (scripts/size/app.c) gets from the core modules with")
    print("--gc-sections (discovery, the JSON iterator and the command names drop out);")
    print("+ common adds src/crypto/common.c. Crypto backend and C library not counted.\n")
    head = ["target", "build", "objects", "linked core", "linked core + common"]
    rows = []
    for t in targets:
        for c, desc in CONFIGS:
            objs = berkeley(t, [os.path.join(out, t, c, m + ".o") for m in MODULES])
            contrib = map_contrib(os.path.join(out, t, c, "app.map"))
            core = sum(v["text"] for k, v in contrib.items() if k in MODULES)
            common = contrib.get("crypto_common", {}).get("text", 0)
            rows.append([t, f"{c}: {desc}", sum(objs[m][0] for m in MODULES), core, core + common])
    print(table(head, rows))

    print("\n## Linked per module (full build, device API program), .text bytes\n")
    head = ["module"] + list(targets)
    contribs = {t: map_contrib(os.path.join(out, t, "full", "app.map")) for t in targets}
    rows = [[m] + [contribs[t].get(m, {}).get("text", 0) for t in targets]
            for m in MODULES + ["crypto_common"]]
    print(table(head, rows))

    print("\n## sizeof of the contexts, bytes (default config.h)\n")
    sz = {t: sizeofs(t, os.path.join(out, t, "full", "sizes.o")) for t in targets}
    head = ["type"] + list(targets)
    print(table(head, [[desc] + [sz[t].get(k, "?") for t in targets] for k, desc in CONTEXTS]))

    print("\n## Stack\n")
    print("Own frame per function (-fstack-usage), the ten largest, full build:\n")
    su = {t: stack_usage(os.path.join(out, t, "full")) for t in targets}
    head = ["#"] + [f"{t} function" for t in targets] + [f"{t} bytes" for t in targets]
    rows = []
    for i in range(10):
        rows.append([i + 1] + [su[t][i][1] for t in targets] + [su[t][i][0] for t in targets])
    print(table(head, rows))
    dyn = sorted({f for t in targets for n, f, k in su[t] if k != "static"})
    print("\nFunctions with a dynamic frame: " + (", ".join(dyn) if dyn else "none") + ".")

    print("\nDeepest call path from each public entry point (sum of frames; crypto")
    print("backend, C library and port callbacks excluded):\n")
    roots = ["device.c:ltuya_device_energy", "device.c:ltuya_device_toggle", "device.c:ltuya_device_run",
             "device.c:ltuya_device_refresh", "client.c:ltuya_client_call", "session.c:ltuya_session_input",
             "discovery.c:ltuya_discovery_parse", "frame.c:ltuya_frame_decode", "json.c:ltuya_json_parse_dps"]
    graphs = {t: callgraph(os.path.join(out, t, "full")) for t in targets}
    head = ["entry point"] + list(targets)
    rows = [[r] + [deepest(*graphs[t], r)[0] for t in targets] for r in roots]
    print(table(head, rows))
    for t in targets[:1]:
        total, path = deepest(*graphs[t], roots[0])
        print(f"\nThe deepest path on {t} ({total} bytes):\n")
        print("    " + "\n    -> ".join(f"{k} ({graphs[t][0].get(k, 0)})" for k in path))


if __name__ == "__main__":
    main()
