/*
 * What the module's C sources need from MicroPython, spelled so that the
 * same sources build as a user C module (linked into the firmware, full C
 * API) and as a native module (.mpy, natmod/, where only py/dynruntime.h's
 * function table can be called). Include this first.
 */
#ifndef MLTUYA_COMPAT_H
#define MLTUYA_COMPAT_H

#if MICROPY_ENABLE_DYNRUNTIME
#include "py/dynruntime.h"
#include "py/stream.h"
/* A native module reaches nlr through the firmware's table (natmod code
 * cannot link nlr_push itself). The caller keeps the values it needs after
 * an exception in memory, not in locals (see mltuya_protect). */
#define MLTUYA_NLR_PUSH(buf) (mp_fun_table.nlr_push(buf))
#define MLTUYA_NLR_POP()     (mp_fun_table.nlr_pop())
#define mp_type_OSError      (*(mp_obj_type_t *)(mp_load_global(MP_QSTR_OSError)))
#else
#include "py/mperrno.h"
#include "py/objstr.h"
#include "py/runtime.h"
#include "py/stream.h"
#define MLTUYA_NLR_PUSH(buf) nlr_push(buf)
#define MLTUYA_NLR_POP()     nlr_pop()
#endif

/* Tables of qstrs are constants in a user C module; in a native module the
 * qstrs get their numbers at load, so such tables are built on the stack. */
#if MICROPY_ENABLE_DYNRUNTIME
#define MLTUYA_QSTR_TABLE const
#else
#define MLTUYA_QSTR_TABLE static const
#endif

#ifndef MP_NORETURN
#define MP_NORETURN NORETURN /* MicroPython before 1.25 */
#endif

/* Built-in types by name: a native module cannot link &mp_type_float and
 * friends, and the name is the same test for exact (non-subclass) types. */
static inline bool mltuya_type_is(mp_obj_t o, qstr name)
{
    return mp_obj_get_type(o)->name == name;
}

/* fn(arg) with every exception caught: returns the exception object, or
 * MP_OBJ_NULL when fn returned. Nothing fn changes lives in this frame's
 * locals, so the non-local return of an exception cannot lose it. */
typedef void (*mltuya_protected_fn)(void *arg);
mp_obj_t mltuya_protect(mltuya_protected_fn fn, void *arg);

/* OSError's errno (the first argument), or -1 for other exceptions. */
int mltuya_oserror_errno(mp_obj_t exc);

/* obj.name(*args) for up to 3 arguments, without a bound-method object. */
mp_obj_t mltuya_call_method(mp_obj_t obj, qstr name, size_t n, const mp_obj_t *args);

/* The errno values the module tests and raises. A user C module takes them
 * from the port's headers; a native module asks the firmware's `errno`
 * module at import (ports disagree: ETIMEDOUT is 110 on unix, 116 with
 * ESP-IDF's newlib). */
enum {
    MLTUYA_ECONNREFUSED,
    MLTUYA_EHOSTUNREACH,
    MLTUYA_ETIMEDOUT,
    MLTUYA_ECONNRESET,
    MLTUYA_EACCES,
    MLTUYA_EIO,
    MLTUYA_EAGAIN,
    MLTUYA_EINPROGRESS,
    MLTUYA_ENOTCONN,
    MLTUYA_ECONNABORTED,
    MLTUYA_EPIPE,
    MLTUYA_ERRNO_COUNT
};
int mltuya_errno(int which);
#if MICROPY_ENABLE_DYNRUNTIME
void mltuya_errno_init(void); /* natmod: read them from `errno` */
#endif

#endif
