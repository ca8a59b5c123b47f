/*
 * ltuya for MicroPython: the seed's uTuya API (README.md beside this file)
 * as a thin layer over the C core's device API (include/ltuya/device.h).
 *
 * One Python object holds the device context and its receive and transmit
 * buffers in a single heap block, so a Device costs one allocation and the
 * core itself allocates nothing. Calls block like the seed's socket calls
 * (connect 3 s, reply 5 s by default) and raise OSError instead of printing
 * and returning None.
 */
#include <string.h>

#include "py/mperrno.h"
#include "py/mphal.h"
#include "py/objstr.h"
#include "py/parsenum.h"
#include "py/runtime.h"

#include "ltuya/device.h"
#include "mltuya_port.h"

#ifndef MP_NORETURN
#define MP_NORETURN NORETURN /* MicroPython before 1.25 */
#endif

/* The seed's plug reports energy on 18 (mA), 19 (W x10) and 20 (V x10). */
static const uint16_t seed_energy_dps[] = {18, 19, 20};

typedef struct {
    mp_obj_base_t base;
    bool open;  /* the device context is initialised (until deinit) */
    bool debug; /* log frames (never keys) */
    bool keep_alive;
    uint16_t port;
    ltuya_version_t version;
    mp_obj_t ip, did; /* the arguments, for the attributes */
    mltuya_tcp_t tcp;
    ltuya_transport_t transport;
    ltuya_device_t dev;
    ltuya_dps_t reply; /* the last status reply; views into rx */
    uint8_t rx[LTUYA_DEVICE_RX_SIZE];
    uint8_t tx[LTUYA_DEVICE_TX_SIZE];
} mltuya_obj_t;

/* ---- errors -------------------------------------------------------------- */

/* Errno-like codes so `except OSError as e: e.errno` works as with sockets. */
static int status_errno(ltuya_status_t st)
{
    switch (st) {
    case LTUYA_ERR_REFUSED:
        return MP_ECONNREFUSED;
    case LTUYA_ERR_UNREACHABLE:
        return MP_EHOSTUNREACH;
    case LTUYA_ERR_TIMEOUT:
    case LTUYA_ERR_NO_REPLY:
        return MP_ETIMEDOUT;
    case LTUYA_ERR_CLOSED:
    case LTUYA_ERR_RESET:
    case LTUYA_ERR_REJECTED:
    case LTUYA_ERR_CONN_LIMIT:
        return MP_ECONNRESET;
    case LTUYA_ERR_WRONG_KEY:
    case LTUYA_ERR_BAD_HMAC:
    case LTUYA_ERR_BAD_TAG:
    case LTUYA_ERR_BAD_PADDING:
    case LTUYA_ERR_HANDSHAKE:
        return MP_EACCES;
    default:
        return MP_EIO;
    }
}

/* What to check, for the errors a person meets first. */
static const char *status_hint(ltuya_status_t st)
{
    switch (st) {
    case LTUYA_ERR_BAD_HMAC:
    case LTUYA_ERR_BAD_TAG:
    case LTUYA_ERR_BAD_PADDING:
        return " (wrong local key?)";
    case LTUYA_ERR_REFUSED:
        return " (wrong IP or port, or the device is off)";
    case LTUYA_ERR_NO_REPLY:
    case LTUYA_ERR_REJECTED:
        return " (wrong version or key?)";
    case LTUYA_ERR_CONN_LIMIT:
        return " (close the Smart Life app: the device takes one client)";
    default:
        return "";
    }
}

static MP_NORETURN void raise_status(mltuya_obj_t *self, ltuya_status_t st)
{
    vstr_t msg;
    mp_print_t pr;
    vstr_init_print(&msg, 64, &pr);
    mp_printf(&pr, "ltuya %s:%u: %s", mp_obj_str_get_str(self->ip), (unsigned)self->port,
              ltuya_status_str(st));
    if (st == LTUYA_ERR_DEVICE && self->open) {
        const char *text = ltuya_device_last_error(&self->dev);
        if (text[0])
            mp_printf(&pr, ": %s", text);
    }
    mp_printf(&pr, "%s", status_hint(st));
    mp_obj_t args[2] = {MP_OBJ_NEW_SMALL_INT(status_errno(st)), mp_obj_new_str_from_vstr(&msg)};
    nlr_raise(mp_obj_new_exception_args(&mp_type_OSError, 2, args));
}

