#!/usr/bin/env python3
"""Maintainer tool: turn the shared vectors.json into tests/vectors/vectors.data.

Run once when the vectors change (not at build or test time):
    python3 tools/vectors2data.py ../shared/vectors/vectors.json tests/vectors/vectors.data

It also copies vectors.json beside the data file for reference, so the
project never needs ../shared to build or test.

Each output line is one vector as space-separated key=value fields, normalised
for the C test (tests/unit/test_vectors.c):

  id        the vector's id
  ver       31..35, or none (key-derivation entries for both 3.4 and 3.5)
  dir       device | client | any | none
  verified  1 / 0 (0: a capture whose key was never published; CRC only)
  key       32 hex digits of the 16 raw key bytes, or none
  frame     the whole frame, hex
  body      3.1 vectors that are only a payload field ("3.1"+sig+base64), hex
  sig       with body: 1 if the MD5 signature in it is right, 0 if not
  payload   expected payload after removing any retcode and 15-byte version
            header, hex ("-" for an empty one); absent when not known
  header    1 / 0: the plaintext (or the clear 3.2/3.3 payload) carries a
            version header; absent when not known
  seq cmd retcode   decimal; retcode only for frames that carry one
  nonce     the 12-byte GCM IV of a 3.5 frame, hex, when the vector states it
  lc ld sk34 sk35   handshake nonces and derived session keys, hex
"""
import hashlib
import json
import os
import re
import shutil
import sys

UDP_KEY = hashlib.md5(b"yGAdlopoPVldABfn").hexdigest()
HEX32 = re.compile(r"^[0-9a-fA-F]{32}$")


def key_hex(e):
    """The 16 raw key bytes, as hex. Keys of 16 characters are ASCII (local
    keys such as "JvEuI)cyLCdpGFf:", "session:fedcba9876543210"); a
    "session:" key of 32 hex digits and the UDP key are raw bytes."""
    k = e["key"]
    f = e["expected_plaintext_or_fields"]
    if "udpkey" in k:
        m = re.search(r"[0-9a-f]{32}", k)
        assert m is None or m.group(0) == UDP_KEY, e["id"]
        return UDP_KEY
    if k.startswith("session:"):
        s = k[len("session:"):]
        if HEX32.match(s):
            return s.lower()
        assert len(s) == 16, e["id"]
        return s.encode("latin1").hex()
    first = k.split(" ")[0]
    if len(first) == 16:
        return first.encode("latin1").hex()
    # "none (plaintext)", "n/a (no payload)", "unpublished"
    return "none"


def direction(d):
    if d.startswith("device"):
        return "device"
    if d.startswith("client"):
        return "client"
    if d.startswith("n/a"):
        return "none"
    return "any"


def u32(b, off):
    return int.from_bytes(b[off:off + 4], "big")


def looks_like_header(raw):
    return len(raw) >= 15 and raw[0:2] == b"3." and raw[2:3].isdigit()


def full_plaintext(e):
    """The plaintext the vector gives, as bytes, or None. For the generated
    (gen*) vectors it leaves out the inner version header; the others give
    it whole (retcode and header included where the frame has them)."""
    f = e["expected_plaintext_or_fields"]
    if "plaintext_hex" in f:
        return bytes.fromhex(f["plaintext_hex"])
    if "plaintext_with_header" in f:
        return f["plaintext_with_header"].encode("latin1")
    if "plaintext" in f:
        p = f["plaintext"]
        # the generated vectors give binary plaintexts as hex
        if p and re.fullmatch(r"(?:[0-9a-f]{2})+", p):
            return bytes.fromhex(p)
        return p.encode("latin1")
    if "payload" in f:
        return f["payload"].encode("latin1")
    if "hmac_of_client_nonce" in f and "device_nonce" in f:
        # a SESS_KEY_NEG_RESP: device nonce || HMAC(key, client nonce)
        return f["device_nonce"].encode("latin1") + bytes.fromhex(f["hmac_of_client_nonce"])
    return None


def v31_sig_ok(body, key):
    """Recompute the 3.1 signature: md5hex("data="+b64+"||lpv=3.1||"+key)[8:24]."""
    b64 = body[19:]
    md = hashlib.md5(b"data=" + b64 + b"||lpv=3.1||" + key).hexdigest()
    return md[8:24].encode() == body[3:19]


