#!/usr/bin/env bash
# End-to-end tests of `ltuya decode` on the reference conversations.
# Usage: decode.sh path/to/ltuya path/to/vectors.data
set -u
bin=$1
data=$2
pass=0
fail=0
key=0123456789abcdef

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
frame() { grep "id=$1 " "$data" | tr ' ' '\n' | sed -n 's/^frame=//p'; }
check() { # description, command output, expected substring
  case "$2" in *"$3"*) ok ;; *) bad "$1: expected '$3' in: $2" ;; esac
}
json_lines() { # every line parses as JSON
  node -e 'let ok=true; for (const l of require("fs").readFileSync(0,"utf8").split("\n")) { if (!l) continue; try { JSON.parse(l) } catch (e) { ok=false; console.error("not JSON: " + l) } } process.exit(ok?0:1)'
}

# 3.3: a query, its reply, a control, its ACK and the push, with --key
out=$(for id in gen33-dp-query gen33-dp-query-resp gen33-control gen33-control-ack gen33-status-push; do frame $id; done | "$bin" decode --key $key)
rc=$?
[ $rc -eq 0 ] && ok || bad "3.3 conversation exit $rc"
[ "$(printf '%s\n' "$out" | grep -c '"integrity":"ok"')" = 5 ] && ok || bad "3.3: not all five frames ok: $out"
check "3.3 query" "$(printf '%s\n' "$out" | sed -n 1p)" '"cmd":10,"cmd_name":"DP_QUERY"'
check "3.3 reply retcode" "$(printf '%s\n' "$out" | sed -n 2p)" '"retcode":0'
check "3.3 control header" "$(printf '%s\n' "$out" | sed -n 3p)" '"version_header":{"version":"3.3"'
check "3.3 push payload" "$(printf '%s\n' "$out" | sed -n 5p)" '"payload":{"dps":{"1":false},"t":1700000000}'
printf '%s\n' "$out" | json_lines && ok || bad "3.3 output is not JSON lines"

# 3.4 and 3.5: the whole conversation with only the local key; the session key is derived
for v in 34 35; do
  out=$(grep "id=gen$v-" "$data" | grep -v session-key | tr ' ' '\n' | sed -n 's/^frame=//p' | LTUYA_KEY=$key "$bin" decode)
  rc=$?
  [ $rc -eq 0 ] && ok || bad "3.${v#3} conversation exit $rc: $out"
  check "3.${v#3} handshake" "$out" '"handshake":"ok","session_key":"derived"'
  check "3.${v#3} query after handshake" "$out" '"cmd_name":"DP_QUERY_NEW","integrity":"ok","key":"session"'
  check "3.${v#3} push" "$out" '"payload":{"protocol":4,"t":1700000000,"data":{"dps":{"1":true}}}'
  printf '%s\n' "$out" | json_lines && ok || bad "3.${v#3} output is not JSON lines"
  # neither session key nor the local key as bytes (the reference client
  # nonce happens to equal the key's text, so the text itself is no sign)
  case "$out" in *6b4b08fe*|*908f368b*|*30313233343536373839616263646566*) bad "3.${v#3}: a key was printed" ;; *) ok ;; esac
done

# one frame after a handshake needs --session-key
f=$(frame gen35-dp-query-new-resp)
out=$("$bin" decode --key $key "$f"); rc=$?
[ $rc -eq 1 ] && ok || bad "3.5 frame without session key should fail (exit $rc)"
check "3.5 frame without session key" "$out" '"status":"ERR_BAD_TAG"'
out=$("$bin" decode --key $key --session-key 6b4b08fe2f61288c0a0a70e383dda4f4 "$f"); rc=$?
[ $rc -eq 0 ] && ok || bad "3.5 frame with --session-key exit $rc"
check "3.5 with session key" "$out" '"payload":{"dps":{"1":true,"2":0}}'

# a wrong key on 3.4 is an HMAC failure, and the exit code says so
out=$("$bin" decode --key fedcba9876543210 --version 3.4 "$(frame gen34-sess-start)"); rc=$?
[ $rc -eq 1 ] && ok || bad "wrong key exit $rc"
check "wrong key" "$out" '"status":"ERR_BAD_HMAC"'

# 3.1: plaintext query and encrypted control with its MD5 signature
out=$("$bin" decode -k $key "$(frame gen31-dp-query)" "$(frame gen31-control)")
check "3.1 query" "$out" '"version":"3.1"'
check "3.1 signature" "$out" '"signature":"ok"'
# a 3.2 plaintext error needs no key
out=$("$bin" decode "$(frame tinytuya-issue168-32-error)")
check "3.2 plaintext error" "$out" '"retcode":1,"integrity":"ok","key":"none","encrypted":false,"payload_type":"text","payload":"data format error"'
# UDP beacons decode with the built-in UDP key
out=$("$bin" decode "$(frame gen35-udp-beacon)")
check "3.5 beacon" "$out" '"key":"udp"'

# the seed's capture.py format, with the direction taken from send/recv
out=$(printf '[SOCKET] send 152 bytes: %s\n[SOCKET] recv 92 bytes: %s\n' \
  "$(frame gen33-dp-query | sed 's/../& /g')" "$(frame gen33-dp-query-resp | sed 's/../& /g')" | "$bin" decode -k $key)
[ "$(printf '%s\n' "$out" | grep -c '"integrity":"ok"')" = 2 ] && ok || bad "capture format: $out"

# two frames in one captured read, then garbage, a truncated frame, a bad CRC
two="$(frame gen33-control-ack)$(frame gen33-status-push)"
out=$("$bin" decode -k $key "$two")
[ "$(printf '%s\n' "$out" | grep -c '"integrity":"ok"')" = 2 ] && ok || bad "two frames in one read: $out"
out=$("$bin" decode -k $key "zz"); rc=$?
[ $rc -eq 1 ] && ok || bad "non-hex exit $rc"
check "non-hex" "$out" '"detail":"input is not hex"'
f=$(frame gen33-dp-query)
out=$("$bin" decode -k $key "${f:0:100}"); rc=$?
[ $rc -eq 1 ] && ok || bad "truncated exit $rc"
check "truncated" "$out" '"status":"ERR_TRUNCATED"'
out=$("$bin" decode -k $key -V 3.3 "${f:0:40}ff${f:42}"); rc=$?
check "bad crc" "$out" '"status":"ERR_BAD_CRC"'
out=$("$bin" decode -k $key "deadbeef$f"); rc=$?
check "garbage prefix" "$out" '"status":"ERR_BAD_PREFIX"'

# usage errors
"$bin" decode --key short "$f" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok || bad "short key exit $rc"
"$bin" decode --version 3.9 "$f" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok || bad "bad version exit $rc"
"$bin" decode --help | grep -q "examples:" && ok || bad "--help has no examples"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