static mltuya_obj_t *get_open(mp_obj_t self_in)
{
    mltuya_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (!self->open)
        mp_raise_ValueError(MP_ERROR_TEXT("ltuya: device is deinitialised"));
    return self;
}

static void check(mltuya_obj_t *self, ltuya_status_t st)
{
    if (st != LTUYA_OK)
        raise_status(self, st);
}

/* ---- DP values <-> Python ------------------------------------------------ */

static mp_obj_t new_text(const char *p, size_t len)
{
    /* device text is not always valid UTF-8: give bytes rather than fail */
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t s = mp_obj_new_str(p, len);
        nlr_pop();
        return s;
    }
    return mp_obj_new_bytes((const byte *)p, len);
}

static mp_obj_t new_int64(int64_t v)
{
    if (v >= MP_INT_MIN && v <= MP_INT_MAX)
        return mp_obj_new_int((mp_int_t)v);
    return mp_obj_new_int_from_ll((long long)v);
}

static mp_obj_t dp_to_obj(const ltuya_dp_t *dp)
{
    switch (dp->type) {
    case LTUYA_DP_BOOL:
        return mp_obj_new_bool(dp->b);
    case LTUYA_DP_INT:
        return new_int64(dp->i);
    case LTUYA_DP_STR:
        if (dp->escaped) {
            /* unescaping never lengthens the text */
            vstr_t v;
            size_t n = 0;
            vstr_init(&v, dp->str.len + 1);
            if (ltuya_json_unescape(dp->str, v.buf, dp->str.len, &n) == LTUYA_OK) {
                mp_obj_t s = new_text(v.buf, n);
                vstr_clear(&v);
                return s;
            }
            vstr_clear(&v);
        }
        return new_text(dp->str.ptr, dp->str.len);
    case LTUYA_DP_RAW:
#if MICROPY_PY_BUILTINS_FLOAT
        /* a number the core did not take as an integer: a float */
        if (dp->str.len &&
            (dp->str.ptr[0] == '-' || (dp->str.ptr[0] >= '0' && dp->str.ptr[0] <= '9')))
            return mp_parse_num_decimal(dp->str.ptr, dp->str.len, false, false, NULL);
#endif
        /* objects and arrays: their JSON text, for json.loads() */
        return new_text(dp->str.ptr, dp->str.len);
    case LTUYA_DP_NULL:
    default:
        return mp_const_none;
    }
}

/* DP ids are numbers; the seed's keys are str ('20') or int (20). */
static uint16_t dp_id(mp_obj_t key)
{
    mp_int_t id;
    if (mp_obj_is_int(key)) {
        id = mp_obj_get_int(key);
    } else {
        size_t len;
        const char *s = mp_obj_str_get_data(key, &len);
        id = 0;
        if (len == 0 || len > 5)
            id = -1;
        for (size_t i = 0; i < len && id >= 0; i++)
            id = s[i] >= '0' && s[i] <= '9' ? id * 10 + (s[i] - '0') : -1;
    }
    if (id < 1 || id > 65535)
        mp_raise_ValueError(MP_ERROR_TEXT("ltuya: DP ids are numbers 1..65535"));
    return (uint16_t)id;
}

static mp_obj_t id_key(uint16_t id)
{
    char buf[6];
    size_t n = sizeof buf;
    do {
        buf[--n] = (char)('0' + id % 10);
        id /= 10;
    } while (id);
    return mp_obj_new_str(buf + n, sizeof buf - n);
}

/* A Python value as a DP to write. `keep` receives any object whose text
 * the DP points into (it must stay alive until the write is done). */
static ltuya_dp_t obj_to_dp(uint16_t id, mp_obj_t v, mp_obj_t *keep)
{
    *keep = mp_const_none;
    if (v == mp_const_none)
        return ltuya_dp_null(id);
    if (mp_obj_is_bool(v))
        return ltuya_dp_bool(id, mp_obj_is_true(v));
    if (mp_obj_is_int(v))
        return ltuya_dp_int(id, (int64_t)mp_obj_get_int(v)); /* Tuya values are 32-bit */
    if (mp_obj_is_str(v)) {
        size_t len;
        const char *s = mp_obj_str_get_data(v, &len);
        *keep = v;
        return ltuya_dp_str(id, s, len);
    }
#if MICROPY_PY_BUILTINS_FLOAT
    if (mp_obj_is_float(v)) {
        mp_float_t f = mp_obj_get_float(v);
        if (f != f || f - f != f - f) /* NaN or infinity: not JSON */
            mp_raise_ValueError(MP_ERROR_TEXT("ltuya: DP value is not a finite number"));
        vstr_t text;
        mp_print_t pr;
        vstr_init_print(&text, 16, &pr);
        mp_obj_print_helper(&pr, v, PRINT_REPR);
        *keep = mp_obj_new_str_from_vstr(&text);
        size_t len;
        const char *s = mp_obj_str_get_data(*keep, &len);
        ltuya_dp_t dp = ltuya_dp_null(id);
        dp.type = LTUYA_DP_RAW;
        dp.str.ptr = s;
        dp.str.len = len;
        return dp;
    }
#endif
    mp_raise_TypeError(MP_ERROR_TEXT("ltuya: DP values are bool, int, float, str or None"));
}

