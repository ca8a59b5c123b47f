/*
 * The core's src/crypto/common.c for the native module. Its random hook is
 * kept in two static variables, and MicroPython's natmod linker refuses
 * static zero-initialised data (it can relocate only global .bss symbols).
 * So it is compiled here with `static` spelled out of its definitions: the
 * headers it includes come first (their static inline functions stay
 * static), and its static names are unique in the module.
 */
#include <stdbool.h>
#include <string.h>

#include "ltuya/crypto.h"

#define static /* see above */
#include "../../../src/crypto/common.c"
#undef static
