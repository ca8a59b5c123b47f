# The ltuya MicroPython module against `ltuya sim` (started by run.sh):
# every protocol version, the seed's API, and each failure as an exception.
# Usage: micropython test_device.py BASE_PORT   (run.sh gives the ports below)
import sys

import ltuya

BASE = int(sys.argv[1]) if len(sys.argv) > 1 else 31000
IP = "127.0.0.1"
KEY = "0123456789abcdef"
WRONG_KEY = "fedcba9876543210"
# (version as the caller writes it, port offset); the seed takes floats or strings
VERSIONS = (("3.1", 1), ("3.2", 2), (3.3, 3), (3.4, 4), ("3.5", 5))
PLUG34 = 6  # 3.3, energy on 21/22/23
BULB = 7  # 3.3 v2 bulb, acknowledges and drops writes it cannot take (silent-reject)
LIMIT = 8  # 3.3, one client at a time
NOBODY = 99  # nothing listens there

passed = 0
failed = 0


def dev_id(n):
    return "bf0123456789abcd%04d" % n


def device(n, version="3.3", **kw):
    return ltuya.Device(IP, dev_id(n), KEY, version, port=BASE + n, **kw)


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", name, detail)


def raises(name, exc, fn, *args, errno=None, text=None):
    """fn(*args) must raise exc (with that errno, and text in its message)."""
    try:
        r = fn(*args)
    except exc as e:
        msg = str(e)
        check(name + ": errno", errno is None or e.args[0] == errno, repr(e.args))
        check(name + ": message", text is None or text in msg, msg)
        check(name + ": no key in message", KEY not in msg and WRONG_KEY not in msg, msg)
        return e
    except Exception as e:
        check(name, False, "raised %r instead of %s" % (e, exc.__name__))
        return None
    check(name, False, "returned %r instead of raising %s" % (r, exc.__name__))
    return None


def near(x, lo, hi):
    return isinstance(x, float) and lo <= x <= hi


def test_version(v, n):
    name = "v" + str(v)
    d = device(n, v)
    check(name + " version attribute", d.version == str(v), d.version)
    check(name + " turn_on returns the written DPs", d.turn_on() == {"dps": {"1": True}})
    check(name + " is_on after turn_on", d.is_on is True)
    vol, cur, pw = d.voltage, d.current, d.power
    check(name + " voltage in V", near(vol, 200.0, 260.0), repr(vol))
    check(name + " current in A", near(cur, 0.001, 1.0), repr(cur))
    check(name + " power in W", near(pw, 0.1, 200.0), repr(pw))
    dps = d.get_dps()
    check(name + " get_dps() is a dict with str keys", isinstance(dps, dict) and "1" in dps, repr(dps))
    check(name + " energy DPs are ints", all(isinstance(dps.get(k), int) for k in ("18", "19", "20")))
    check(name + " get_dps(1)", d.get_dps(1) is True)
    check(name + " get_dps('20') is V x10", 2000 <= d.get_dps("20") <= 2600)
    check(name + " get_dps(absent) is None", d.get_dps(999) is None)
    raw = d.get_data_raw()
    check(name + " get_data_raw()['dps']", isinstance(raw.get("dps"), dict) and raw["dps"].get("1") is True)
    check(name + " set_dps int", d.set_dps(9, 300) == {"dps": {"9": 300}})
    check(name + " int read back", d.get_dps(9) == 300)
    check(name + " set_dps str", d.set_dps("38", "on") == {"dps": {"38": "on"}})
    check(name + " str read back", d.get_dps(38) == "on")
    r = d.set_multiple({1: False, "9": 0})
    check(name + " set_multiple returns both", r == {"dps": {"1": False, "9": 0}}, repr(r))
    check(name + " is_on after set_multiple off", d.is_on is False)
    check(name + " no power with the relay off", d.power == 0.0)
    check(name + " get_dps(9) after set_multiple", d.get_dps(9) == 0)
    check(name + " turn_off", d.turn_off() == {"dps": {"1": False}})
    check(name + " set_dps(1, True)", d.set_dps(1, True) == {"dps": {"1": True}})
    check(name + " heartbeat", d.heartbeat() is True)
    check(name + " refresh", d.refresh() is True)
    check(name + " refresh with ids", d.refresh([18, 19, 20]) is True)
    d.close()
    # keep_alive: the seed's persistent socket; several calls on one connection
    k = device(n, v, keep_alive=True)
    check(name + " keep_alive set_switch", k.set_switch(True) == {"dps": {"1": True}})
    check(name + " keep_alive voltage", near(k.voltage, 200.0, 260.0))
    check(name + " keep_alive heartbeat", k.heartbeat() is True)
    check(name + " keep_alive get_dps", k.get_dps(1) is True)
    k.close()
    # the wrong key: an exception, never None and a print
    bad = ltuya.Device(IP, dev_id(n), WRONG_KEY, v, port=BASE + n, timeout=2)
    if str(v) == "3.1":
        # 3.1 status replies are plaintext: only a write shows the key is wrong
        raises(name + " wrong key (write)", OSError, bad.turn_on, text="data format error")
    elif str(v) in ("3.4", "3.5"):
        # the device drops the handshake it cannot verify
        raises(name + " wrong key", OSError, bad.get_dps, errno=104, text="key")
    else:
        raises(name + " wrong key", OSError, bad.get_dps, errno=13, text="wrong local key")
    bad.deinit()


