/* ltuya's transport, clocks and random source over MicroPython's socket,
 * select, time and os modules (mltuya_net.h). */
#include <string.h>

#include "mltuya_net.h"

#include "mbedtls/ctr_drbg.h"

/* select.POLLIN / POLLOUT are the stream poll flags on every port. */
#define POLL_RD MP_STREAM_POLL_RD
#define POLL_WR MP_STREAM_POLL_WR

static mp_obj_t import(qstr name)
{
    return mp_import_name(name, mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
}

static mp_obj_t small(mp_int_t v)
{
    return MP_OBJ_NEW_SMALL_INT(v);
}

/* A socket error as the transport contract's status. */
static ltuya_status_t from_errno(int e)
{
    if (e == mltuya_errno(MLTUYA_ECONNREFUSED))
        return LTUYA_ERR_REFUSED;
    if (e == mltuya_errno(MLTUYA_EHOSTUNREACH))
        return LTUYA_ERR_UNREACHABLE;
    if (e == mltuya_errno(MLTUYA_ETIMEDOUT) || e == mltuya_errno(MLTUYA_EINPROGRESS) ||
        e == mltuya_errno(MLTUYA_EAGAIN))
        return LTUYA_ERR_TIMEOUT; /* a blocking connect that ran out of time */
    if (e == mltuya_errno(MLTUYA_ECONNRESET) || e == mltuya_errno(MLTUYA_EPIPE) ||
        e == mltuya_errno(MLTUYA_ECONNABORTED))
        return LTUYA_ERR_RESET;
    if (e == mltuya_errno(MLTUYA_ENOTCONN))
        return LTUYA_ERR_CLOSED;
    return LTUYA_ERR_IO;
}

/* An exception caught around a Python call: a status for the core, and
 * anything that is not OSError kept for the module to raise. */
static ltuya_status_t caught(mltuya_net_t *net, mp_obj_t exc, ltuya_status_t not_os)
{
    int e = mltuya_oserror_errno(exc);
    if (e < 0) {
        if (net->pending == MP_OBJ_NULL)
            net->pending = exc;
        return not_os;
    }
    net->last_errno = e;
    /* -2 / -202 and the like: a getaddrinfo failure on some ports */
    return e <= 0 ? LTUYA_ERR_UNREACHABLE : from_errno(e);
}

/* ---- clocks ---------------------------------------------------------------- */

typedef struct {
    mltuya_net_t *net;
    mp_int_t value;
} time_op_t;

static void call_ticks_ms(void *arg)
{
    time_op_t *op = arg;
    op->value = mp_obj_get_int(mltuya_call_method(op->net->time_mod, MP_QSTR_ticks_ms, 0, NULL));
}

/* time.ticks_ms() wraps (at 2^30 on most ports): widen it by adding the
 * forward distance since the last reading, so the core sees 64-bit ms that
 * never go back. Called at least once per call, far more often than a wrap. */
static uint64_t clock_now_ms(void *ctx)
{
    mltuya_net_t *net = ctx;
    time_op_t op = {net, 0};
    mp_obj_t exc = mltuya_protect(call_ticks_ms, &op);
    if (exc != MP_OBJ_NULL) {
        caught(net, exc, LTUYA_ERR_IO);
        return net->ticks_high;
    }
    uint32_t now = (uint32_t)op.value;
    /* the period is a power of two above every value seen: 2^30 unless a
     * value says otherwise (a port with a 32-bit period) */
    uint32_t mask = now >= (1u << 30) || net->ticks_last >= (1u << 30) ? 0xffffffffu : 0x3fffffffu;
    uint32_t step = (now - net->ticks_last) & mask;
    net->ticks_high += step;
    net->ticks_last = now;
    return net->ticks_high;
}

static void call_time(void *arg)
{
    time_op_t *op = arg;
    mp_obj_t mod = op->net->time_mod;
    mp_obj_t t = mltuya_call_method(mod, MP_QSTR_time, 0, NULL);
    /* a float on the unix port, an int elsewhere */
#if MICROPY_PY_BUILTINS_FLOAT
    op->value = mp_obj_is_int(t) ? mp_obj_get_int(t) : (mp_int_t)mp_obj_get_float(t);
#else
    op->value = mp_obj_get_int(t);
#endif
    /* ports whose epoch is 2000: time.gmtime(0) says which, asked once */
    if (!op->net->epoch_known) {
        mp_obj_t zero = small(0);
        mp_obj_t tm = mltuya_call_method(mod, MP_QSTR_gmtime, 1, &zero);
        size_t n;
        mp_obj_t *f;
        mp_obj_get_array(tm, &n, &f);
        op->net->epoch_2000 = n > 0 && mp_obj_get_int(f[0]) == 2000;
        op->net->epoch_known = true;
    }
    if (op->net->epoch_2000)
        op->value += 946684800;
}

/* Read the wall clock (it allocates on some ports: time.time() is a float
 * on unix, and beyond 2^30 not a small int on 32-bit ports), so only at
 * connect; between connects it advances with ticks_ms. */
static void wall_sync(mltuya_net_t *net)
{
    time_op_t op = {net, 0};
    if (mltuya_protect(call_time, &op) != MP_OBJ_NULL)
        return; /* keep the last base */
    net->wall_base_s = op.value;
    net->wall_base_ms = clock_now_ms(net);
}

static int64_t clock_wall_s(void *ctx)
{
    mltuya_net_t *net = ctx;
    if (net->wall_base_ms == 0 && net->wall_base_s == 0)
        wall_sync(net);
    return net->wall_base_s + (int64_t)((clock_now_ms(net) - net->wall_base_ms) / 1000u);
}

static void call_sleep(void *arg)
{
    time_op_t *op = arg;
    mp_obj_t ms = small(op->value);
    mltuya_call_method(op->net->time_mod, MP_QSTR_sleep_ms, 1, &ms);
}

static void clock_sleep_ms(void *ctx, uint32_t ms)
{
    mltuya_net_t *net = ctx;
    time_op_t op = {net, (mp_int_t)ms};
    mp_obj_t exc = mltuya_protect(call_sleep, &op);
    if (exc != MP_OBJ_NULL)
        caught(net, exc, LTUYA_ERR_IO);
}

/* ---- random ---------------------------------------------------------------- */

/* os.urandom() makes a bytes object on every call, and 3.5 needs a fresh
 * nonce for every frame: so os.urandom() only seeds (and reseeds) mbedTLS's
 * CTR_DRBG (NIST SP 800-90A), which then gives the bytes without touching
 * the heap. One generator serves every Device (calls do not overlap). */
/* not static: a native module's zero-initialised data must be global */
mbedtls_ctr_drbg_context mltuya_drbg;
bool mltuya_drbg_ready;

typedef struct {
    uint8_t *buf;
    size_t n;
} random_op_t;

static void call_urandom(void *arg)
{
    random_op_t *op = arg;
    mp_obj_t n = small((mp_int_t)op->n);
    mp_obj_t b = mltuya_call_method(import(MP_QSTR_os), MP_QSTR_urandom, 1, &n);
    size_t len;
    const char *p = mp_obj_str_get_data(b, &len);
    if (len != op->n)
        mp_raise_ValueError(MP_ERROR_TEXT("urandom"));
    memcpy(op->buf, p, len);
}

static int entropy(void *ctx, unsigned char *buf, size_t n)
{
    (void)ctx;
    random_op_t op = {buf, n};
    return mltuya_protect(call_urandom, &op) == MP_OBJ_NULL ? 0 : -1;
}

static int random_hook(void *ctx, uint8_t *buf, size_t n)
{
    (void)ctx;
    if (!mltuya_drbg_ready) {
        mbedtls_ctr_drbg_init(&mltuya_drbg);
        static const unsigned char who[] = "ltuya micropython";
        if (mbedtls_ctr_drbg_seed(&mltuya_drbg, entropy, NULL, who, sizeof who - 1) != 0)
            return -1;
        mltuya_drbg_ready = true;
    }
    return mbedtls_ctr_drbg_random(&mltuya_drbg, buf, n) == 0 ? 0 : -1;
}

void mltuya_net_random_init(void)
{
    ltuya_random_set_hook(random_hook, NULL);
}

/* ---- the socket ------------------------------------------------------------ */

typedef struct {
    mltuya_net_t *net;
    const char *host;
    uint16_t port;
    uint32_t timeout_ms;
} connect_op_t;

static void call_resolve(void *arg)
{
    connect_op_t *op = arg;
    mp_obj_t args[2] = {mp_obj_new_str(op->host, strlen(op->host)), small(op->port)};
    mp_obj_t list = mltuya_call_method(op->net->socket_mod, MP_QSTR_getaddrinfo, 2, args);
    size_t n, m;
    mp_obj_t *items, *ai;
    mp_obj_get_array(list, &n, &items);
    if (n == 0)
        mp_raise_OSError(mltuya_errno(MLTUYA_EHOSTUNREACH));
    mp_obj_get_array(items[0], &m, &ai); /* (family, type, proto, canonname, address) */
    if (m < 5)
        mp_raise_OSError(mltuya_errno(MLTUYA_EHOSTUNREACH));
    op->net->family = ai[0];
    op->net->addr = ai[4];
}

static void call_connect(void *arg)
{
    connect_op_t *op = arg;
    mltuya_net_t *net = op->net;
    mp_obj_t mod = net->socket_mod;
    mp_obj_t args[2] = {net->family, mp_load_attr(mod, MP_QSTR_SOCK_STREAM)};
    mp_obj_t sock = mltuya_call_method(mod, MP_QSTR_socket, 2, args);
    net->sock = sock; /* closed by the caller if anything below fails */
    /* whole seconds need no float object */
    mp_obj_t t;
#if MICROPY_PY_BUILTINS_FLOAT
    if (op->timeout_ms % 1000u)
        t = mp_obj_new_float((mp_float_t)op->timeout_ms / (mp_float_t)1000);
    else
#endif
        t = small((mp_int_t)((op->timeout_ms + 999u) / 1000u));
    mltuya_call_method(sock, MP_QSTR_settimeout, 1, &t);
    mltuya_call_method(sock, MP_QSTR_connect, 1, &net->addr);
    mp_obj_t no = mp_const_false;
    mltuya_call_method(sock, MP_QSTR_setblocking, 1, &no);
}

/* Close through the stream protocol: no method call, nothing raised. */
static void tcp_close(void *ctx)
{
    mltuya_net_t *net = ctx;
    mp_obj_t sock = net->sock;
    if (sock == MP_OBJ_NULL)
        return;
    net->sock = MP_OBJ_NULL;
    int err = 0;
    mp_get_stream(sock)->ioctl(sock, MP_STREAM_CLOSE, 0, &err);
}

void mltuya_net_close(mltuya_net_t *net)
{
    tcp_close(net);
}

static ltuya_status_t tcp_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    mltuya_net_t *net = ctx;
    connect_op_t op = {net, host, port, timeout_ms};
    tcp_close(net);
    mp_obj_t exc;
    if (net->addr == MP_OBJ_NULL) {
        /* once per Device: the host and port never change */
        exc = mltuya_protect(call_resolve, &op);
        if (exc != MP_OBJ_NULL) {
            net->addr = MP_OBJ_NULL;
            return caught(net, exc, LTUYA_ERR_IO) == LTUYA_ERR_IO ? LTUYA_ERR_IO
                                                                  : LTUYA_ERR_UNREACHABLE;
        }
    }
    wall_sync(net);
    exc = mltuya_protect(call_connect, &op);
    if (exc == MP_OBJ_NULL)
        return LTUYA_OK;
    tcp_close(net); /* the socket exists, unconnected */
    return caught(net, exc, LTUYA_ERR_IO);
}

