/*
 * ltuya for MicroPython: the seed's uTuya API (README.md beside this file)
 * as a thin layer over the C core's client API (include/ltuya/client.h).
 *
 * One Python object holds the client context and its receive and transmit
 * buffers in a single heap block, so a Device costs one allocation and the
 * core itself allocates nothing. The network is MicroPython's own socket
 * module (mltuya_net.c), so the module runs on every port with a network.
 * Replies are turned into Python objects straight from the core's parse
 * (on_done), so no DP table is kept. Calls block like the seed's socket
 * calls (connect 3 s, reply 5 s by default) and raise OSError instead of
 * printing and returning None.
 *
 * The same source builds as a user C module (MP_REGISTER_MODULE below) and,
 * included by natmod/ltuya_natmod.c, as a native .mpy module.
 */
#include <string.h>

#include "mltuya_compat.h"
#include "mltuya_net.h"

#include "ltuya/client.h"
#include "ltuya/device.h"

/* The seed's plug reports energy on 18 (mA), 19 (W x10) and 20 (V x10). */
static const uint16_t seed_energy_dps[] = {18, 19, 20};

/* Buffers, sized to what the protocol needs rather than to the core's
 * worst case (LTUYA_MAX_FRAME): a request fits a device's 512-byte receive
 * buffer (protocol.md 1.3), and a plug's or bulb's status frame is under
 * 300 bytes (the 19-DP plug: 240 on 3.3, 270 on 3.5), so 768 leaves room;
 * max_frame= (up to LTUYA_MAX_FRAME) for devices with more to say. */
#ifndef MLTUYA_RX_DEFAULT
#define MLTUYA_RX_DEFAULT 768
#endif
#ifndef MLTUYA_TX_SIZE
#define MLTUYA_TX_SIZE 512
#endif
#define MLTUYA_RX_MIN 256

/* What on_done makes of a reply, for the Python call in progress. */
enum { WANT_NONE, WANT_DICT, WANT_RAW, WANT_ONE, WANT_ENERGY, WANT_IS_ON };

typedef struct {
    mp_obj_base_t base;
    bool open;  /* the client context is initialised (until deinit) */
    bool debug; /* log frames (never keys) */
    bool keep_alive;
    uint8_t want;     /* WANT_* for the call in progress */
    uint16_t want_id; /* the DP of WANT_ONE */
    uint16_t rx_cap;  /* buf[0 .. rx_cap) receives, the rest transmits */
    mp_obj_t result;  /* what on_done made, MP_OBJ_NULL if nothing */
    ltuya_energy_t energy;
    mltuya_net_t net;
    ltuya_transport_t transport;
    ltuya_client_t client;
    uint8_t buf[]; /* rx_cap + MLTUYA_TX_SIZE bytes */
} mltuya_obj_t;

/* ---- errors -------------------------------------------------------------- */

/* Errno-like codes so `except OSError as e: e.errno` works as with sockets. */
static int status_errno(ltuya_status_t st)
{
    switch (st) {
    case LTUYA_ERR_REFUSED:
        return mltuya_errno(MLTUYA_ECONNREFUSED);
    case LTUYA_ERR_UNREACHABLE:
        return mltuya_errno(MLTUYA_EHOSTUNREACH);
    case LTUYA_ERR_TIMEOUT:
    case LTUYA_ERR_NO_REPLY:
        return mltuya_errno(MLTUYA_ETIMEDOUT);
    case LTUYA_ERR_CLOSED:
    case LTUYA_ERR_RESET:
    case LTUYA_ERR_REJECTED:
    case LTUYA_ERR_CONN_LIMIT:
        return mltuya_errno(MLTUYA_ECONNRESET);
    case LTUYA_ERR_WRONG_KEY:
    case LTUYA_ERR_BAD_HMAC:
    case LTUYA_ERR_BAD_TAG:
    case LTUYA_ERR_BAD_PADDING:
    case LTUYA_ERR_HANDSHAKE:
        return mltuya_errno(MLTUYA_EACCES);
    default:
        return mltuya_errno(MLTUYA_EIO);
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
    case LTUYA_ERR_FRAME_TOO_LARGE:
        return " (pass a larger max_frame=)";
    default:
        return "";
    }
}

