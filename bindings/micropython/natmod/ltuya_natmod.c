/*
 * ltuya as a MicroPython native module (.mpy): the user C module's source
 * (../modltuya.c) compiled against py/dynruntime.h, with the type and the
 * module's globals made at import (a native module has no ROM tables and no
 * MP_REGISTER_MODULE). Import it as `ltuya` or, copied as tuya.mpy, as the
 * seed's `tuya`.
 */
#include "py/dynruntime.h"

mp_obj_full_type_t mltuya_type_Device;
extern mp_obj_dict_t *mltuya_natmod_globals; /* crypto_natmod.c */

#include "../modltuya.c"

/* not static: a native module's zero-initialised data must be global */
mp_map_elem_t mltuya_locals_table[14];
static MP_DEFINE_CONST_DICT(mltuya_locals, mltuya_locals_table);

static void method(size_t i, qstr name, const void *fun)
{
    mltuya_locals_table[i] = (mp_map_elem_t){MP_OBJ_NEW_QSTR(name), MP_OBJ_FROM_PTR(fun)};
}

mp_obj_t mpy_init(mp_obj_fun_bc_t *self, size_t n_args, size_t n_kw, mp_obj_t *args)
{
    MP_DYNRUNTIME_INIT_ENTRY

    mltuya_errno_init();
    mltuya_natmod_globals = self->context->module.globals;

    mltuya_type_Device.base.type = (void *)&mp_type_type;
    mltuya_type_Device.flags = MP_TYPE_FLAG_NONE;
    mltuya_type_Device.name = MP_QSTR_Device;
    MP_OBJ_TYPE_SET_SLOT(&mltuya_type_Device, make_new, mltuya_make_new, 0);
    MP_OBJ_TYPE_SET_SLOT(&mltuya_type_Device, print, mltuya_print, 1);
    MP_OBJ_TYPE_SET_SLOT(&mltuya_type_Device, attr, mltuya_attr, 2);
    size_t i = 0;
    method(i++, MP_QSTR_get_dps, &mltuya_get_dps_obj);
    method(i++, MP_QSTR_get_data_raw, &mltuya_get_data_raw_obj);
    method(i++, MP_QSTR_set_dps, &mltuya_set_dps_obj);
    method(i++, MP_QSTR_set_multiple, &mltuya_set_multiple_obj);
    method(i++, MP_QSTR_turn_on, &mltuya_turn_on_obj);
    method(i++, MP_QSTR_turn_off, &mltuya_turn_off_obj);
    method(i++, MP_QSTR_set_switch, &mltuya_set_switch_obj);
    method(i++, MP_QSTR_heartbeat, &mltuya_heartbeat_obj);
    method(i++, MP_QSTR_refresh, &mltuya_refresh_obj);
    method(i++, MP_QSTR_print_status, &mltuya_print_status_obj);
    method(i++, MP_QSTR_close, &mltuya_close_obj);
    method(i++, MP_QSTR_deinit, &mltuya_deinit_obj);
    method(i++, MP_QSTR___enter__, &mltuya_enter_obj);
    method(i++, MP_QSTR___exit__, &mltuya_exit_obj);
    MP_OBJ_TYPE_SET_SLOT(&mltuya_type_Device, locals_dict, (void *)&mltuya_locals, 3);

    mp_store_global(MP_QSTR_Device, MP_OBJ_FROM_PTR(&mltuya_type_Device));
    mp_store_global(MP_QSTR_uTuya, MP_OBJ_FROM_PTR(&mltuya_type_Device));
    mp_store_global(MP_QSTR_DEVICE_BYTES, MP_OBJ_NEW_SMALL_INT(MLTUYA_DEVICE_BYTES));

    MP_DYNRUNTIME_INIT_EXIT
}