/* One non-blocking read or write through the stream protocol: no exception,
 * no allocation. */
static int stream_io(mltuya_net_t *net, bool write, uint8_t *buf, size_t len)
{
    if (net->sock == MP_OBJ_NULL)
        return -(int)LTUYA_ERR_CLOSED;
    const mp_stream_p_t *s = mp_get_stream(net->sock);
    int err = 0;
    mp_uint_t n = write ? s->write(net->sock, buf, len, &err) : s->read(net->sock, buf, len, &err);
    if (n == MP_STREAM_ERROR) {
        if (err == mltuya_errno(MLTUYA_EAGAIN))
            return 0;
        net->last_errno = err;
        ltuya_status_t st = from_errno(err);
        return -(int)(st == LTUYA_ERR_TIMEOUT ? LTUYA_ERR_IO : st);
    }
    if (n == 0 && !write)
        return -(int)LTUYA_ERR_CLOSED; /* end of stream: the peer closed */
    return (int)n;
}

static int tcp_send(void *ctx, const uint8_t *buf, size_t len)
{
    return stream_io(ctx, true, (uint8_t *)buf, len);
}

static int tcp_recv(void *ctx, uint8_t *buf, size_t len)
{
    return stream_io(ctx, false, buf, len);
}

/* The socket's readiness now, without waiting. */
static mp_uint_t ready(mltuya_net_t *net, mp_uint_t want)
{
    const mp_stream_p_t *s = mp_get_stream(net->sock);
    int err = 0;
    mp_uint_t r = s->ioctl(net->sock, MP_STREAM_POLL, want, &err);
    if (r == MP_STREAM_ERROR)
        return MP_STREAM_POLL_ERR;
    return r & (want | MP_STREAM_POLL_ERR | MP_STREAM_POLL_HUP | MP_STREAM_POLL_NVAL);
}

