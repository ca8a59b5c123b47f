/* A scripted Tuya device behind a fake non-blocking transport and a fake
 * clock, for the readiness tests of client.c and engine.c: nothing sleeps,
 * nothing touches a socket. One device, one connection at a time; the test
 * decides when the connect completes, how many bytes each readable event
 * delivers and how the device answers. Included by one test file each. */
#ifndef FAKE_DEVICE_H
#define FAKE_DEVICE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ltuya/client.h"
#include "ltuya/handshake.h"
#include "test_support.h"

static const uint8_t fd_key[16] = "0123456789abcdef";

static struct {
    uint64_t now;
    ltuya_version_t version;
    /* connecting */
    ltuya_status_t start_result;  /* connect_start: LTUYA_OK, LTUYA_NEED_MORE or an error */
    ltuya_status_t finish_result; /* connect_finish */
    uint32_t start_takes_ms;      /* the clock moves this much inside connect_start (a lookup) */
    unsigned starts, finishes, closes;
    bool open; /* the device's side of the connection is up */
    bool conn; /* the client's socket exists (until it closes it) */
    /* the device */
    uint8_t out[8192];
    size_t out_len;
    size_t budget;          /* bytes the next recv calls may return (SIZE_MAX: all) */
    size_t per_read;        /* at most this many bytes per recv call (0: no limit) */
    unsigned recv_calls;    /* recv calls that returned data */
    bool silent;            /* never answer */
    bool close_after_first; /* the device drops the connection after the first frame */
    bool close_silent;      /* ... and also drops a connection that sends nothing */
    bool push_after_ack, push_before_ack, reject_writes;
    int send_override; /* nonzero: send returns this */
    bool dp1;
    int64_t dp2;
    bool has_dp2;
    unsigned controls, queries;
    uint64_t control_at[16];
    char last_control[256];
    uint8_t lc[16], session_key[16];
    bool keyed;
} fd_;

static unsigned fd_frames_in;    /* frames the device received */
static bool fd_closed_for_reads; /* reads report a close */

static uint64_t fd_clock_now(void *ctx)
{
    (void)ctx;
    return fd_.now;
}
static int64_t fd_clock_wall(void *ctx)
{
    (void)ctx;
    return 1700000000;
}
static void fd_clock_sleep(void *ctx, uint32_t ms)
{
    (void)ctx;
    fd_.now += ms;
}

static void fd_emit(uint32_t cmd, uint32_t seq, const char *json)
{
    ltuya_frame_spec_t s = {0};
    s.version = fd_.version;
    s.key = fd_.keyed ? fd_.session_key : fd_key;
    s.seq = seq;
    s.cmd = cmd;
    s.from_device = true;
    s.payload = (const uint8_t *)json;
    s.payload_len = json ? strlen(json) : 0;
    s.nonce = (const uint8_t *)"deviceiv0001";
    size_t n;
    assert_int_equal(
        ltuya_frame_encode(&s, fd_.out + fd_.out_len, sizeof fd_.out - fd_.out_len, &n), LTUYA_OK);
    fd_.out_len += n;
}

static void fd_state_json(char *buf, size_t cap, bool wrap)
{
    char dps[96];
    if (fd_.has_dp2)
        snprintf(dps, sizeof dps, "{\"1\":%s,\"2\":%lld}", fd_.dp1 ? "true" : "false",
                 (long long)fd_.dp2);
    else
        snprintf(dps, sizeof dps, "{\"1\":%s}", fd_.dp1 ? "true" : "false");
    if (wrap && fd_.version >= LTUYA_V34)
        snprintf(buf, cap, "{\"protocol\":4,\"t\":1,\"data\":{\"dps\":%s}}", dps);
    else
        snprintf(buf, cap, "{\"dps\":%s}", dps);
}

/* Apply a CONTROL payload's DP 1 (bool) and DP 2 (int) the simple way. */
static void fd_apply(const char *json)
{
    const char *p = strstr(json, "\"1\":");
    if (p)
        fd_.dp1 = strncmp(p + 4, "true", 4) == 0;
    p = strstr(json, "\"2\":");
    if (p) {
        fd_.dp2 = strtoll(p + 4, NULL, 10);
        fd_.has_dp2 = true;
    }
}

