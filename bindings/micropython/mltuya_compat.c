/* Helpers shared by the user C module and the native module (mltuya_compat.h). */
#include "mltuya_compat.h"

/* noinline: the frame that holds `nlr` must be this one, and fn's results
 * travel through *arg (memory), never through locals of this frame. */
MP_NOINLINE mp_obj_t mltuya_protect(mltuya_protected_fn fn, void *arg)
{
    nlr_buf_t nlr;
    if (MLTUYA_NLR_PUSH(&nlr) == 0) {
        fn(arg);
        MLTUYA_NLR_POP();
        return MP_OBJ_NULL;
    }
    return MP_OBJ_FROM_PTR(nlr.ret_val);
}

int mltuya_oserror_errno(mp_obj_t exc)
{
    if (!mltuya_type_is(exc, MP_QSTR_OSError))
        return -1;
    mp_obj_t args = mp_load_attr(exc, MP_QSTR_args);
    size_t n;
    mp_obj_t *items;
    mp_obj_get_array(args, &n, &items);
    return n > 0 && mp_obj_is_small_int(items[0]) ? (int)MP_OBJ_SMALL_INT_VALUE(items[0]) : 0;
}

mp_obj_t mltuya_call_method(mp_obj_t obj, qstr name, size_t n, const mp_obj_t *args)
{
    mp_obj_t dest[2 + 3];
    mp_load_method(obj, name, dest);
    for (size_t i = 0; i < n && i < 3; i++)
        dest[2 + i] = args[i];
    if (dest[1] == MP_OBJ_NULL)
        return mp_call_function_n_kw(dest[0], n, 0, dest + 2);
    return mp_call_function_n_kw(dest[0], n + 1, 0, dest + 1);
}

#if MICROPY_ENABLE_DYNRUNTIME
/* not static: a native module's zero-initialised data must be global */
int mltuya_errnos[MLTUYA_ERRNO_COUNT];

void mltuya_errno_init(void)
{
    const uint16_t names[MLTUYA_ERRNO_COUNT] = {
        MP_QSTR_ECONNREFUSED, MP_QSTR_EHOSTUNREACH, MP_QSTR_ETIMEDOUT, MP_QSTR_ECONNRESET,
        MP_QSTR_EACCES,       MP_QSTR_EIO,          MP_QSTR_EAGAIN,    MP_QSTR_EINPROGRESS,
        MP_QSTR_ENOTCONN,     MP_QSTR_ECONNABORTED, MP_QSTR_EPIPE,
    };
    mp_obj_t mod = mp_import_name(MP_QSTR_errno, mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
    for (int i = 0; i < MLTUYA_ERRNO_COUNT; i++) {
        mp_obj_t dest[2];
        mp_load_method_maybe(mod, names[i], dest);
        /* a firmware without the name cannot produce that error: never matches */
        mltuya_errnos[i] = dest[0] != MP_OBJ_NULL ? (int)mp_obj_get_int(dest[0]) : -1000 - i;
    }
}

int mltuya_errno(int which)
{
    return mltuya_errnos[which];
}
#else
int mltuya_errno(int which)
{
    static const int16_t values[MLTUYA_ERRNO_COUNT] = {
        MP_ECONNREFUSED, MP_EHOSTUNREACH, MP_ETIMEDOUT, MP_ECONNRESET,   MP_EACCES, MP_EIO,
        MP_EAGAIN,       MP_EINPROGRESS,  MP_ENOTCONN,  MP_ECONNABORTED, MP_EPIPE,
    };
    return values[which];
}
#endif