def test_errors():
    raises("connection refused", OSError, device(NOBODY).get_dps, errno=111, text="connection refused")
    raises("refused on turn_on", OSError, device(NOBODY).turn_on, errno=111)
    raises("refused on voltage", OSError, lambda: device(NOBODY).voltage, errno=111)
    raises("refused on heartbeat", OSError, device(NOBODY).heartbeat, errno=111)
    # a 3.3 client at a 3.5 device
    raises("wrong version", OSError, device(5, "3.3", timeout=2).get_dps)
    # the device takes one client: a second one is refused while the first holds it
    holder = device(LIMIT, keep_alive=True)
    holder.get_dps()
    raises("one client at a time", OSError, device(LIMIT, timeout=2).get_dps, errno=104)
    holder.close()
    check("slot free after close()", device(LIMIT).get_dps(1) is True)
    # a Device dropped while connected: its finaliser closes the socket (built-in
    # module from MicroPython 1.25, when finalisers run before blocks are freed)
    if not hasattr(ltuya, "__file__") and sys.implementation.version >= (1, 25, 0):
        import gc

        dropped = device(LIMIT, keep_alive=True)
        dropped.get_dps()
        dropped = None
        gc.collect()
        check("slot free after the collector", device(LIMIT, timeout=2).get_dps(1) is True)
    # caller mistakes are ValueError / TypeError at once
    raises("short key", ValueError, ltuya.Device, IP, dev_id(3), "short", text="16 characters")
    raises("bad version", ValueError, ltuya.Device, IP, dev_id(3), KEY, "3.6", text="3.1 .. 3.5")
    raises("bad version float", ValueError, ltuya.Device, IP, dev_id(3), KEY, 2.2)
    raises("bad port", ValueError, lambda: ltuya.Device(IP, dev_id(3), KEY, port=0))
    raises("bad timeout", ValueError, lambda: ltuya.Device(IP, dev_id(3), KEY, timeout=-1))
    raises("empty ip", ValueError, ltuya.Device, "", dev_id(3), KEY)
    d = device(3)
    raises("dp id 0", ValueError, d.set_dps, 0, True)
    raises("dp id text", ValueError, d.get_dps, "abc")
    raises("list value", TypeError, d.set_dps, 1, [1])
    raises("set_multiple needs a dict", TypeError, d.set_multiple, [(1, True)])
    raises("set_multiple empty", ValueError, d.set_multiple, {})
    raises("refresh no ids", ValueError, d.refresh, [])
    d.deinit()
    raises("use after deinit", ValueError, d.get_dps)
    d.deinit()  # twice is fine
    d.close()