static mp_obj_t dps_to_dict(const ltuya_dps_t *dps)
{
    mp_obj_t d = mp_obj_new_dict(dps->count);
    for (size_t i = 0; i < dps->count; i++)
        mp_obj_dict_store(d, id_key(dps->dp[i].id), dp_to_obj(&dps->dp[i]));
    return d;
}

/* ---- debug log: frames only, never keys ----------------------------------- */

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void log_frame(void *user, bool outgoing, const uint8_t *raw, size_t len,
                      const ltuya_frame_t *f, ltuya_status_t st)
{
    (void)user;
    if (outgoing) {
        /* 55AA: seq at 4, cmd at 8; 6699: seq at 6, cmd at 10 */
        bool v6699 = len >= 18 && raw[2] == 0x66;
        uint32_t seq = len >= 16 ? be32(raw + (v6699 ? 6 : 4)) : 0;
        uint32_t cmd = len >= 16 ? be32(raw + (v6699 ? 10 : 8)) : 0;
        mp_printf(&mp_plat_print, "[ltuya] > cmd 0x%02x seq %u, %u bytes\n", (unsigned)cmd,
                  (unsigned)seq, (unsigned)len);
        return;
    }
    if (!f && st == LTUYA_NEED_MORE)
        return; /* the same frame comes again once decoded */
    if (!f) {
        mp_printf(&mp_plat_print, "[ltuya] < %u bytes: %s\n", (unsigned)len, ltuya_status_str(st));
        return;
    }
    mp_printf(&mp_plat_print, "[ltuya] < cmd 0x%02x seq %u ret %u, %u bytes", (unsigned)f->cmd,
              (unsigned)f->seq, (unsigned)f->retcode, (unsigned)len);
    if (f->payload_len && f->payload[0] == '{') {
        size_t n = f->payload_len < 200 ? f->payload_len : 200;
        mp_printf(&mp_plat_print, ": %.*s%s", (int)n, (const char *)f->payload,
                  n < f->payload_len ? "..." : "");
    }
    mp_printf(&mp_plat_print, "\n");
}

/* ---- construction -------------------------------------------------------- */

static void copy_arg(mp_obj_t o, char *dst, size_t cap, const char *what)
{
    size_t len;
    const char *s = mp_obj_is_str_or_bytes(o) ? mp_obj_str_get_data(o, &len) : NULL;
    if (!s || len == 0 || len >= cap || memchr(s, 0, len))
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("ltuya: bad %s"), what);
    memcpy(dst, s, len);
    dst[len] = 0;
}

static ltuya_version_t parse_version(mp_obj_t v)
{
    if (v == MP_OBJ_NULL || v == mp_const_none)
        return LTUYA_V33;
    /* the seed takes 3.3 or '3.3': str() gives the same text for both */
    mp_obj_t s = mp_obj_is_str(v) ? v : mp_call_function_1(MP_OBJ_FROM_PTR(&mp_type_str), v);
    ltuya_version_t out;
    if (ltuya_version_parse(mp_obj_str_get_str(s), &out) != LTUYA_OK)
        mp_raise_ValueError(MP_ERROR_TEXT("ltuya: version must be 3.1 .. 3.5"));
    return out;
}

static uint32_t timeout_ms(mp_obj_t t)
{
    if (t == mp_const_none)
        return 0; /* the core's default */
#if MICROPY_PY_BUILTINS_FLOAT
    mp_float_t s = mp_obj_get_float(t);
    if (!(s > (mp_float_t)0 && s < (mp_float_t)3600))
        mp_raise_ValueError(MP_ERROR_TEXT("ltuya: timeout must be 0 < t < 3600 s"));
    return (uint32_t)(s * (mp_float_t)1000);
#else
    mp_int_t s = mp_obj_get_int(t);
    if (s <= 0 || s >= 3600)
        mp_raise_ValueError(MP_ERROR_TEXT("ltuya: timeout must be 0 < t < 3600 s"));
    return (uint32_t)s * 1000u;
#endif
}

