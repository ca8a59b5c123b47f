#!/usr/bin/env python3
"""Maintainer tool: turn the shared vectors.json into tests/vectors/vectors.data.

Run once when the vectors change (not at build or test time):
    python3 tools/vectors2data.py ../shared/vectors/vectors.json tests/vectors/vectors.data

Each output line is one vector as space-separated key=value fields, normalised
for the C test: the payload is what remains after removing any return code and
15-byte version header, keys are 32 hex digits of the raw 16 key bytes.
"""
import json
import re
import sys

UDP_KEY = "6c1ec8e2bb9bb59ab50b0daf649b410a"
HEX32 = re.compile(r"^[0-9a-fA-F]{32}$")


def key_hex(e):
    k = e["key"]
    f = e["expected_plaintext_or_fields"]
    if "udpkey" in k:
        return UDP_KEY
    if k.startswith("session:"):
        s = k[len("session:"):]
        return s.lower() if HEX32.match(s) else s.encode("latin1").hex()
    if "real_local_key" in f and not k.startswith("none"):
        return f["real_local_key"].encode("latin1").hex()
    first = k.split(" ")[0]
    if len(first) == 16:
        return first.encode("latin1").hex()
    return "none"


def direction(d):
    if d.startswith("device"):
        return "device"
    if d.startswith("client"):
        return "client"
    return "none"


def payload_of(e):
    """Expected payload bytes with retcode and version header removed."""
    f = e["expected_plaintext_or_fields"]
    raw = None
    if "plaintext_hex" in f:
        raw = bytes.fromhex(f["plaintext_hex"])
    elif "plaintext_with_header" in f:
        raw = f["plaintext_with_header"].encode("latin1")
    elif "plaintext" in f:
        p = f["plaintext"]
        # some generated vectors give binary plaintexts as hex
        if p and re.fullmatch(r"[0-9a-f]+", p) and len(p) % 2 == 0 and not p.startswith("{"):
            raw = bytes.fromhex(p)
        else:
            raw = p.encode("latin1")
    elif "payload" in f:
        raw = f["payload"].encode("latin1")
    if raw is None:
        return None, None
    header = 0
    if (e["version"] == "3.5" and direction(e["direction"]) == "device" and len(raw) >= 4
            and raw[:1] != b"{"):
        raw = raw[4:]
    if len(raw) >= 15 and raw[0:1] == b"3" and raw[1:2] == b"." and (len(raw) == 15 or raw[15:16] == b"{"):
        raw = raw[15:]
        header = 1
    return raw, header


def main(src, dst):
    out = []
    for e in json.load(open(src)):
        f = e["expected_plaintext_or_fields"]
        fields = [("id", e["id"])]
        v = e["version"]
        fields.append(("ver", v.replace(".", "") if len(v) == 3 else "none"))
        fields.append(("dir", direction(e["direction"])))
        fields.append(("verified", "1" if e["verified"] else "0"))
        fields.append(("key", key_hex(e)))
        is_frame = e["hex"].startswith("000055aa") or e["hex"].startswith("00006699")
        if is_frame:
            fields.append(("frame", e["hex"]))
            payload, header = payload_of(e)
            minimal = {"3.4": 56, "3.5": 54}.get(e["version"], 28)
            if payload == b"" and len(e["hex"]) // 2 > minimal:
                payload = None  # an empty "plaintext" here means "not given"
            if payload is not None and e["verified"]:
                fields.append(("payload", payload.hex() or "-"))
                if e["version"] in ("3.2", "3.3"):
                    # on 3.2/3.3 the header sits in clear before the ciphertext
                    raw = bytes.fromhex(e["hex"])
                    off = 16 + (4 if direction(e["direction"]) == "device" else 0)
                    header = 1 if raw[off:off + 2] == b"3." else 0
                    fields.append(("header", str(header)))
                elif e["id"].startswith("gen"):
                    # the generated vectors' plaintext leaves the inner header
                    # out; their notes spell it ("3.4"+12x00, "3.5"|crc ...)
                    notes = e["notes"]
                    inner = any(m in notes for m in ('"3.4"+', '"3.5"+', '"3.4"|', '"3.5"|'))
                    fields.append(("header", "1" if inner or header else "0"))
                elif "plaintext_with_header" in f or "plaintext_hex" in f:
                    fields.append(("header", str(header)))
        for k in ("seq", "cmd", "retcode"):
            if k in f and f[k] is not None and str(f[k]) != "None":
                fields.append((k, str(f[k])))
        if "iv_hex" in f:
            fields.append(("nonce", f["iv_hex"]))
        for a, b in (("client_nonce", "lc"), ("device_nonce", "ld")):
            if a in f:
                fields.append((b, f[a].encode("latin1").hex()))
        for a, b in (("session_key_3.4", "sk34"), ("session_key_3.5", "sk35"),
                     ("derived_session_key_3.4", "sk34")):
            if a in f:
                fields.append((b, f[a]))
        if e["id"] in ("gen34-session-key", "gen35-session-key"):
            fields.append(("sk" + e["version"].replace(".", ""), e["hex"]))
        out.append(" ".join("%s=%s" % kv for kv in fields))
    with open(dst, "w") as fh:
        fh.write("# Generated by tools/vectors2data.py from vectors.json; one vector per line.\n")
        fh.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