/* mp_printf into a fixed buffer: messages are built without a vstr (which a
 * native module cannot use) and cut at the buffer's end. */
typedef struct {
    char *p;
    size_t len, cap;
} fixed_buf_t;

static void fixed_strn(void *data, const char *str, size_t len)
{
    fixed_buf_t *b = data;
    size_t room = b->cap - 1 - b->len;
    if (len > room)
        len = room;
    memcpy(b->p + b->len, str, len);
    b->len += len;
    b->p[b->len] = 0;
}

static MP_NORETURN void raise_status(mltuya_obj_t *self, ltuya_status_t st)
{
    char text[160];
    fixed_buf_t b = {text, 0, sizeof text};
    mp_print_t pr = {&b, fixed_strn};
    text[0] = 0;
    mp_printf(&pr, "ltuya %s:%u: %s", self->client.host, (unsigned)self->client.opts.port,
              ltuya_status_str(st));
    if (st == LTUYA_ERR_DEVICE && self->open) {
        const char *dev_text = ltuya_client_device_error(&self->client);
        if (dev_text[0])
            mp_printf(&pr, ": %s", dev_text);
    }
    mp_printf(&pr, "%s", status_hint(st));
    mp_obj_t args[2] = {MP_OBJ_NEW_SMALL_INT(status_errno(st)), mp_obj_new_str(text, b.len)};
    nlr_raise(mp_call_function_n_kw(MP_OBJ_FROM_PTR(&mp_type_OSError), 2, 0, args));
}

static mltuya_obj_t *get_open(mp_obj_t self_in)
{
    mltuya_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (!self->open)
        mp_raise_ValueError(MP_ERROR_TEXT("ltuya: device is deinitialised"));
    return self;
}

/* ---- DP values <-> Python ------------------------------------------------ */

typedef struct {
    const char *p;
    size_t len;
    mp_obj_t out;
} text_op_t;

static void make_str(void *arg)
{
    text_op_t *op = arg;
    op->out = mp_obj_new_str(op->p, op->len);
}

static mp_obj_t new_text(const char *p, size_t len)
{
    /* device text is not always valid UTF-8: give bytes rather than fail */
    text_op_t op = {p, len, MP_OBJ_NULL};
    if (mltuya_protect(make_str, &op) == MP_OBJ_NULL)
        return op.out;
    return mp_obj_new_bytes((const byte *)p, len);
}

static mp_obj_t new_int64(int64_t v)
{
    if (sizeof(mp_int_t) >= sizeof v || (v >= INT32_MIN && v <= INT32_MAX))
        return mp_obj_new_int((mp_int_t)v);
    /* wider than a word on 32-bit ports: (high << 32) | low, in Python ints */
    mp_obj_t hi = mp_obj_new_int((mp_int_t)(v >> 32));
    mp_obj_t lo = mp_obj_new_int_from_uint((mp_uint_t)(uint32_t)v);
    hi = mp_binary_op(MP_BINARY_OP_LSHIFT, hi, MP_OBJ_NEW_SMALL_INT(32));
    return mp_binary_op(MP_BINARY_OP_OR, hi, lo);
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
            /* unescaping never lengthens the text; short ones on the C stack */
            char small[64];
            char *tmp = dp->str.len <= sizeof small ? small : m_malloc(dp->str.len);
            size_t n = 0;
            mp_obj_t s = MP_OBJ_NULL;
            if (ltuya_json_unescape(dp->str, tmp, dp->str.len, &n) == LTUYA_OK)
                s = new_text(tmp, n);
            if (tmp != small)
                m_del(char, tmp, dp->str.len);
            if (s != MP_OBJ_NULL)
                return s;
        }
        return new_text(dp->str.ptr, dp->str.len);
    case LTUYA_DP_RAW:
#if MICROPY_PY_BUILTINS_FLOAT
        /* a number the core did not take as an integer: a float */
        if (dp->str.len &&
            (dp->str.ptr[0] == '-' || (dp->str.ptr[0] >= '0' && dp->str.ptr[0] <= '9'))) {
            mp_obj_t text = mp_obj_new_str(dp->str.ptr, dp->str.len);
            return mp_call_function_n_kw(mp_load_global(MP_QSTR_float), 1, 0, &text);
        }
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