/* Device(ip, dev, key, version=3.3, debug=False, keep_alive=False, *, port=6668, timeout=None):
 * the seed's positional order, then the additions as keywords. */
static mp_obj_t mltuya_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw,
                                const mp_obj_t *all_args)
{
    enum {
        ARG_ip,
        ARG_dev,
        ARG_key,
        ARG_version,
        ARG_debug,
        ARG_keep_alive,
        ARG_port,
        ARG_timeout
    };
    static const mp_arg_t allowed[] = {
        {MP_QSTR_ip, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL}},
        {MP_QSTR_dev, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL}},
        {MP_QSTR_key, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL}},
        {MP_QSTR_version, MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL}},
        {MP_QSTR_debug, MP_ARG_BOOL, {.u_bool = false}},
        {MP_QSTR_keep_alive, MP_ARG_BOOL, {.u_bool = false}},
        {MP_QSTR_port, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = LTUYA_DEFAULT_PORT}},
        {MP_QSTR_timeout, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_obj = mp_const_none}},
    };
    mp_arg_val_t a[MP_ARRAY_SIZE(allowed)];
    mp_arg_parse_all_kw_array(n_args, n_kw, all_args, MP_ARRAY_SIZE(allowed), allowed, a);

    char host[64], id[LTUYA_MAX_ID + 1], key[LTUYA_KEY_LEN + 1];
    copy_arg(a[ARG_ip].u_obj, host, sizeof host, "ip");
    copy_arg(a[ARG_dev].u_obj, id, sizeof id, "device id");
    ltuya_version_t version = parse_version(a[ARG_version].u_obj);
    if (a[ARG_port].u_int < 1 || a[ARG_port].u_int > 65535)
        mp_raise_ValueError(MP_ERROR_TEXT("ltuya: port must be 1..65535"));
    uint32_t reply_ms = timeout_ms(a[ARG_timeout].u_obj);
    size_t key_len = 0;
    if (mp_obj_is_str_or_bytes(a[ARG_key].u_obj))
        mp_obj_str_get_data(a[ARG_key].u_obj, &key_len);
    if (key_len != LTUYA_KEY_LEN)
        mp_raise_ValueError(MP_ERROR_TEXT("ltuya: the local key must be 16 characters"));
    copy_arg(a[ARG_key].u_obj, key, sizeof key, "local key");

#if MICROPY_ENABLE_FINALISER && defined(mp_obj_malloc_with_finaliser)
    mltuya_obj_t *self = mp_obj_malloc_with_finaliser(mltuya_obj_t, type);
#elif MICROPY_ENABLE_FINALISER
    mltuya_obj_t *self = m_new_obj_with_finaliser(mltuya_obj_t);
    self->base.type = type;
#else
    mltuya_obj_t *self = mp_obj_malloc(mltuya_obj_t, type);
#endif
    self->open = false;
    self->debug = a[ARG_debug].u_bool;
    self->keep_alive = a[ARG_keep_alive].u_bool;
    self->port = (uint16_t)a[ARG_port].u_int;
    self->version = version;
    self->ip = mp_obj_new_str(host, strlen(host));
    self->did = mp_obj_new_str(id, strlen(id));
    memset(&self->reply, 0, sizeof self->reply);

    mltuya_platform_init(); /* the random source for the 3.4/3.5 handshake */
    mltuya_tcp_init(&self->tcp, &self->transport);

    ltuya_device_opts_t o;
    memset(&o, 0, sizeof o);
    o.client.host = host;
    o.client.port = self->port;
    o.client.dev_id = id;
    o.client.local_key = key;
    o.client.version = version;
    o.client.reply_timeout_ms = reply_ms;
    o.client.transport = &self->transport;
    o.client.clock = mltuya_clock();
    o.client.on_frame = self->debug ? log_frame : NULL;
    o.keep_alive = self->keep_alive;
    ltuya_status_t st =
        ltuya_device_init(&self->dev, &o, self->rx, sizeof self->rx, self->tx, sizeof self->tx);
    memset(key, 0, sizeof key); /* the context holds its own copy */
    if (st != LTUYA_OK)
        mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("ltuya: %s"), ltuya_status_str(st));
    self->open = true;
    return MP_OBJ_FROM_PTR(self);
}