def test_api():
    # the seed's positional order: ip, dev, key, version, debug, keep_alive
    d = ltuya.Device(IP, dev_id(3), KEY, 3.3, False, True, port=BASE + 3)
    check("positional keep_alive", d.keep_alive is True and d.debug is False)
    check("attributes", d.ip == IP and d.did == dev_id(3) and d.PORT == BASE + 3 and d.port == BASE + 3)
    check("repr", repr(d).startswith("<ltuya.Device 127.0.0.1:"), repr(d))
    d.close()
    with device(3) as c:
        check("context manager", c.get_dps(1) in (True, False))
    import tuya

    check("uTuya is Device", tuya.uTuya is tuya.Device and ltuya.uTuya is ltuya.Device)
    if not hasattr(ltuya, "__file__"):  # built in: one module under two names
        check("tuya.uTuya is ltuya.Device", tuya.uTuya is ltuya.Device)
    check("DEVICE_BYTES", isinstance(ltuya.DEVICE_BYTES, int) and ltuya.DEVICE_BYTES > 512)
    # energy on other DPs (21/22/23): found without configuration
    p = device(PLUG34)
    p.turn_on()
    check("plug34 voltage", near(p.voltage, 200.0, 260.0))
    check("plug34 power", near(p.power, 0.1, 200.0))
    # strings: escapes and non-ASCII text survive the round trip
    b = device(BULB)
    check("bulb switch DP 20", b.get_dps(20) in (True, False))
    text = 'a "q" \\ caf\u00e9 \u2713'
    s = device(3)  # the 3.3 plug: DP 42 (cycle_time) is a string DP
    s.set_dps(42, text)
    check("string round trip", s.get_dps(42) == text, repr(s.get_dps(42)))
    s.set_dps(42, "")  # as it was
    b.set_dps(22, 1000)
    check("int round trip", b.get_dps(22) == 1000)
    # the simulator ignores values of another type than the DP's; these show
    # that null and floats are accepted and written
    check("None writes null", b.set_dps(26, None) == {"dps": {"26": None}})
    check("float is written", b.set_dps(22, 12.5) == {"dps": {"22": 12.5}})
    check("float ignored by the int DP", b.get_dps(22) == 1000)
    try:
        from collections import OrderedDict

        r = b.set_multiple(OrderedDict([(20, True), ("22", 500)]))
        check("set_multiple(OrderedDict)", r == {"dps": {"20": True, "22": 500}}, repr(r))
        check("OrderedDict values written", b.get_dps(22) == 500)
    except ImportError:
        pass
    # debug logs frames (never the key) and changes nothing else
    g = device(3, debug=True)
    check("debug get_dps", g.get_dps(1) in (True, False))


# (port offset, version, quirk) as run.sh lays them out
QUIRKS = ((11, "3.3", "no-refresh-reply"), (12, "3.3", "native-endian-ack"),
          (13, "3.3", "push-before-ack"), (14, "3.5", "push-during-handshake"),
          (15, "3.4", "push-during-handshake"))


def test_quirks():
    for n, v, quirk in QUIRKS:
        for keep in (True, False):
            name = "%s %s keep_alive=%s" % (quirk, v, keep)
            d = device(n, v, keep_alive=keep)
            check(name + ": turn_off", d.turn_off() == {"dps": {"1": False}})
            check(name + ": off read back", d.get_dps(1) is False)
            check(name + ": set_dps", d.set_dps(9, 120) == {"dps": {"9": 120}})
            check(name + ": set read back", d.get_dps(9) == 120)
            check(name + ": turn_on", d.turn_on() == {"dps": {"1": True}})
            check(name + ": on read back", d.is_on is True)
            # a refresh the device never answers falls back to a status query
            check(name + ": refresh", d.refresh() is True)
            check(name + ": voltage", near(d.voltage, 200.0, 260.0))
            d.set_dps(9, 0)
            d.close()  # the device takes one client


for v, n in VERSIONS:
    test_version(v, n)
test_errors()
test_api()
test_quirks()
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