/* The dict key of a DP: its id as a str. A user C module interns it, so the
 * 19 keys of a plug cost heap once, not on every get_dps(); a native module
 * cannot make qstrs and allocates them (an existing qstr is reused). */
static mp_obj_t id_key(uint16_t id)
{
    char buf[6];
    size_t n = sizeof buf;
    do {
        buf[--n] = (char)('0' + id % 10);
        id /= 10;
    } while (id);
#if MICROPY_ENABLE_DYNRUNTIME
    return mp_obj_new_str(buf + n, sizeof buf - n);
#else
    return MP_OBJ_NEW_QSTR(qstr_from_strn(buf + n, sizeof buf - n));
#endif
}

static bool is_float(mp_obj_t v)
{
#if MICROPY_PY_BUILTINS_FLOAT
    return mltuya_type_is(v, MP_QSTR_float);
#else
    (void)v;
    return false;
#endif
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
    if (is_float(v)) {
        mp_float_t f = mp_obj_get_float(v);
        if (f != f || f - f != f - f) /* NaN or infinity: not JSON */
            mp_raise_ValueError(MP_ERROR_TEXT("ltuya: DP value is not a finite number"));
        *keep = mp_call_function_n_kw(mp_load_global(MP_QSTR_repr), 1, 0, &v);
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

/* ---- replies: made into Python objects as the core parses them ----------- */

static void convert_reply(void *arg)
{
    mltuya_obj_t *self = arg;
    const ltuya_dps_t *dps = (const ltuya_dps_t *)self->result;
    self->result = MP_OBJ_NULL;
    switch (self->want) {
    case WANT_DICT:
        self->result = dps_to_dict(dps);
        break;
    case WANT_RAW: {
        mp_obj_t r = mp_obj_new_dict(3);
        if (dps->dev_id.len)
            mp_obj_dict_store(r, MP_OBJ_NEW_QSTR(MP_QSTR_devId),
                              new_text(dps->dev_id.ptr, dps->dev_id.len));
        mp_obj_dict_store(r, MP_OBJ_NEW_QSTR(MP_QSTR_dps), dps_to_dict(dps));
        if (dps->has_t)
            mp_obj_dict_store(r, MP_OBJ_NEW_QSTR(MP_QSTR_t), new_int64(dps->t));
        self->result = r;
        break;
    }
    case WANT_ONE: {
        const ltuya_dp_t *dp = ltuya_dps_find(dps, self->want_id);
        self->result = dp ? dp_to_obj(dp) : mp_const_none;
        break;
    }
    case WANT_ENERGY:
        self->result = mp_const_none; /* on_done filled self->energy */
        break;
    case WANT_IS_ON: {
        const ltuya_dp_t *dp = ltuya_dps_find(dps, 1);
        self->result = mp_obj_new_bool(dp && dp->type == LTUYA_DP_BOOL && dp->b);
        break;
    }
    default:
        break;
    }
}

static void on_done(void *user, ltuya_req_t req, ltuya_status_t st, const ltuya_dps_t *dps)
{
    mltuya_obj_t *self = user;
    if (req != LTUYA_REQ_STATUS || st != LTUYA_OK || !dps || self->want == WANT_NONE)
        return;
    static const ltuya_energy_map_t guess; /* all zero: find the layout */
    ltuya_energy_from_dps(&guess, dps, &self->energy);
    /* the core is on the C stack below: nothing may raise through it */
    self->result = (mp_obj_t)dps;
    mp_obj_t exc = mltuya_protect(convert_reply, self);
    if (exc != MP_OBJ_NULL) {
        self->result = MP_OBJ_NULL;
        if (self->net.pending == MP_OBJ_NULL)
            self->net.pending = exc;
    }
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

static bool is_text(mp_obj_t o)
{
    return mp_obj_is_str(o) || mltuya_type_is(o, MP_QSTR_bytes);
}

static void copy_arg(mp_obj_t o, char *dst, size_t cap, const char *what)
{
    size_t len = 0;
    const char *s = is_text(o) ? mp_obj_str_get_data(o, &len) : NULL;
    if (!s || len == 0 || len >= cap || memchr(s, 0, len)) {
        char text[48];
        fixed_buf_t b = {text, 0, sizeof text};
        mp_print_t pr = {&b, fixed_strn};
        text[0] = 0;
        mp_printf(&pr, "ltuya: bad %s", what);
        mp_obj_t msg = mp_obj_new_str(text, b.len);
        nlr_raise(mp_call_function_n_kw(MP_OBJ_FROM_PTR(&mp_type_ValueError), 1, 0, &msg));
    }
    memcpy(dst, s, len);
    dst[len] = 0;
}

static ltuya_version_t parse_version(mp_obj_t v)
{
    if (v == MP_OBJ_NULL || v == mp_const_none)
        return LTUYA_V33;
    /* the seed takes 3.3 or '3.3': str() gives the same text for both */
    mp_obj_t s =
        mp_obj_is_str(v) ? v : mp_call_function_n_kw(mp_load_global(MP_QSTR_str), 1, 0, &v);
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

/* Device(ip, dev, key, version=3.3, debug=False, keep_alive=False, *, port=6668, timeout=None,
 * max_frame=768): the seed's positional order, then the additions as keywords. */
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
        ARG_timeout,
        ARG_max_frame
    };
    /* a native module's qstrs are numbered at load: no static table there */
    MLTUYA_QSTR_TABLE mp_arg_t allowed[] = {
        {MP_QSTR_ip, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL}},
        {MP_QSTR_dev, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL}},
        {MP_QSTR_key, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL}},
        {MP_QSTR_version, MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL}},
        {MP_QSTR_debug, MP_ARG_BOOL, {.u_bool = false}},
        {MP_QSTR_keep_alive, MP_ARG_BOOL, {.u_bool = false}},
        {MP_QSTR_port, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = LTUYA_DEFAULT_PORT}},
        {MP_QSTR_timeout, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_obj = MP_OBJ_NULL}},
        {MP_QSTR_max_frame, MP_ARG_KW_ONLY | MP_ARG_INT, {.u_int = MLTUYA_RX_DEFAULT}},
    };
    mp_arg_val_t a[MP_ARRAY_SIZE(allowed)];
    mp_arg_parse_all_kw_array(n_args, n_kw, all_args, MP_ARRAY_SIZE(allowed), allowed, a);

    char host[LTUYA_MAX_HOST + 1], id[LTUYA_MAX_ID + 1], key[LTUYA_KEY_LEN + 1];
    copy_arg(a[ARG_ip].u_obj, host, sizeof host, "ip");
    copy_arg(a[ARG_dev].u_obj, id, sizeof id, "device id");
    ltuya_version_t version = parse_version(a[ARG_version].u_obj);
    if (a[ARG_port].u_int < 1 || a[ARG_port].u_int > 65535)
        mp_raise_ValueError(MP_ERROR_TEXT("ltuya: port must be 1..65535"));
    mp_obj_t t = a[ARG_timeout].u_obj;
    uint32_t reply_ms = timeout_ms(t == MP_OBJ_NULL ? mp_const_none : t);
    mp_int_t rx_cap = a[ARG_max_frame].u_int;
    if (rx_cap < MLTUYA_RX_MIN || rx_cap > LTUYA_MAX_FRAME)
        mp_raise_ValueError(MP_ERROR_TEXT("ltuya: max_frame out of range"));
    size_t key_len = 0;
    if (is_text(a[ARG_key].u_obj))
        mp_obj_str_get_data(a[ARG_key].u_obj, &key_len);
    if (key_len != LTUYA_KEY_LEN)
        mp_raise_ValueError(MP_ERROR_TEXT("ltuya: the local key must be 16 characters"));
    copy_arg(a[ARG_key].u_obj, key, sizeof key, "local key");

    size_t size = sizeof(mltuya_obj_t) + (size_t)rx_cap + MLTUYA_TX_SIZE;