/* ---- requests ------------------------------------------------------------ */

/* One status request; the reply's DPs are in self->reply afterwards. */
static void status(mltuya_obj_t *self)
{
    check(self, ltuya_device_status(&self->dev, &self->reply));
}

static mp_obj_t written(const ltuya_dp_t *dps, const mp_obj_t *values, size_t n)
{
    /* the seed returns the device's reply dict; ours has the same shape */
    mp_obj_t d = mp_obj_new_dict(n);
    for (size_t i = 0; i < n; i++)
        mp_obj_dict_store(d, id_key(dps[i].id), values[i]);
    mp_obj_t r = mp_obj_new_dict(1);
    mp_obj_dict_store(r, MP_OBJ_NEW_QSTR(MP_QSTR_dps), d);
    return r;
}

static mp_obj_t set_one(mltuya_obj_t *self, uint16_t id, mp_obj_t value)
{
    mp_obj_t keep;
    ltuya_dp_t dp = obj_to_dp(id, value, &keep);
    check(self, ltuya_device_set(&self->dev, &dp, 1));
    (void)keep;
    return written(&dp, &value, 1);
}

/* get_dps(key=None): all DPs as a dict with str keys, or one value (None if absent). */
static mp_obj_t mltuya_get_dps(size_t n_args, const mp_obj_t *args)
{
    mltuya_obj_t *self = get_open(args[0]);
    if (n_args > 1 && args[1] != mp_const_none) {
        uint16_t id = dp_id(args[1]);
        status(self);
        const ltuya_dp_t *dp = ltuya_dps_find(&self->reply, id);
        return dp ? dp_to_obj(dp) : mp_const_none;
    }
    status(self);
    return dps_to_dict(&self->reply);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mltuya_get_dps_obj, 1, 2, mltuya_get_dps);

/* get_data_raw(): the seed's {'dps': {...}} with devId and t when the device sent them. */
static mp_obj_t mltuya_get_data_raw(mp_obj_t self_in)
{
    mltuya_obj_t *self = get_open(self_in);
    status(self);
    mp_obj_t r = mp_obj_new_dict(3);
    if (self->reply.dev_id.len)
        mp_obj_dict_store(r, MP_OBJ_NEW_QSTR(MP_QSTR_devId),
                          new_text(self->reply.dev_id.ptr, self->reply.dev_id.len));
    mp_obj_dict_store(r, MP_OBJ_NEW_QSTR(MP_QSTR_dps), dps_to_dict(&self->reply));
    if (self->reply.has_t)
        mp_obj_dict_store(r, MP_OBJ_NEW_QSTR(MP_QSTR_t), new_int64(self->reply.t));
    return r;
}
static MP_DEFINE_CONST_FUN_OBJ_1(mltuya_get_data_raw_obj, mltuya_get_data_raw);

static mp_obj_t mltuya_set_dps(mp_obj_t self_in, mp_obj_t key, mp_obj_t value)
{
    mltuya_obj_t *self = get_open(self_in);
    return set_one(self, dp_id(key), value);
}
static MP_DEFINE_CONST_FUN_OBJ_3(mltuya_set_dps_obj, mltuya_set_dps);

/* set_multiple({1: True, 9: 0}): one write with every DP. */
static mp_obj_t mltuya_set_multiple(mp_obj_t self_in, mp_obj_t dict)
{
    mltuya_obj_t *self = get_open(self_in);
    if (!mp_obj_is_dict_or_ordereddict(dict))
        mp_raise_TypeError(MP_ERROR_TEXT("ltuya: set_multiple takes a dict {dp: value}"));
    mp_map_t *map = mp_obj_dict_get_map(dict);
    ltuya_dp_t dps[16];
    mp_obj_t values[16], keep[16];
    size_t n = 0;
    for (size_t i = 0; i < map->alloc; i++) {
        if (!mp_map_slot_is_filled(map, i))
            continue;
        if (n == MP_ARRAY_SIZE(dps))
            mp_raise_ValueError(MP_ERROR_TEXT("ltuya: at most 16 DPs per write"));
        values[n] = map->table[i].value;
        dps[n] = obj_to_dp(dp_id(map->table[i].key), values[n], &keep[n]);
        n++;
    }
    if (n == 0)
        mp_raise_ValueError(MP_ERROR_TEXT("ltuya: nothing to set"));
    check(self, ltuya_device_set(&self->dev, dps, n));
    return written(dps, values, n);
}
static MP_DEFINE_CONST_FUN_OBJ_2(mltuya_set_multiple_obj, mltuya_set_multiple);

