# Heap the module takes on this MicroPython build, against `ltuya sim` (run.sh
# starts it): gc.mem_alloc() deltas after gc.collect(), with gc disabled during
# each call, so the delta is every byte the call allocated (garbage included).
# Prints the figures and checks them against the module's limits.
# Usage: micropython test_heap.py BASE_PORT   (the plug on BASE+3 speaks 3.3, BASE+5 3.5)
import gc
import sys

import ltuya

BASE = int(sys.argv[1]) if len(sys.argv) > 1 else 31000
KEY = "0123456789abcdef"
# bytes per pointer: 8 on the 64-bit unix port, 4 on a microcontroller
WORD = 8 if sys.maxsize > 2**32 else 4

passed = 0
failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", name, detail)


def alloc(fn, *args):
    """Bytes allocated by fn(*args) (gc off during the call), and its result."""
    gc.collect()
    gc.disable()
    before = gc.mem_alloc()
    r = fn(*args)
    used = gc.mem_alloc() - before
    gc.enable()
    return used, r


def device(n, keep_alive):
    return ltuya.Device("127.0.0.1", "bf0123456789abcd%04d" % n, KEY, "3.3" if n == 3 else "3.5",
                        keep_alive=keep_alive, port=BASE + n)


# A native module (.mpy, a file: it has __file__) goes through the firmware's
# cryptolib/hashlib, which make objects on every frame, and cannot intern DP
# keys: its figures are printed, the limits are for the user C module.
NATIVE = hasattr(ltuya, "__file__")
if NATIVE:
    print("native module %s: figures only" % ltuya.__file__)

# Limits for a 32-bit microcontroller (the module's target); a 64-bit build's
# objects hold twice the words, so its limits are scaled (gc blocks are 4 words).
SCALE = WORD // 4
LIMITS = {"Device": 2048, "get_dps()": 1000, "voltage": 64, "current": 64, "power": 64,
          "set_dps()": 64, "heartbeat()": 0}

# The first Device of a program also pays once for the module's shared state
# (imports, the random generator's seed, the interned DP keys): not counted.
warm = device(5, True)
warm.get_dps()
warm.deinit()
del warm

for n, v in ((3, "3.3"), (5, "3.5")):
    for keep in (True, False):
        gc.collect()
        base = gc.mem_alloc()
        d = device(n, keep)
        made = gc.mem_alloc() - base
        d.heartbeat()  # the first call resolves the address (kept) and connects
        gc.collect()
        # what stays: the object, the address, the socket while connected
        figures = [("Device", gc.mem_alloc() - base)]
        print("  the constructor allocated %d B (DEVICE_BYTES %d)" % (made, ltuya.DEVICE_BYTES))
        figures.append(("get_dps()", alloc(d.get_dps)[0]))
        for attr in ("voltage", "current", "power"):
            figures.append((attr, alloc(getattr, d, attr)[0]))
        figures.append(("set_dps()", alloc(d.set_dps, 1, True)[0]))
        figures.append(("heartbeat()", alloc(d.heartbeat)[0]))
        d.close()
        print("v%s keep_alive=%s:" % (v, keep), ", ".join("%s %d B" % f for f in figures))
        for name, used in figures:
            # a new socket per call without keep_alive: the limits are for keep_alive
            if keep and not NATIVE:
                limit = LIMITS[name] * SCALE
                check("v%s %s <= %d B" % (v, name, limit), used <= limit, "%d B" % used)
        d.deinit()
        del d

check("DEVICE_BYTES is the Device's block", isinstance(ltuya.DEVICE_BYTES, int)
      and 512 < ltuya.DEVICE_BYTES <= LIMITS["Device"] * SCALE)
print("%d passed, %d failed" % (passed, failed))