#if MICROPY_ENABLE_FINALISER && !MICROPY_ENABLE_DYNRUNTIME
    mltuya_obj_t *self = m_malloc_with_finaliser(size);
#else
    mltuya_obj_t *self = m_malloc(size); /* natmod: no finaliser, deinit() closes */
#endif
    memset(self, 0, sizeof *self);
    self->base.type = type;
    self->debug = a[ARG_debug].u_bool;
    self->keep_alive = a[ARG_keep_alive].u_bool;
    self->rx_cap = (uint16_t)rx_cap;
    self->result = MP_OBJ_NULL;

    mltuya_net_random_init(); /* the random source for the 3.4/3.5 handshake */
    mltuya_net_init(&self->net, &self->transport);

    ltuya_client_opts_t o;
    memset(&o, 0, sizeof o);
    o.host = host;
    o.port = (uint16_t)a[ARG_port].u_int;
    o.dev_id = id;
    o.local_key = key;
    o.version = version;
    o.reply_timeout_ms = reply_ms;
    o.transport = &self->transport;
    o.clock = &self->net.clock;
    o.on_done = on_done;
    o.on_frame = self->debug ? log_frame : NULL;
    o.user = self;
    ltuya_status_t st = ltuya_client_init(&self->client, &o, self->buf, (size_t)rx_cap,
                                          self->buf + rx_cap, MLTUYA_TX_SIZE);
    memset(key, 0, sizeof key); /* the context holds its own copy */
    if (st != LTUYA_OK) {
        mp_obj_t msg = mp_obj_new_str(ltuya_status_str(st), strlen(ltuya_status_str(st)));
        nlr_raise(mp_call_function_n_kw(MP_OBJ_FROM_PTR(&mp_type_ValueError), 1, 0, &msg));
    }
    self->open = true;
    return MP_OBJ_FROM_PTR(self);
}