static mp_obj_t mltuya_turn_on(mp_obj_t self_in)
{
    return set_one(get_open(self_in), 1, mp_const_true);
}
static MP_DEFINE_CONST_FUN_OBJ_1(mltuya_turn_on_obj, mltuya_turn_on);

static mp_obj_t mltuya_turn_off(mp_obj_t self_in)
{
    return set_one(get_open(self_in), 1, mp_const_false);
}
static MP_DEFINE_CONST_FUN_OBJ_1(mltuya_turn_off_obj, mltuya_turn_off);

/* set_switch(on): used by the seed's keep_alive example. */
static mp_obj_t mltuya_set_switch(mp_obj_t self_in, mp_obj_t on)
{
    return set_one(get_open(self_in), 1, mp_obj_new_bool(mp_obj_is_true(on)));
}
static MP_DEFINE_CONST_FUN_OBJ_2(mltuya_set_switch_obj, mltuya_set_switch);

static mp_obj_t mltuya_heartbeat(mp_obj_t self_in)
{
    mltuya_obj_t *self = get_open(self_in);
    check(self, ltuya_device_heartbeat(&self->dev));
    return mp_const_true;
}
static MP_DEFINE_CONST_FUN_OBJ_1(mltuya_heartbeat_obj, mltuya_heartbeat);

/* refresh(dps=None): ask the device to re-measure (UPDATEDPS); default 18, 19, 20. */
static mp_obj_t mltuya_refresh(size_t n_args, const mp_obj_t *args)
{
    mltuya_obj_t *self = get_open(args[0]);
    uint16_t ids[16];
    size_t n = 0;
    if (n_args > 1 && args[1] != mp_const_none) {
        size_t len;
        mp_obj_t *items;
        mp_obj_get_array(args[1], &len, &items);
        if (len == 0 || len > MP_ARRAY_SIZE(ids))
            mp_raise_ValueError(MP_ERROR_TEXT("ltuya: refresh takes 1 to 16 DP ids"));
        for (; n < len; n++)
            ids[n] = dp_id(items[n]);
    } else {
        for (; n < MP_ARRAY_SIZE(seed_energy_dps); n++)
            ids[n] = seed_energy_dps[n];
    }
    check(self, ltuya_device_refresh(&self->dev, ids, n));
    return mp_const_true;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mltuya_refresh_obj, 1, 2, mltuya_refresh);

/* Energy from a fresh status: 18/19/20 as in the seed, else the other usual layouts. */
static ltuya_energy_t energy(mltuya_obj_t *self)
{
    static const ltuya_energy_map_t guess; /* all zero: find the layout */
    ltuya_energy_t e;
    status(self);
    ltuya_energy_from_dps(&guess, &self->reply, &e);
    return e;
}

#if MICROPY_PY_BUILTINS_FLOAT
static mp_obj_t milli(bool has, int32_t v)
{
    /* the seed reads a missing DP as 0 */
    return mp_obj_new_float(has ? (mp_float_t)v / (mp_float_t)1000 : (mp_float_t)0);
}
#else
static mp_obj_t milli(bool has, int32_t v)
{
    return MP_OBJ_NEW_SMALL_INT(has ? v : 0); /* no floats: milli-units */
}
#endif

static bool is_on(mltuya_obj_t *self)
{
    status(self);
    const ltuya_dp_t *dp = ltuya_dps_find(&self->reply, 1);
    return dp && dp->type == LTUYA_DP_BOOL && dp->b;
}

static void print_fixed(int32_t v, bool tenths, const char *unit)
{
    /* v in thousandths, shown as the seed's .1f (tenths) or .3f */
    bool neg = v < 0;
    uint32_t a = (uint32_t)(neg ? -(int64_t)v : v);
    if (tenths) {
        a = (a + 50) / 100;
        mp_printf(&mp_plat_print, "%s%u.%u %s\n", neg ? "-" : "", (unsigned)(a / 10),
                  (unsigned)(a % 10), unit);
    } else {
        mp_printf(&mp_plat_print, "%s%u.%03u %s\n", neg ? "-" : "", (unsigned)(a / 1000),
                  (unsigned)(a % 1000), unit);
    }
}