def convert(e):
    f = e["expected_plaintext_or_fields"]
    ver = e["version"].replace(".", "") if len(e["version"]) == 3 else "none"
    d = direction(e["direction"])
    key = key_hex(e)
    fields = [("id", e["id"]), ("ver", ver), ("dir", d), ("verified", "1" if e["verified"] else "0"),
              ("key", key)]
    raw_hex = e["hex"]
    frame = bytes.fromhex(raw_hex) if raw_hex.startswith(("000055aa", "00006699")) else None
    known = {}
    for k in ("seq", "cmd", "retcode"):
        if f.get(k) is not None:
            known[k] = int(f[k])

    if frame is not None:
        fields.append(("frame", raw_hex))
        is6699 = frame[:4] == b"\x00\x00\x66\x99"
        # seq and cmd straight from the header (cross-checked where stated)
        for k, off in (("seq", 6 if is6699 else 4), ("cmd", 10 if is6699 else 8)):
            assert known.get(k, u32(frame, off)) == u32(frame, off), (e["id"], k)
            known[k] = u32(frame, off)
        if not is6699 and d == "device" and len(frame) >= 28:
            assert known.get("retcode", u32(frame, 16)) == u32(frame, 16), e["id"]
            known["retcode"] = u32(frame, 16)

        raw = full_plaintext(e) if e["verified"] else None
        minimal = {"3.4": 56, "3.5": 54}.get(e["version"], 28)
        if raw == b"" and len(frame) > minimal:
            raw = None  # an empty "plaintext" on a longer frame means "not given"
        header = None
        if raw is not None:
            if is6699 and d == "device" and len(raw) >= 4 and raw[:1] != b"{":
                assert known.get("retcode", u32(raw, 0)) == u32(raw, 0), e["id"]
                known["retcode"] = u32(raw, 0)
                raw = raw[4:]
            header = 0
            if looks_like_header(raw) and (len(raw) == 15 or raw[15:16] == b"{"):
                raw = raw[15:]
                header = 1
            fields.append(("payload", raw.hex() or "-"))
        if ver == "31":
            header = 0
        elif ver in ("32", "33") and raw is not None:
            # the header sits in clear before the ciphertext: read it off the wire
            off = 16 + (4 if d == "device" else 0)
            header = 1 if looks_like_header(frame[off:]) else 0
        elif e["id"].startswith("gen") and raw is not None:
            # the generated vectors leave the inner header out of "plaintext";
            # their notes spell it ("3.4"+12x00, "3.5"|crc 0|seq ...)
            inner = any(m in e["notes"] for m in ('"3.4"+', '"3.5"+', '"3.4"|', '"3.5"|'))
            header = 1 if inner or header else 0
        if header is not None and raw is not None:
            fields.append(("header", str(header)))
    elif ver == "31" and raw_hex.startswith("332e31"):
        # a bare 3.1 payload field: the test wraps it in a device frame
        body = bytes.fromhex(raw_hex)
        keyb = bytes.fromhex(key)
        fields.append(("body", raw_hex))
        fields.append(("sig", "1" if v31_sig_ok(body, keyb) else "0"))
        fields.append(("payload", f["plaintext"].encode("latin1").hex()))

    for k in ("seq", "cmd", "retcode"):
        if k in known:
            fields.append((k, str(known[k])))

    if frame is not None and frame[:4] == b"\x00\x00\x66\x99":
        nonce = None
        if "iv_hex" in f:
            nonce = f["iv_hex"]
        elif "client_iv" in f and d in ("client", "device"):
            nonce = f["client_iv" if d == "client" else "device_iv"].encode("latin1").hex()
        else:
            m = re.search(r'IV pinned to "(.{12})"', e["source"])
            if m:
                nonce = m.group(1).encode("latin1").hex()
        if nonce:
            fields.append(("nonce", nonce))

    for a, b in (("client_nonce", "lc"), ("device_nonce", "ld")):
        if a in f:
            fields.append((b, f[a].encode("latin1").hex()))
    for a, b in (("session_key_3.4", "sk34"), ("session_key_3.5", "sk35"),
                 ("derived_session_key_3.4", "sk34")):
        if a in f:
            fields.append((b, f[a]))
    if e["id"] in ("gen34-session-key", "gen35-session-key"):
        fields.append(("sk" + ver, raw_hex))
    for k, v in fields:
        assert v and " " not in v, (e["id"], k, v)
    return " ".join("%s=%s" % kv for kv in fields)


def main(src, dst):
    with open(src) as fh:
        vectors = json.load(fh)
    lines = [convert(e) for e in vectors]
    with open(dst, "w") as fh:
        fh.write("# Generated by tools/vectors2data.py from vectors.json (%d vectors); "
                 "one vector per line.\n" % len(lines))
        fh.write("\n".join(lines) + "\n")
    copy = os.path.join(os.path.dirname(os.path.abspath(dst)), "vectors.json")
    if os.path.abspath(src) != copy:
        shutil.copyfile(src, copy)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: vectors2data.py vectors.json vectors.data")
    main(sys.argv[1], sys.argv[2])