/* Readiness is the socket's own MP_STREAM_POLL, asked between 1 ms sleeps
 * (time.sleep_ms runs the port's event hook on a microcontroller). A
 * select.poll() object would sleep in poll() on unix, but it costs heap per
 * Device and per registration; this costs none. */
static ltuya_status_t tcp_wait(void *ctx, bool want_write, uint32_t timeout_ms)
{
    mltuya_net_t *net = ctx;
    if (net->sock == MP_OBJ_NULL)
        return LTUYA_ERR_CLOSED;
    mp_uint_t want = POLL_RD | (want_write ? POLL_WR : 0);
    uint64_t end = clock_now_ms(net) + timeout_ms;
    for (;;) {
        if (ready(net, want))
            return LTUYA_OK;
        if (clock_now_ms(net) >= end || net->pending != MP_OBJ_NULL)
            return LTUYA_ERR_TIMEOUT;
        clock_sleep_ms(net, 1);
    }
}

void mltuya_net_init(mltuya_net_t *net, ltuya_transport_t *t)
{
    memset(net, 0, sizeof *net);
    net->sock = MP_OBJ_NULL;
    net->addr = MP_OBJ_NULL;
    net->family = MP_OBJ_NULL;
    net->pending = MP_OBJ_NULL;
    net->socket_mod = import(MP_QSTR_socket);
    net->time_mod = import(MP_QSTR_time);
    net->clock.now_ms = clock_now_ms;
    net->clock.wall_s = clock_wall_s;
    net->clock.sleep_ms = clock_sleep_ms;
    net->clock.ctx = net;
    t->ctx = net;
    t->connect = tcp_connect;
    t->send = tcp_send;
    t->recv = tcp_recv;
    t->wait = tcp_wait;
    t->close = tcp_close;
}

void mltuya_net_check(mltuya_net_t *net)
{
    mp_obj_t exc = net->pending;
    if (exc != MP_OBJ_NULL) {
        net->pending = MP_OBJ_NULL;
        nlr_raise(exc);
    }
}