/* ---- requests ------------------------------------------------------------ */

/* One request, start to end: on_done fills self->result (WANT_*); the
 * connection closes afterwards unless keep_alive. Raises on failure. */
static void request(mltuya_obj_t *self, ltuya_req_t req, uint8_t want, const ltuya_dp_t *dps,
                    size_t n)
{
    self->want = want;
    self->result = MP_OBJ_NULL;
    memset(&self->energy, 0, sizeof self->energy);
    ltuya_status_t st = ltuya_client_call(&self->client, req, dps, n, NULL);
    self->want = WANT_NONE;
    if (!self->keep_alive)
        ltuya_client_close(&self->client);
    mltuya_net_check(&self->net); /* Ctrl-C, MemoryError: as they were */
    if (st != LTUYA_OK)
        raise_status(self, st);
}

static mp_obj_t status(mltuya_obj_t *self, uint8_t want)
{
    request(self, LTUYA_REQ_STATUS, want, NULL, 0);
    if (self->result == MP_OBJ_NULL) /* a reply without DPs */
        return want == WANT_DICT ? mp_obj_new_dict(0) : mp_const_none;
    return self->result;
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
    request(self, LTUYA_REQ_SET, WANT_NONE, &dp, 1);
    (void)keep;
    return written(&dp, &value, 1);
}

/* get_dps(key=None): all DPs as a dict with str keys, or one value (None if absent). */
static mp_obj_t mltuya_get_dps(size_t n_args, const mp_obj_t *args)
{
    mltuya_obj_t *self = get_open(args[0]);
    if (n_args > 1 && args[1] != mp_const_none) {
        self->want_id = dp_id(args[1]);
        return status(self, WANT_ONE);
    }
    return status(self, WANT_DICT);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mltuya_get_dps_obj, 1, 2, mltuya_get_dps);

/* get_data_raw(): the seed's {'dps': {...}} with devId and t when the device sent them. */
static mp_obj_t mltuya_get_data_raw(mp_obj_t self_in)
{
    mltuya_obj_t *self = get_open(self_in);
    mp_obj_t r = status(self, WANT_RAW);
    if (r == mp_const_none) {
        r = mp_obj_new_dict(1);
        mp_obj_dict_store(r, MP_OBJ_NEW_QSTR(MP_QSTR_dps), mp_obj_new_dict(0));
    }
    return r;
}
static MP_DEFINE_CONST_FUN_OBJ_1(mltuya_get_data_raw_obj, mltuya_get_data_raw);

static mp_obj_t mltuya_set_dps(mp_obj_t self_in, mp_obj_t key, mp_obj_t value)
{
    mltuya_obj_t *self = get_open(self_in);
    return set_one(self, dp_id(key), value);
}
static MP_DEFINE_CONST_FUN_OBJ_3(mltuya_set_dps_obj, mltuya_set_dps);