static void fd_on_frame(const ltuya_frame_t *f)
{
    char state[200];
    if (f->cmd == LTUYA_CMD_SESS_KEY_NEG_START) {
        uint8_t resp[LTUYA_HS_RESP_LEN];
        const uint8_t *ld = (const uint8_t *)"9876543210fedcba";
        memcpy(fd_.lc, f->payload, 16);
        assert_int_equal(ltuya_hs_resp_payload(fd_key, fd_.lc, ld, resp), LTUYA_OK);
        ltuya_frame_spec_t s = {0};
        s.version = fd_.version;
        s.key = fd_key;
        s.seq = 1;
        s.cmd = LTUYA_CMD_SESS_KEY_NEG_RESP;
        s.from_device = true;
        s.payload = resp;
        s.payload_len = sizeof resp;
        s.nonce = (const uint8_t *)"deviceiv0001";
        size_t n;
        assert_int_equal(
            ltuya_frame_encode(&s, fd_.out + fd_.out_len, sizeof fd_.out - fd_.out_len, &n),
            LTUYA_OK);
        fd_.out_len += n;
        assert_int_equal(ltuya_hs_session_key(fd_.version, fd_key, fd_.lc, ld, fd_.session_key),
                         LTUYA_OK);
        return;
    }
    if (f->cmd == LTUYA_CMD_SESS_KEY_NEG_FINISH) {
        fd_.keyed = true;
        return;
    }
    if (f->cmd == LTUYA_CMD_DP_QUERY || f->cmd == LTUYA_CMD_DP_QUERY_NEW) {
        fd_.queries++;
        fd_state_json(state, sizeof state, false);
        fd_emit(f->cmd, f->seq, state);
        return;
    }
    if (f->cmd == LTUYA_CMD_CONTROL || f->cmd == LTUYA_CMD_CONTROL_NEW) {
        char json[256];
        size_t n = f->payload_len < sizeof json - 1 ? f->payload_len : sizeof json - 1;
        memcpy(json, f->payload, n);
        json[n] = 0;
        if (fd_.controls < 16)
            fd_.control_at[fd_.controls] = fd_.now;
        fd_.controls++;
        snprintf(fd_.last_control, sizeof fd_.last_control, "%s", json);
        if (!fd_.reject_writes)
            fd_apply(json);
        fd_state_json(state, sizeof state, true);
        if (fd_.push_before_ack)
            fd_emit(LTUYA_CMD_STATUS, 0, state);
        fd_emit(f->cmd, f->seq, NULL);
        if (fd_.push_after_ack)
            fd_emit(LTUYA_CMD_STATUS, 0, state);
        return;
    }
    if (f->cmd == LTUYA_CMD_HEART_BEAT)
        fd_emit(f->cmd, f->seq, NULL);
}

static ltuya_status_t fd_connect_start(void *ctx, const char *host, uint16_t port)
{
    (void)ctx;
    (void)host;
    (void)port;
    fd_.starts++;
    fd_.now += fd_.start_takes_ms;
    fd_.out_len = 0;
    fd_.keyed = false;
    fd_.open = fd_.start_result == LTUYA_OK || fd_.start_result == LTUYA_NEED_MORE;
    fd_.conn = fd_.open;
    /* a client-limited device: every new connection is dropped, even a silent one */
    fd_closed_for_reads = fd_.close_silent && fd_.starts >= 2;
    return fd_.start_result;
}

static ltuya_status_t fd_connect_finish(void *ctx)
{
    (void)ctx;
    fd_.finishes++;
    if (fd_.finish_result != LTUYA_OK && fd_.finish_result != LTUYA_NEED_MORE)
        fd_.open = fd_.conn = false;
    return fd_.finish_result;
}

static int fd_handle(void *ctx)
{
    (void)ctx;
    return fd_.conn ? 7 : -1;
}

static int fd_send(void *ctx, const uint8_t *buf, size_t len)
{
    (void)ctx;
    if (fd_.send_override)
        return fd_.send_override;
    if (!fd_.open)
        return -LTUYA_ERR_CLOSED;
    fd_frames_in++;
    if (fd_.close_after_first) {
        fd_.open = false; /* reads report the close */
        return (int)len;
    }
    if (fd_.silent)
        return (int)len;
    uint8_t copy[1024];
    memcpy(copy, buf, len);
    ltuya_decode_opts_t o = {fd_.version, fd_.keyed ? fd_.session_key : fd_key, LTUYA_FROM_CLIENT};
    ltuya_frame_t f;
    assert_int_equal(ltuya_frame_decode_whole(copy, len, &o, &f), LTUYA_OK);
    fd_on_frame(&f);
    return (int)len;
}

static int fd_recv(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    if (fd_closed_for_reads || (!fd_.open && !fd_.out_len))
        return -LTUYA_ERR_CLOSED;
    size_t n = fd_.out_len < len ? fd_.out_len : len;
    if (n > fd_.budget)
        n = fd_.budget;
    if (fd_.per_read && n > fd_.per_read)
        n = fd_.per_read;
    if (!n)
        return 0;
    fd_.budget -= n;
    memcpy(buf, fd_.out, n);
    memmove(fd_.out, fd_.out + n, fd_.out_len - n);
    fd_.out_len -= n;
    fd_.recv_calls++;
    return (int)n;
}

/* The blocking API's wait: ready when there is something to read; else time passes. */
static ltuya_status_t fd_wait(void *ctx, bool want_write, uint32_t timeout_ms)
{
    (void)ctx;
    if (want_write || fd_.out_len || !fd_.open)
        return LTUYA_OK;
    fd_.now += timeout_ms;
    return LTUYA_ERR_TIMEOUT;
}

static void fd_close(void *ctx)
{
    (void)ctx;
    fd_.closes++;
    fd_.open = fd_.conn = false;
    fd_.out_len = 0;
}

static const ltuya_transport_t fd_transport = {
    NULL,     NULL, fd_send, fd_recv, fd_wait, fd_close, fd_connect_start, fd_connect_finish,
    fd_handle};
static const ltuya_clock_t fd_clock = {fd_clock_now, fd_clock_wall, fd_clock_sleep, NULL};

static void fd_reset(ltuya_version_t v)
{
    memset(&fd_, 0, sizeof fd_);
    fd_.version = v;
    fd_.now = 1000;
    fd_.start_result = LTUYA_NEED_MORE;
    fd_.finish_result = LTUYA_OK;
    fd_.budget = SIZE_MAX;
    fd_frames_in = 0;
    fd_closed_for_reads = false;
    ts_fixed_random((const uint8_t *)"0123456789abcdef", 16);
}

static void fd_client_opts(ltuya_client_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->host = "127.0.0.1";
    o->dev_id = "bf0123456789abcdefgh";
    o->local_key = "0123456789abcdef";
    o->version = fd_.version;
    o->transport = &fd_transport;
    o->clock = &fd_clock;
}

#endif