/* print_status(): the seed's table, from one status request. */
static mp_obj_t mltuya_print_status(mp_obj_t self_in)
{
    mltuya_obj_t *self = get_open(self_in);
    static const ltuya_energy_map_t guess;
    ltuya_energy_t e;
    status(self);
    ltuya_energy_from_dps(&guess, &self->reply, &e);
    mp_obj_t dps = dps_to_dict(&self->reply);
    const ltuya_dp_t *sw = ltuya_dps_find(&self->reply, 1);
    static const char line[] = "----------------------------------------\n";
    mp_printf(&mp_plat_print, "%sDevice Status:\n%s  Switch : ", line, line);
    if (sw)
        mp_obj_print_helper(&mp_plat_print, dp_to_obj(sw), PRINT_STR);
    else
        mp_printf(&mp_plat_print, "N/A");
    mp_printf(&mp_plat_print, "\n  Voltage: ");
    print_fixed(e.has_voltage ? e.voltage_mv : 0, true, "V");
    mp_printf(&mp_plat_print, "  Current: ");
    print_fixed(e.has_current ? e.current_ma : 0, false, "A");
    mp_printf(&mp_plat_print, "  Power  : ");
    print_fixed(e.has_power ? e.power_mw : 0, true, "W");
    mp_printf(&mp_plat_print, "%s  Raw DPS: ", line);
    mp_obj_print_helper(&mp_plat_print, dps, PRINT_REPR);
    mp_printf(&mp_plat_print, "\n%s", line);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(mltuya_print_status_obj, mltuya_print_status);

static mp_obj_t mltuya_close(mp_obj_t self_in)
{
    mltuya_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (self->open)
        ltuya_device_close(&self->dev);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(mltuya_close_obj, mltuya_close);

/* __del__ (the finaliser) and deinit(): close and wipe the key. */
static mp_obj_t mltuya_deinit(mp_obj_t self_in)
{
    mltuya_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (self->open) {
        ltuya_device_deinit(&self->dev);
        self->open = false;
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(mltuya_deinit_obj, mltuya_deinit);

static mp_obj_t mltuya_enter(mp_obj_t self_in)
{
    return self_in;
}
static MP_DEFINE_CONST_FUN_OBJ_1(mltuya_enter_obj, mltuya_enter);

static mp_obj_t mltuya_exit(size_t n_args, const mp_obj_t *args)
{
    (void)n_args;
    return mltuya_close(args[0]);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mltuya_exit_obj, 4, 4, mltuya_exit);

/* ---- the type ------------------------------------------------------------ */

/* The seed's properties (each one a status request, as there) and its attributes. */
static void mltuya_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest)
{
    mltuya_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (dest[0] != MP_OBJ_NULL) {
        return; /* no stores or deletes: these are read-only */
    }
    switch (attr) {
    case MP_QSTR_voltage: {
        ltuya_energy_t e = energy(get_open(self_in));
        dest[0] = milli(e.has_voltage, e.voltage_mv);
        break;
    }
    case MP_QSTR_current: {
        ltuya_energy_t e = energy(get_open(self_in));
        dest[0] = milli(e.has_current, e.current_ma); /* mA: thousandths of A */
        break;
    }
    case MP_QSTR_power: {
        ltuya_energy_t e = energy(get_open(self_in));
        dest[0] = milli(e.has_power, e.power_mw);
        break;
    }
    case MP_QSTR_is_on:
        dest[0] = mp_obj_new_bool(is_on(get_open(self_in)));
        break;
    case MP_QSTR_ip:
        dest[0] = self->ip;
        break;
    case MP_QSTR_did:
        dest[0] = self->did;
        break;
    case MP_QSTR_version:
        dest[0] =
            new_text(ltuya_version_str(self->version), strlen(ltuya_version_str(self->version)));
        break;
    case MP_QSTR_port:
    case MP_QSTR_PORT:
        dest[0] = MP_OBJ_NEW_SMALL_INT(self->port);
        break;
    case MP_QSTR_keep_alive:
        dest[0] = mp_obj_new_bool(self->keep_alive);
        break;
    case MP_QSTR_debug:
        dest[0] = mp_obj_new_bool(self->debug);
        break;
    default:
        dest[1] = MP_OBJ_SENTINEL; /* methods: look in locals_dict */
        break;
    }
}

static void mltuya_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind)
{
    (void)kind;
    mltuya_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_printf(print, "<ltuya.Device %s:%u v%s%s>", mp_obj_str_get_str(self->ip),
              (unsigned)self->port, ltuya_version_str(self->version), self->open ? "" : " closed");
}

static const mp_rom_map_elem_t mltuya_locals_table[] = {
    {MP_ROM_QSTR(MP_QSTR_get_dps), MP_ROM_PTR(&mltuya_get_dps_obj)},
    {MP_ROM_QSTR(MP_QSTR_get_data_raw), MP_ROM_PTR(&mltuya_get_data_raw_obj)},
    {MP_ROM_QSTR(MP_QSTR_set_dps), MP_ROM_PTR(&mltuya_set_dps_obj)},
    {MP_ROM_QSTR(MP_QSTR_set_multiple), MP_ROM_PTR(&mltuya_set_multiple_obj)},
    {MP_ROM_QSTR(MP_QSTR_turn_on), MP_ROM_PTR(&mltuya_turn_on_obj)},
    {MP_ROM_QSTR(MP_QSTR_turn_off), MP_ROM_PTR(&mltuya_turn_off_obj)},
    {MP_ROM_QSTR(MP_QSTR_set_switch), MP_ROM_PTR(&mltuya_set_switch_obj)},
    {MP_ROM_QSTR(MP_QSTR_heartbeat), MP_ROM_PTR(&mltuya_heartbeat_obj)},
    {MP_ROM_QSTR(MP_QSTR_refresh), MP_ROM_PTR(&mltuya_refresh_obj)},
    {MP_ROM_QSTR(MP_QSTR_print_status), MP_ROM_PTR(&mltuya_print_status_obj)},
    {MP_ROM_QSTR(MP_QSTR_close), MP_ROM_PTR(&mltuya_close_obj)},
    {MP_ROM_QSTR(MP_QSTR_deinit), MP_ROM_PTR(&mltuya_deinit_obj)},
    {MP_ROM_QSTR(MP_QSTR___del__), MP_ROM_PTR(&mltuya_deinit_obj)},
    {MP_ROM_QSTR(MP_QSTR___enter__), MP_ROM_PTR(&mltuya_enter_obj)},
    {MP_ROM_QSTR(MP_QSTR___exit__), MP_ROM_PTR(&mltuya_exit_obj)},
};
static MP_DEFINE_CONST_DICT(mltuya_locals, mltuya_locals_table);

MP_DEFINE_CONST_OBJ_TYPE(mltuya_type_Device, MP_QSTR_Device, MP_TYPE_FLAG_NONE, make_new,
                         mltuya_make_new, print, mltuya_print, attr, mltuya_attr, locals_dict,
                         &mltuya_locals);

/* ---- the modules --------------------------------------------------------- */

static const mp_rom_map_elem_t mltuya_globals_table[] = {
    {MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_ltuya)},
    {MP_ROM_QSTR(MP_QSTR_Device), MP_ROM_PTR(&mltuya_type_Device)},
    {MP_ROM_QSTR(MP_QSTR_uTuya), MP_ROM_PTR(&mltuya_type_Device)},
    /* RAM one Device takes on the heap (one block), for sizing */
    {MP_ROM_QSTR(MP_QSTR_DEVICE_BYTES), MP_ROM_INT(sizeof(mltuya_obj_t))},
};
static MP_DEFINE_CONST_DICT(mltuya_globals, mltuya_globals_table);

const mp_obj_module_t mltuya_module = {
    .base = {&mp_type_module},
    .globals = (mp_obj_dict_t *)&mltuya_globals,
};
MP_REGISTER_MODULE(MP_QSTR_ltuya, mltuya_module);

/* `from tuya import uTuya`, as the seed's usage example imports it. Build
 * with -DMODULE_LTUYA_TUYA_ALIAS=0 if a tuya.py of your own must win. */
#ifndef MODULE_LTUYA_TUYA_ALIAS
#define MODULE_LTUYA_TUYA_ALIAS 1
#endif
#if MODULE_LTUYA_TUYA_ALIAS
static const mp_rom_map_elem_t mltuya_alias_globals_table[] = {
    {MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_tuya)},
    {MP_ROM_QSTR(MP_QSTR_uTuya), MP_ROM_PTR(&mltuya_type_Device)},
    {MP_ROM_QSTR(MP_QSTR_Device), MP_ROM_PTR(&mltuya_type_Device)},
};
static MP_DEFINE_CONST_DICT(mltuya_alias_globals, mltuya_alias_globals_table);

const mp_obj_module_t mltuya_alias_module = {
    .base = {&mp_type_module},
    .globals = (mp_obj_dict_t *)&mltuya_alias_globals,
};
MP_REGISTER_MODULE(MP_QSTR_tuya, mltuya_alias_module);
#endif