static bool is_dict(mp_obj_t o)
{
    return mltuya_type_is(o, MP_QSTR_dict) || mltuya_type_is(o, MP_QSTR_OrderedDict);
}

/* set_multiple({1: True, 9: 0}): one write with every DP. */
static mp_obj_t mltuya_set_multiple(mp_obj_t self_in, mp_obj_t dict)
{
    mltuya_obj_t *self = get_open(self_in);
    if (!is_dict(dict))
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
    request(self, LTUYA_REQ_SET, WANT_NONE, dps, n);
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
    request(self, LTUYA_REQ_HEARTBEAT, WANT_NONE, NULL, 0);
    return mp_const_true;
}
static MP_DEFINE_CONST_FUN_OBJ_1(mltuya_heartbeat_obj, mltuya_heartbeat);

/* refresh(dps=None): ask the device to re-measure (UPDATEDPS); default 18, 19, 20. */
static mp_obj_t mltuya_refresh(size_t n_args, const mp_obj_t *args)
{
    mltuya_obj_t *self = get_open(args[0]);
    ltuya_dp_t which[16];
    size_t n = 0;
    if (n_args > 1 && args[1] != mp_const_none) {
        size_t len;
        mp_obj_t *items;
        mp_obj_get_array(args[1], &len, &items);
        if (len == 0 || len > MP_ARRAY_SIZE(which))
            mp_raise_ValueError(MP_ERROR_TEXT("ltuya: refresh takes 1 to 16 DP ids"));
        for (; n < len; n++)
            which[n] = ltuya_dp_null(dp_id(items[n]));
    } else {
        for (; n < MP_ARRAY_SIZE(seed_energy_dps); n++)
            which[n] = ltuya_dp_null(seed_energy_dps[n]);
    }
    request(self, LTUYA_REQ_REFRESH, WANT_NONE, which, n);
    return mp_const_true;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mltuya_refresh_obj, 1, 2, mltuya_refresh);

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

static void print_obj(mp_obj_t o, qstr how)
{
    /* str() or repr() then the text: the same in both builds */
    mp_obj_t s = mp_call_function_n_kw(mp_load_global(how), 1, 0, &o);
    mp_printf(&mp_plat_print, "%s", mp_obj_str_get_str(s));
}

/* print_status(): the seed's table, from one status request. */
static mp_obj_t mltuya_print_status(mp_obj_t self_in)
{
    mltuya_obj_t *self = get_open(self_in);
    mp_obj_t dps = status(self, WANT_DICT);
    ltuya_energy_t e = self->energy; /* on_done took it from the same reply */
    mp_obj_t one = id_key(1);
    mp_obj_t sw = mltuya_call_method(dps, MP_QSTR_get, 1, &one);
    static const char line[] = "----------------------------------------\n";
    mp_printf(&mp_plat_print, "%sDevice Status:\n%s  Switch : ", line, line);
    if (sw != mp_const_none)
        print_obj(sw, MP_QSTR_str);
    else
        mp_printf(&mp_plat_print, "N/A");
    mp_printf(&mp_plat_print, "\n  Voltage: ");
    print_fixed(e.has_voltage ? e.voltage_mv : 0, true, "V");
    mp_printf(&mp_plat_print, "  Current: ");
    print_fixed(e.has_current ? e.current_ma : 0, false, "A");
    mp_printf(&mp_plat_print, "  Power  : ");
    print_fixed(e.has_power ? e.power_mw : 0, true, "W");
    mp_printf(&mp_plat_print, "%s  Raw DPS: ", line);
    print_obj(dps, MP_QSTR_repr);
    mp_printf(&mp_plat_print, "\n%s", line);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(mltuya_print_status_obj, mltuya_print_status);

static mp_obj_t mltuya_close(mp_obj_t self_in)
{
    mltuya_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (self->open)
        ltuya_client_close(&self->client);
    mltuya_net_check(&self->net);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(mltuya_close_obj, mltuya_close);

/* deinit(): close and wipe the key. */
static mp_obj_t mltuya_deinit(mp_obj_t self_in)
{
    mltuya_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (self->open) {
        ltuya_client_deinit(&self->client);
        self->open = false;
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(mltuya_deinit_obj, mltuya_deinit);

/* __del__, the finaliser: close and wipe the key. From MicroPython 1.25
 * the collector runs every finaliser before it frees any block, so the
 * socket object is still whole here (its own finaliser, if it has one, may
 * have closed it already: closing is idempotent). Before 1.25 it may be
 * freed already, so only the key is wiped and the port reclaims the socket
 * (the unix port's sockets have no finaliser: close() your Devices there). */
static mp_obj_t mltuya_del(mp_obj_t self_in)
{
    mltuya_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (self->open) {
#if defined(MICROPY_MAKE_VERSION) && MICROPY_VERSION >= MICROPY_MAKE_VERSION(1, 25, 0)
        mltuya_net_close(&self->net);
#endif
        self->net.sock = MP_OBJ_NULL;
        ltuya_client_deinit(&self->client);
        self->open = false;
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(mltuya_del_obj, mltuya_del);

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

static mp_obj_t energy_attr(mltuya_obj_t *self, qstr which)
{
    status(self, WANT_ENERGY);
    const ltuya_energy_t *e = &self->energy;
    if (which == MP_QSTR_voltage)
        return milli(e->has_voltage, e->voltage_mv);
    if (which == MP_QSTR_current)
        return milli(e->has_current, e->current_ma); /* mA: thousandths of A */
    return milli(e->has_power, e->power_mw);
}

static mp_obj_t cstr(const char *s)
{
    return new_text(s, strlen(s));
}

/* The seed's properties (each one a status request, as there) and its attributes. */
static void mltuya_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest)
{
    mltuya_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (dest[0] != MP_OBJ_NULL) {
        return; /* no stores or deletes: these are read-only */
    }
    if (attr == MP_QSTR_voltage || attr == MP_QSTR_current || attr == MP_QSTR_power) {
        dest[0] = energy_attr(get_open(self_in), attr);
    } else if (attr == MP_QSTR_is_on) {
        mp_obj_t on = status(get_open(self_in), WANT_IS_ON);
        dest[0] = on == mp_const_none ? mp_const_false : on;
    } else if (attr == MP_QSTR_ip) {
        dest[0] = cstr(self->client.host);
    } else if (attr == MP_QSTR_did) {
        dest[0] = cstr(self->client.dev_id);
    } else if (attr == MP_QSTR_version) {
        dest[0] = cstr(ltuya_version_str(self->client.opts.version));
    } else if (attr == MP_QSTR_port || attr == MP_QSTR_PORT) {
        dest[0] = MP_OBJ_NEW_SMALL_INT(self->client.opts.port);
    } else if (attr == MP_QSTR_keep_alive) {
        dest[0] = mp_obj_new_bool(self->keep_alive);
    } else if (attr == MP_QSTR_debug) {
        dest[0] = mp_obj_new_bool(self->debug);
    } else if (attr == MP_QSTR_max_frame) {
        dest[0] = MP_OBJ_NEW_SMALL_INT(self->rx_cap);
    } else {
        dest[1] = MP_OBJ_SENTINEL; /* methods: look in locals_dict */
    }
}

static void mltuya_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind)
{
    (void)kind;
    mltuya_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_printf(print, "<ltuya.Device %s:%u v%s%s>", self->client.host,
              (unsigned)self->client.opts.port, ltuya_version_str(self->client.opts.version),
              self->open ? "" : " closed");
}

/* The heap one Device takes with the default max_frame (one block; the
 * resolved address and the socket come on top, see README.md). */
#define MLTUYA_DEVICE_BYTES (sizeof(mltuya_obj_t) + MLTUYA_RX_DEFAULT + MLTUYA_TX_SIZE)

#if !MICROPY_ENABLE_DYNRUNTIME
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
    {MP_ROM_QSTR(MP_QSTR___del__), MP_ROM_PTR(&mltuya_del_obj)},
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
    {MP_ROM_QSTR(MP_QSTR_DEVICE_BYTES), MP_ROM_INT(MLTUYA_DEVICE_BYTES)},
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
#endif /* !MICROPY_ENABLE_DYNRUNTIME */
