/*
 * session.c at its edges: options, argument checks, buffers that are too
 * small, a random source that fails, damaged or unexpected frames, timers.
 * The main flows are in test_session.c; these pin down what happens off them.
 */
#include <stdio.h>
#include <string.h>

#include "ltuya/crypto.h"
#include "ltuya/handshake.h"
#include "ltuya/session.h"
#include "test_support.h"

static const uint8_t key[16] = "0123456789abcdef";
static const uint8_t other_key[16] = "fedcba9876543210";
static const char *id = "eb0123456789abcdefghij";

/* Random bytes: a fixed pattern, or a failure once `random_budget` calls are used up. */
static int random_budget = -1; /* -1: never fail */
static int counting_random(void *ctx, uint8_t *buf, size_t n)
{
    (void)ctx;
    if (random_budget == 0)
        return -1;
    if (random_budget > 0)
        random_budget--;
    memset(buf, 0x42, n);
    return 0;
}

static ltuya_event_t events[16];
static ltuya_dps_t event_dps[16];
static size_t nevents;
static void on_event(void *user, const ltuya_event_t *ev)
{
    (void)user;
    assert_true(nevents < 16);
    events[nevents] = *ev;
    if (ev->dps)
        event_dps[nevents] = *ev->dps;
    nevents++;
}
static const ltuya_event_t *last_event(void)
{
    assert_true(nevents > 0);
    return &events[nevents - 1];
}

/* Raw frame hook: what the session reported for incoming frames. */
static size_t nframes_in;
static ltuya_status_t last_in_status;
static bool last_in_had_frame;
static void on_frame(void *user, bool outgoing, const uint8_t *raw, size_t len,
                     const ltuya_frame_t *f, ltuya_status_t st)
{
    (void)user;
    (void)raw;
    (void)len;
    if (outgoing || st == LTUYA_NEED_MORE)
        return; /* only the decoded incoming ones */
    nframes_in++;
    last_in_status = st;
    last_in_had_frame = f != NULL;
}

static ltuya_session_t s;
static uint8_t rx[LTUYA_MAX_FRAME], tx[2048];

static ltuya_session_opts_t base_opts(ltuya_version_t v)
{
    ltuya_session_opts_t o = {0};
    o.version = v;
    o.dev_id = id;
    o.local_key = key;
    o.on_event = on_event;
    return o;
}

static void open_with(const ltuya_session_opts_t *o, size_t tx_cap)
{
    assert_true(tx_cap <= sizeof tx);
    nevents = 0;
    nframes_in = 0;
    random_budget = -1;
    ltuya_random_set_hook(counting_random, NULL);
    ltuya_session_init(&s, o, rx, sizeof rx, tx, tx_cap);
}

static void open_plain(ltuya_version_t v)
{
    ltuya_session_opts_t o = base_opts(v);
    open_with(&o, sizeof tx);
}

/* Take and drop whatever the session queued; returns its size. */
static size_t drain(void)
{
    const uint8_t *p;
    size_t n = ltuya_session_output(&s, &p);
    ltuya_session_output_done(&s, n);
    return n;
}

/* Decode the single frame the session queued, with the given key. */
static ltuya_frame_t sent;
static uint8_t sent_buf[2048];
static ltuya_status_t take_sent(const uint8_t *k)
{
    const uint8_t *p;
    size_t n = ltuya_session_output(&s, &p);
    assert_true(n > 0 && n <= sizeof sent_buf);
    memcpy(sent_buf, p, n);
    ltuya_session_output_done(&s, n);
    ltuya_decode_opts_t o = {s.opts.version, k, LTUYA_FROM_CLIENT};
    return ltuya_frame_decode_whole(sent_buf, n, &o, &sent);
}

static bool sent_contains(const char *text)
{
    return memmem(sent.payload, sent.payload_len, text, strlen(text)) != NULL;
}

/* A device frame for the session's version, encrypted with k. */
static size_t device_frame(ltuya_version_t v, const uint8_t *k, uint32_t cmd, uint32_t retcode,
                           const char *payload, uint8_t *out, size_t cap)
{
    ltuya_frame_spec_t f = {0};
    size_t n;
    f.version = v;
    f.key = k;
    f.cmd = cmd;
    f.from_device = true;
    f.retcode = retcode;
    f.payload = (const uint8_t *)payload;
    f.payload_len = payload ? strlen(payload) : 0;
    f.nonce = (const uint8_t *)"deviceiv0001";
    assert_int_equal(ltuya_frame_encode(&f, out, cap, &n), LTUYA_OK);
    return n;
}

static ltuya_status_t feed(const uint8_t *p, size_t n, uint64_t now)
{
    return ltuya_session_input(&s, p, n, now);
}

/* Feed a 3.3 device frame (local key). */
static ltuya_status_t feed33(uint32_t cmd, uint32_t retcode, const char *payload, uint64_t now)
{
    uint8_t f[1024];
    size_t n = device_frame(LTUYA_V33, key, cmd, retcode, payload, f, sizeof f);
    return feed(f, n, now);
}

/* The device's RESP to the session's START, with a given HMAC key and payload length. */
static size_t handshake_resp(ltuya_version_t v, const uint8_t *hmac_key, size_t len, uint8_t *out,
                             size_t cap)
{
    uint8_t resp[LTUYA_HS_RESP_LEN];
    assert_int_equal(
        ltuya_hs_resp_payload(hmac_key, s.lc, (const uint8_t *)"9876543210fedcba", resp), LTUYA_OK);
    ltuya_frame_spec_t f = {0};
    size_t n;
    f.version = v;
    f.key = key; /* the frame itself is always under the local key */
    f.cmd = LTUYA_CMD_SESS_KEY_NEG_RESP;
    f.from_device = true;
    f.payload = resp;
    f.payload_len = len;
    f.nonce = (const uint8_t *)"deviceiv0001";
    assert_int_equal(ltuya_frame_encode(&f, out, cap, &n), LTUYA_OK);
    return n;
}

/* 3.4/3.5: start, answer the START, drop the FINISH: READY. */
static void handshake(ltuya_version_t v)
{
    uint8_t f[256];
    assert_int_equal(ltuya_session_start(&s, 0), LTUYA_OK);
    drain();
    size_t n = handshake_resp(v, key, LTUYA_HS_RESP_LEN, f, sizeof f);
    assert_int_equal(feed(f, n, 1), LTUYA_OK);
    assert_true(ltuya_session_ready(&s));
    drain();
}

/* ---- init options ------------------------------------------------------ */

static void test_init_copies_and_clamps(void **state)
{
    (void)state;
    char long_id[LTUYA_MAX_ID + 10];
    memset(long_id, 'a', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = 0;
    char cid[] = "node42";
    ltuya_session_opts_t o = base_opts(LTUYA_V33);
    o.dev_id = long_id;
    o.cid = cid;
    o.local_key = NULL;
    o.reply_timeout_ms = 700;
    o.heartbeat_ms = 3000;
    open_with(&o, sizeof tx);
    /* the session uses the caller's strings (they must outlive it) */
    assert_ptr_equal(s.opts.cid, cid);
    /* no key given: an all-zero key, never the caller's pointer */
    uint8_t zero[16] = {0};
    assert_memory_equal(s.local_key, zero, 16);
    assert_null(s.opts.local_key);
    /* the timers given are the ones used */
    assert_int_equal(ltuya_session_start(&s, 100), LTUYA_OK);
    assert_int_equal(ltuya_session_deadline(&s), 100 + 3000);
    assert_int_equal(ltuya_session_request(&s, LTUYA_REQ_STATUS, NULL, 0, 200), LTUYA_OK);
    assert_int_equal(ltuya_session_deadline(&s), 200 + 700);
    /* a sub-device query names the cid */
    assert_int_equal(take_sent(zero), LTUYA_OK);
    assert_int_equal(sent.cmd, LTUYA_CMD_DP_QUERY);
    assert_true(sent_contains("\"cid\":\"node42\""));
}

static void test_init_device22_ids(void **state)
{
    (void)state;
    uint16_t ids[32];
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++)
        ids[i] = (uint16_t)(100 + i);
    ltuya_session_opts_t o = base_opts(LTUYA_V33);
    o.device22 = true;
    o.device22_dps = ids;
    o.device22_count = sizeof ids / sizeof *ids;
    open_with(&o, sizeof tx);
    ltuya_session_start(&s, 0);
    assert_int_equal(ltuya_session_request(&s, LTUYA_REQ_STATUS, NULL, 0, 0), LTUYA_OK);
    assert_int_equal(take_sent(key), LTUYA_OK);
    assert_int_equal(sent.cmd, LTUYA_CMD_CONTROL_NEW);
    assert_true(sent_contains("\"100\":null"));
    assert_true(sent_contains("\"131\":null")); /* the 32nd */
    assert_false(sent_contains("\"132\""));     /* only those given */
}

static void test_unsupported_version(void **state)
{
    (void)state;
    open_plain((ltuya_version_t)36);
    assert_int_equal(ltuya_session_start(&s, 0), LTUYA_ERR_UNSUPPORTED_VERSION);
    assert_int_equal(s.state, LTUYA_SESSION_IDLE);
    assert_int_equal(nevents, 0);
    assert_int_equal(ltuya_session_deadline(&s), UINT64_MAX); /* not running: no timer */
    assert_int_equal(ltuya_session_tick(&s, 1000000), LTUYA_OK);
    assert_int_equal(nevents, 0);
}

static void test_without_event_callback(void **state)
{
    (void)state;
    ltuya_session_opts_t o = base_opts(LTUYA_V33);
    o.on_event = NULL;
    open_with(&o, sizeof tx);
    assert_int_equal(ltuya_session_start(&s, 0), LTUYA_OK);
    assert_true(ltuya_session_ready(&s));
    assert_int_equal(ltuya_session_request(&s, LTUYA_REQ_STATUS, NULL, 0, 0), LTUYA_OK);
    assert_int_equal(feed33(LTUYA_CMD_DP_QUERY, 0, "{\"dps\":{\"1\":true}}", 1), LTUYA_OK);
    assert_false(ltuya_session_busy(&s)); /* finished, silently */
    assert_int_equal(nevents, 0);
}

/* ---- requests ------------------------------------------------------------ */

static void test_request_argument_checks(void **state)
{
    (void)state;
    open_plain(LTUYA_V33);
    ltuya_session_start(&s, 0);
    assert_int_equal(ltuya_session_request(&s, LTUYA_REQ_SET, NULL, 0, 0), LTUYA_ERR_INVALID_ARG);
    assert_int_equal(ltuya_session_request(&s, LTUYA_REQ_NONE, NULL, 0, 0), LTUYA_ERR_INVALID_ARG);
    assert_int_equal(ltuya_session_request(&s, (ltuya_req_t)99, NULL, 0, 0), LTUYA_ERR_INVALID_ARG);
    assert_false(ltuya_session_busy(&s));
    assert_int_equal(ltuya_session_output(&s, &(const uint8_t *){NULL}), 0); /* nothing sent */
}

static void test_heartbeat_request(void **state)
{
    (void)state;
    open_plain(LTUYA_V33);
    ltuya_session_start(&s, 0);
    assert_int_equal(ltuya_session_request(&s, LTUYA_REQ_HEARTBEAT, NULL, 0, 5), LTUYA_OK);
    assert_int_equal(ltuya_session_request(&s, LTUYA_REQ_HEARTBEAT, NULL, 0, 5), LTUYA_ERR_BUSY);
    assert_int_equal(ltuya_session_request(&s, LTUYA_REQ_STATUS, NULL, 0, 5), LTUYA_ERR_BUSY);
    assert_int_equal(take_sent(key), LTUYA_OK);
    assert_int_equal(sent.cmd, LTUYA_CMD_HEART_BEAT);
    assert_true(sent_contains("\"gwId\""));
    /* an error push while only a heartbeat is outstanding does not end it */
    assert_int_equal(feed33(LTUYA_CMD_STATUS, 1, "oops", 6), LTUYA_OK);
    assert_int_equal(nevents, 1); /* just READY */
    assert_true(ltuya_session_busy(&s));
    assert_int_equal(feed33(LTUYA_CMD_HEART_BEAT, 0, NULL, 7), LTUYA_OK);
    assert_int_equal(last_event()->type, LTUYA_EV_DONE);
    assert_int_equal(last_event()->req, LTUYA_REQ_HEARTBEAT);
    assert_int_equal(last_event()->status, LTUYA_OK);
    assert_false(ltuya_session_busy(&s));
}

static void test_refresh_with_ids(void **state)
{
    (void)state;
    open_plain(LTUYA_V33);
    ltuya_session_start(&s, 0);
    ltuya_dp_t dps[2] = {ltuya_dp_null(4), ltuya_dp_null(25)};
    assert_int_equal(ltuya_session_request(&s, LTUYA_REQ_REFRESH, dps, 2, 0), LTUYA_OK);
    assert_int_equal(take_sent(key), LTUYA_OK);
    assert_int_equal(sent.cmd, LTUYA_CMD_UPDATEDPS);
    assert_int_equal(sent.payload_len, strlen("{\"dpId\":[4,25]}"));
    assert_memory_equal(sent.payload, "{\"dpId\":[4,25]}", sent.payload_len);
}

/* Refresh by id (issue 10: REFRESH took a 24-byte ltuya_dp_t per 2-byte id):
 * the ids go out in order, past LTUYA_MAX_REFRESH they are cut, none means
 * the energy DPs, and the request is tracked like any other. */
static void test_refresh_by_ids(void **state)
{
    (void)state;
    open_plain(LTUYA_V33);
    ltuya_session_start(&s, 0);
    const uint16_t ids[3] = {4, 25, 65535};
    assert_int_equal(ltuya_session_refresh(&s, ids, 3, 0), LTUYA_OK);
    assert_true(ltuya_session_busy(&s));
    assert_int_equal(ltuya_session_refresh(&s, ids, 3, 0), LTUYA_ERR_BUSY);
    assert_int_equal(take_sent(key), LTUYA_OK);
    assert_int_equal(sent.cmd, LTUYA_CMD_UPDATEDPS);
    assert_int_equal(sent.payload_len, strlen("{\"dpId\":[4,25,65535]}"));
    assert_memory_equal(sent.payload, "{\"dpId\":[4,25,65535]}", sent.payload_len);
    feed33(LTUYA_CMD_UPDATEDPS, 0, NULL, 1);
    assert_false(ltuya_session_busy(&s));

    uint16_t many[LTUYA_MAX_REFRESH + 4];
    for (size_t i = 0; i < sizeof many / sizeof many[0]; i++)
        many[i] = (uint16_t)(100 + i);
    assert_int_equal(ltuya_session_refresh(&s, many, sizeof many / sizeof many[0], 2), LTUYA_OK);
    assert_int_equal(take_sent(key), LTUYA_OK);
    char last[16], cut[16];
    snprintf(last, sizeof last, "%u]", 100u + LTUYA_MAX_REFRESH - 1);
    snprintf(cut, sizeof cut, "%u", 100u + LTUYA_MAX_REFRESH);
    assert_true(sent_contains(last));
    assert_false(sent_contains(cut));
    feed33(LTUYA_CMD_UPDATEDPS, 0, NULL, 3);

    assert_int_equal(ltuya_session_refresh(&s, NULL, 0, 4), LTUYA_OK);
    assert_int_equal(take_sent(key), LTUYA_OK);
    assert_true(sent_contains("{\"dpId\":[18,19,20]}"));
    feed33(LTUYA_CMD_UPDATEDPS, 0, NULL, 5);
    assert_int_equal(ltuya_session_refresh(&s, NULL, 2, 6), LTUYA_ERR_INVALID_ARG);
}

static void test_header_overrides(void **state)
{
    (void)state;
    ltuya_session_opts_t o = base_opts(LTUYA_V33);
    o.header_on = 1ull << LTUYA_CMD_HEART_BEAT; /* normally without */
    o.header_off = 1ull << LTUYA_CMD_CONTROL;   /* normally with */
    o.header_version = 31;
    open_with(&o, sizeof tx);
    ltuya_session_start(&s, 0);
    ltuya_dp_t on = ltuya_dp_bool(1, true);
    assert_int_equal(ltuya_session_request(&s, LTUYA_REQ_SET, &on, 1, 0), LTUYA_OK);
    assert_int_equal(take_sent(key), LTUYA_OK);
    assert_int_equal(sent.cmd, LTUYA_CMD_CONTROL);
    assert_false(sent.has_version_header);
    feed33(LTUYA_CMD_CONTROL, 0, NULL, 1);
    assert_int_equal(ltuya_session_request(&s, LTUYA_REQ_HEARTBEAT, NULL, 0, 2), LTUYA_OK);
    assert_int_equal(take_sent(key), LTUYA_OK);
    assert_int_equal(sent.cmd, LTUYA_CMD_HEART_BEAT);
    assert_true(sent.has_version_header);
    assert_memory_equal(sent.version_header, "3.1", 3);
}

static void test_output_partial_then_compacted(void **state)
{
    (void)state;
    open_plain(LTUYA_V33);
    ltuya_session_start(&s, 0);
    ltuya_dp_t on = ltuya_dp_bool(1, true);
    const uint8_t *p;
    assert_int_equal(ltuya_session_request(&s, LTUYA_REQ_SET, &on, 1, 0), LTUYA_OK);
    size_t first = ltuya_session_output(&s, &p);
    uint8_t copy[2048];
    memcpy(copy, p, first);
    /* the socket took 10 bytes: the rest is still offered */
    ltuya_session_output_done(&s, 10);
    assert_int_equal(ltuya_session_output(&s, &p), first - 10);
    assert_memory_equal(p, copy + 10, first - 10);
    /* the write is acknowledged before the rest went out; the next request
     * queues behind the unsent tail, which moves to the buffer's start */
    assert_int_equal(feed33(LTUYA_CMD_CONTROL, 0, NULL, 1), LTUYA_OK);
    assert_int_equal(ltuya_session_request(&s, LTUYA_REQ_SET, &on, 1, 2), LTUYA_OK);
    size_t both = ltuya_session_output(&s, &p);
    assert_ptr_equal(p, tx);
    assert_memory_equal(p, copy + 10, first - 10);
    ltuya_decode_opts_t o = {LTUYA_V33, key, LTUYA_FROM_CLIENT};
    ltuya_frame_t f;
    assert_int_equal(both - (first - 10), first); /* same request, same size */
    memcpy(copy, p + first - 10, first);
    assert_int_equal(ltuya_frame_decode_whole(copy, first, &o, &f), LTUYA_OK);
    assert_int_equal(f.seq, 2);
    /* claiming more than was offered just empties the queue */
    ltuya_session_output_done(&s, both + 100);
    assert_int_equal(ltuya_session_output(&s, &p), 0);
    assert_int_equal(s.tx_off, 0);
}

static void test_tx_buffer_too_small(void **state)
{
    (void)state;
    ltuya_session_opts_t o = base_opts(LTUYA_V33);
    open_with(&o, 64); /* no 3.3 query or heartbeat fits */
    ltuya_session_start(&s, 0);
    assert_int_equal(ltuya_session_request(&s, LTUYA_REQ_STATUS, NULL, 0, 0),
                     LTUYA_ERR_BUF_TOO_SMALL);
    assert_false(ltuya_session_busy(&s));
    assert_int_equal(ltuya_session_output(&s, &(const uint8_t *){NULL}), 0);
    /* an automatic heartbeat that cannot be queued ends the session */
    assert_int_equal(ltuya_session_tick(&s, LTUYA_DEFAULT_HEARTBEAT_MS), LTUYA_ERR_BUF_TOO_SMALL);
    assert_int_equal(last_event()->type, LTUYA_EV_FAILED);
    assert_int_equal(last_event()->status, LTUYA_ERR_BUF_TOO_SMALL);
    /* a failed session takes no input and no requests */
    uint8_t f[256];
    size_t n =
        device_frame(LTUYA_V33, key, LTUYA_CMD_STATUS, 0, "{\"dps\":{\"1\":true}}", f, sizeof f);
    assert_int_equal(feed(f, n, 1), LTUYA_ERR_BAD_STATE);
    assert_int_equal(ltuya_session_tick(&s, LTUYA_DEFAULT_HEARTBEAT_MS * 2), LTUYA_OK);
    assert_int_equal(ltuya_session_deadline(&s), UINT64_MAX);
}

static void test_json_scratch_overflow(void **state)
{
    (void)state;
    /* a value longer than one request's JSON scratch */
    char big[600];
    memset(big, 'x', sizeof big);
    ltuya_dp_t dp = ltuya_dp_str(1, big, sizeof big);
    open_plain(LTUYA_V33);
    ltuya_session_start(&s, 0);
    assert_int_equal(ltuya_session_request(&s, LTUYA_REQ_SET, &dp, 1, 0), LTUYA_ERR_BUF_TOO_SMALL);
    assert_false(ltuya_session_busy(&s));
    /* a device22 query over 32 five-digit ids and a full-length id */
    uint16_t ids[32];
    for (size_t i = 0; i < 32; i++)
        ids[i] = (uint16_t)(60000 + i);
    char long_id[LTUYA_MAX_ID + 1];
    memset(long_id, 'd', LTUYA_MAX_ID);
    long_id[LTUYA_MAX_ID] = 0;
    ltuya_session_opts_t o = base_opts(LTUYA_V33);
    o.dev_id = long_id;
    o.device22 = true;
    o.device22_dps = ids;
    o.device22_count = 32;
    open_with(&o, sizeof tx);
    ltuya_session_start(&s, 0);
    assert_int_equal(ltuya_session_request(&s, LTUYA_REQ_STATUS, NULL, 0, 0),
                     LTUYA_ERR_BUF_TOO_SMALL);
    assert_false(ltuya_session_busy(&s));
    assert_int_equal(ltuya_session_output(&s, &(const uint8_t *){NULL}), 0);
}

/* ---- 3.4 / 3.5 ------------------------------------------------------------ */

static void test_keyed_requests_use_session_key(void **state)
{
    (void)state;
    for (int v = LTUYA_V34; v <= LTUYA_V35; v++) {
        open_plain((ltuya_version_t)v);
        handshake((ltuya_version_t)v);
        assert_int_equal(ltuya_session_request(&s, LTUYA_REQ_STATUS, NULL, 0, 2), LTUYA_OK);
        /* under the session key, not the local key */
        assert_int_equal(take_sent(s.session_key), LTUYA_OK);
        assert_int_equal(sent.cmd, LTUYA_CMD_DP_QUERY_NEW);
        uint8_t f[512];
        size_t n = device_frame((ltuya_version_t)v, s.session_key, LTUYA_CMD_DP_QUERY_NEW, 0,
                                "{\"dps\":{\"1\":true}}", f, sizeof f);
        assert_int_equal(feed(f, n, 3), LTUYA_OK);
        assert_int_equal(last_event()->type, LTUYA_EV_DONE);
        assert_int_equal(last_event()->status, LTUYA_OK);
        assert_true(event_dps[nevents - 1].dp[0].b);
        ltuya_dp_t off = ltuya_dp_bool(1, false);
        assert_int_equal(ltuya_session_request(&s, LTUYA_REQ_SET, &off, 1, 4), LTUYA_OK);
        assert_int_equal(take_sent(s.session_key), LTUYA_OK);
        assert_int_equal(sent.cmd, LTUYA_CMD_CONTROL_NEW);
        assert_true(sent_contains("\"protocol\":5"));
    }
}

static void test_random_failures(void **state)
{
    (void)state;
    /* 3.4: no client nonce, no handshake */
    open_plain(LTUYA_V34);
    random_budget = 0;
    assert_int_equal(ltuya_session_start(&s, 0), LTUYA_ERR_NO_RANDOM);
    assert_int_equal(s.state, LTUYA_SESSION_IDLE);
    assert_int_equal(ltuya_session_output(&s, &(const uint8_t *){NULL}), 0);
    /* 3.5: the START went out, but no GCM nonce is left for the FINISH */
    open_plain(LTUYA_V35);
    random_budget = 2; /* client nonce, START's GCM nonce */
    assert_int_equal(ltuya_session_start(&s, 0), LTUYA_OK);
    drain();
    uint8_t f[256];
    size_t n = handshake_resp(LTUYA_V35, key, LTUYA_HS_RESP_LEN, f, sizeof f);
    assert_int_equal(feed(f, n, 1), LTUYA_ERR_NO_RANDOM);
    assert_int_equal(last_event()->type, LTUYA_EV_FAILED);
    assert_int_equal(last_event()->status, LTUYA_ERR_NO_RANDOM);
    /* 3.5 after the handshake: a request without a nonce is refused, not sent */
    open_plain(LTUYA_V35);
    handshake(LTUYA_V35);
    random_budget = 0;
    assert_int_equal(ltuya_session_request(&s, LTUYA_REQ_STATUS, NULL, 0, 2), LTUYA_ERR_NO_RANDOM);
    assert_false(ltuya_session_busy(&s));
    assert_int_equal(ltuya_session_output(&s, &(const uint8_t *){NULL}), 0);
}

static void test_handshake_bad_replies(void **state)
{
    (void)state;
    uint8_t f[256];
    size_t n;
    /* a RESP proving a different key: wrong key */
    open_plain(LTUYA_V34);
    ltuya_session_start(&s, 0);
    drain();
    n = handshake_resp(LTUYA_V34, other_key, LTUYA_HS_RESP_LEN, f, sizeof f);
    assert_int_equal(feed(f, n, 1), LTUYA_ERR_WRONG_KEY);
    assert_int_equal(last_event()->status, LTUYA_ERR_WRONG_KEY);
    /* a RESP of the wrong size: a handshake error */
    open_plain(LTUYA_V34);
    ltuya_session_start(&s, 0);
    drain();
    n = handshake_resp(LTUYA_V34, key, LTUYA_HS_RESP_LEN - 1, f, sizeof f);
    assert_int_equal(feed(f, n, 1), LTUYA_ERR_HANDSHAKE);
    assert_int_equal(s.state, LTUYA_SESSION_FAILED);
    /* room for the START but not for the FINISH (a 32-byte HMAC, not 16 bytes) */
    ltuya_session_opts_t o = base_opts(LTUYA_V34);
    open_with(&o, 90); /* START is 84 bytes on 3.4, FINISH 100 */
    assert_int_equal(ltuya_session_start(&s, 0), LTUYA_OK);
    assert_int_equal(drain(), 84);
    n = handshake_resp(LTUYA_V34, key, LTUYA_HS_RESP_LEN, f, sizeof f);
    assert_int_equal(feed(f, n, 1), LTUYA_ERR_BUF_TOO_SMALL);
    assert_int_equal(s.state, LTUYA_SESSION_FAILED);
}

static void test_handshake_timeouts(void **state)
{
    (void)state;
    /* silence: NO_REPLY at the deadline, which deadline() announced */
    open_plain(LTUYA_V34);
    ltuya_session_start(&s, 1000);
    assert_int_equal(ltuya_session_deadline(&s), 1000 + LTUYA_DEFAULT_REPLY_TIMEOUT_MS);
    assert_int_equal(ltuya_session_tick(&s, 1000 + LTUYA_DEFAULT_REPLY_TIMEOUT_MS - 1), LTUYA_OK);
    assert_int_equal(s.state, LTUYA_SESSION_HANDSHAKE);
    assert_int_equal(ltuya_session_tick(&s, 1000 + LTUYA_DEFAULT_REPLY_TIMEOUT_MS),
                     LTUYA_ERR_NO_REPLY);
    /* something that is not a RESP is ignored; the device did talk, so a
     * handshake error rather than silence */
    open_plain(LTUYA_V34);
    ltuya_session_start(&s, 0);
    drain();
    uint8_t f[256];
    size_t n = device_frame(LTUYA_V34, key, LTUYA_CMD_HEART_BEAT, 0, NULL, f, sizeof f);
    assert_int_equal(feed(f, n, 1), LTUYA_OK);
    assert_int_equal(s.state, LTUYA_SESSION_HANDSHAKE);
    assert_int_equal(nevents, 0);
    assert_int_equal(ltuya_session_tick(&s, LTUYA_DEFAULT_REPLY_TIMEOUT_MS), LTUYA_ERR_HANDSHAKE);
    assert_int_equal(last_event()->status, LTUYA_ERR_HANDSHAKE);
}

/* ---- replies -------------------------------------------------------------- */

static void test_status_error_replies(void **state)
{
    (void)state;
    /* an error that is not the device22 complaint ends the query */
    open_plain(LTUYA_V33);
    ltuya_session_start(&s, 0);
    ltuya_session_request(&s, LTUYA_REQ_STATUS, NULL, 0, 0);
    drain();
    assert_int_equal(feed33(LTUYA_CMD_DP_QUERY, 1, "permission denied", 1), LTUYA_OK);
    assert_false(s.device22);
    assert_int_equal(last_event()->status, LTUYA_ERR_DEVICE);
    assert_int_equal(last_event()->device_error_len, 17);
    assert_int_equal(drain(), 0); /* not asked again */
    /* already in device22 mode: the complaint is final, no second fallback */
    ltuya_session_opts_t o = base_opts(LTUYA_V33);
    o.device22 = true;
    open_with(&o, sizeof tx);
    ltuya_session_start(&s, 0);
    ltuya_session_request(&s, LTUYA_REQ_STATUS, NULL, 0, 0);
    drain();
    assert_int_equal(feed33(LTUYA_CMD_CONTROL_NEW, 1, "data format error", 1), LTUYA_OK);
    assert_int_equal(last_event()->type, LTUYA_EV_DONE);
    assert_int_equal(last_event()->status, LTUYA_ERR_DEVICE);
    assert_int_equal(drain(), 0);
}

static void test_device22_fallback_cannot_send(void **state)
{
    (void)state;
    /* room for a plain query, not for the longer device22 one */
    ltuya_session_opts_t o = base_opts(LTUYA_V33);
    open_with(&o, 200);
    ltuya_session_start(&s, 0);
    assert_int_equal(ltuya_session_request(&s, LTUYA_REQ_STATUS, NULL, 0, 0), LTUYA_OK);
    drain();
    assert_int_equal(feed33(LTUYA_CMD_DP_QUERY, 1, "json obj data unvalid", 1),
                     LTUYA_ERR_BUF_TOO_SMALL);
    assert_int_equal(last_event()->type, LTUYA_EV_FAILED);
    assert_int_equal(s.state, LTUYA_SESSION_FAILED);
}

static void test_replies_without_dps(void **state)
{
    (void)state;
    open_plain(LTUYA_V33);
    ltuya_session_start(&s, 0);
    ltuya_session_request(&s, LTUYA_REQ_STATUS, NULL, 0, 0);
    drain();
    /* JSON that does not parse, or has no "dps": only an acknowledgement */
    assert_int_equal(feed33(LTUYA_CMD_DP_QUERY, 0, "{\"dps\":{\"1\":tru", 1), LTUYA_OK);
    assert_true(ltuya_session_busy(&s));
    assert_true(s.req_acked);
    assert_int_equal(nevents, 1);
    /* pushes without values are not events */
    assert_int_equal(feed33(LTUYA_CMD_STATUS, 0, "{\"t\":1700000000}", 2), LTUYA_OK);
    assert_int_equal(feed33(LTUYA_CMD_STATUS, 0, "{broken", 3), LTUYA_OK);
    assert_int_equal(nevents, 1);
    /* a heartbeat reply beside the request leaves it waiting */
    assert_int_equal(feed33(LTUYA_CMD_HEART_BEAT, 0, NULL, 4), LTUYA_OK);
    assert_true(ltuya_session_busy(&s));
    /* an error under another command (cmd 8) ends it */
    assert_int_equal(feed33(LTUYA_CMD_STATUS, 2, "dp not supported", 5), LTUYA_OK);
    assert_int_equal(last_event()->type, LTUYA_EV_DONE);
    assert_int_equal(last_event()->status, LTUYA_ERR_DEVICE);
    assert_int_equal(last_event()->device_error_len, 16);
    /* with nothing outstanding, the same error is dropped */
    assert_int_equal(feed33(LTUYA_CMD_STATUS, 2, "dp not supported", 6), LTUYA_OK);
    assert_int_equal(nevents, 2);
}

static void test_nonzero_retcode_without_text_is_an_ack(void **state)
{
    (void)state;
    open_plain(LTUYA_V33);
    ltuya_session_start(&s, 0);
    ltuya_dp_t on = ltuya_dp_bool(1, true);
    ltuya_session_request(&s, LTUYA_REQ_SET, &on, 1, 0);
    drain();
    assert_int_equal(feed33(LTUYA_CMD_CONTROL, 1, NULL, 1), LTUYA_OK);
    assert_int_equal(last_event()->type, LTUYA_EV_DONE);
    assert_int_equal(last_event()->status, LTUYA_OK);
    assert_null(last_event()->device_error);
    /* values with a non-zero return code are still values */
    ltuya_session_request(&s, LTUYA_REQ_STATUS, NULL, 0, 2);
    drain();
    assert_int_equal(feed33(LTUYA_CMD_DP_QUERY, 1, "{\"dps\":{\"2\":7}}", 3), LTUYA_OK);
    assert_int_equal(last_event()->status, LTUYA_OK);
    assert_int_equal(event_dps[nevents - 1].dp[0].i, 7);
}

static void test_damaged_frames_are_dropped(void **state)
{
    (void)state;
    ltuya_session_opts_t o = base_opts(LTUYA_V33);
    o.on_frame = on_frame;
    open_with(&o, sizeof tx);
    ltuya_session_start(&s, 0);
    ltuya_session_request(&s, LTUYA_REQ_STATUS, NULL, 0, 0);
    drain();
    uint8_t f[512];
    size_t n =
        device_frame(LTUYA_V33, key, LTUYA_CMD_DP_QUERY, 0, "{\"dps\":{\"1\":true}}", f, sizeof f);
    /* a flipped CRC bit: reported to the frame hook, dropped, the request waits */
    f[n - 5] ^= 1;
    assert_int_equal(feed(f, n, 1), LTUYA_OK);
    assert_int_equal(nframes_in, 1);
    assert_int_equal(last_in_status, LTUYA_ERR_BAD_CRC);
    assert_false(last_in_had_frame);
    assert_true(ltuya_session_busy(&s));
    assert_false(s.got_frame);
    /* a header announcing a frame larger than LTUYA_MAX_FRAME is skipped */
    static const uint8_t huge[] = {0x00, 0x00, 0x55, 0xaa, 0,    0,    0, 1, 0, 0,
                                   0,    10,   0,    0,    0x7f, 0xff, 0, 0, 0, 0};
    assert_int_equal(feed(huge, sizeof huge, 2), LTUYA_OK);
    assert_true(ltuya_session_busy(&s));
    /* and the stream recovers: the real reply still completes the request */
    f[n - 5] ^= 1;
    assert_int_equal(feed(f, n, 3), LTUYA_OK);
    assert_int_equal(last_in_status, LTUYA_OK);
    assert_true(last_in_had_frame);
    assert_int_equal(last_event()->type, LTUYA_EV_DONE);
    assert_int_equal(last_event()->status, LTUYA_OK);
}

/* ---- timers --------------------------------------------------------------- */

static void test_deadlines(void **state)
{
    (void)state;
    const uint64_t T = LTUYA_DEFAULT_REPLY_TIMEOUT_MS, H = LTUYA_DEFAULT_HEARTBEAT_MS;
    open_plain(LTUYA_V33);
    ltuya_session_start(&s, 0);
    /* idle: the next heartbeat */
    assert_int_equal(ltuya_session_deadline(&s), H);
    assert_int_equal(ltuya_session_tick(&s, H), LTUYA_OK);
    assert_true(s.hb_pending);
    drain();
    /* a heartbeat in flight, not due yet */
    assert_int_equal(ltuya_session_deadline(&s), H + T);
    assert_int_equal(ltuya_session_tick(&s, H + 1), LTUYA_OK);
    assert_int_equal(drain(), 0); /* no second heartbeat */
    /* a request started at the same instant: the earlier of equal deadlines */
    assert_int_equal(ltuya_session_request(&s, LTUYA_REQ_STATUS, NULL, 0, H), LTUYA_OK);
    assert_int_equal(ltuya_session_deadline(&s), H + T);
    /* a request started later: the heartbeat's comes first */
    feed33(LTUYA_CMD_DP_QUERY, 0, "{\"dps\":{\"1\":true}}", H + 2);
    assert_int_equal(ltuya_session_request(&s, LTUYA_REQ_STATUS, NULL, 0, H + 3), LTUYA_OK);
    assert_int_equal(ltuya_session_deadline(&s), H + T);
    /* the heartbeat answered: only the request's remains */
    feed33(LTUYA_CMD_HEART_BEAT, 0, NULL, H + 4);
    assert_int_equal(ltuya_session_deadline(&s), H + 3 + T);

    /* heartbeats switched off: no timer when idle, and tick sends nothing */
    ltuya_session_opts_t o = base_opts(LTUYA_V33);
    o.heartbeat_ms = UINT32_MAX;
    open_with(&o, sizeof tx);
    ltuya_session_start(&s, 0);
    assert_int_equal(ltuya_session_deadline(&s), UINT64_MAX);
    assert_int_equal(ltuya_session_tick(&s, 10 * H), LTUYA_OK);
    assert_int_equal(drain(), 0);
    assert_int_equal(ltuya_session_request(&s, LTUYA_REQ_STATUS, NULL, 0, 10 * H), LTUYA_OK);
    assert_int_equal(ltuya_session_deadline(&s), 10 * H + T);
}

static void test_heartbeat_edges(void **state)
{
    (void)state;
    /* an id full of characters that JSON escapes still fits the heartbeat */
    char quotes[LTUYA_MAX_ID + 1];
    memset(quotes, '"', LTUYA_MAX_ID);
    quotes[LTUYA_MAX_ID] = 0;
    ltuya_session_opts_t o = base_opts(LTUYA_V33);
    o.dev_id = quotes;
    open_with(&o, sizeof tx);
    ltuya_session_start(&s, 0);
    assert_int_equal(ltuya_session_tick(&s, LTUYA_DEFAULT_HEARTBEAT_MS), LTUYA_OK);
    assert_true(s.hb_pending);
    assert_int_equal(take_sent(key), LTUYA_OK);
    assert_int_equal(sent.cmd, LTUYA_CMD_HEART_BEAT);
    assert_true(sent_contains("\"devId\":\"\\\"\\\""));
    /* a bare reply without a return code (an 8-byte body) answers it too */
    uint8_t f[24] = {0x00, 0x00, 0x55, 0xaa, 0, 0, 0, 7, 0, 0, 0, LTUYA_CMD_HEART_BEAT, 0, 0, 0, 8};
    uint32_t crc = ltuya_crc32(0, f, 16);
    for (int i = 0; i < 4; i++)
        f[16 + i] = (uint8_t)(crc >> (24 - 8 * i));
    f[22] = 0xaa;
    f[23] = 0x55;
    assert_int_equal(feed(f, sizeof f, LTUYA_DEFAULT_HEARTBEAT_MS + 1), LTUYA_OK);
    assert_false(s.hb_pending);
    assert_true(s.got_frame);
    assert_int_equal(s.state, LTUYA_SESSION_READY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_copies_and_clamps),
        cmocka_unit_test(test_init_device22_ids),
        cmocka_unit_test(test_unsupported_version),
        cmocka_unit_test(test_without_event_callback),
        cmocka_unit_test(test_request_argument_checks),
        cmocka_unit_test(test_heartbeat_request),
        cmocka_unit_test(test_refresh_with_ids),
        cmocka_unit_test(test_refresh_by_ids),
        cmocka_unit_test(test_header_overrides),
        cmocka_unit_test(test_output_partial_then_compacted),
        cmocka_unit_test(test_tx_buffer_too_small),
        cmocka_unit_test(test_json_scratch_overflow),
        cmocka_unit_test(test_keyed_requests_use_session_key),
        cmocka_unit_test(test_random_failures),
        cmocka_unit_test(test_handshake_bad_replies),
        cmocka_unit_test(test_handshake_timeouts),
        cmocka_unit_test(test_status_error_replies),
        cmocka_unit_test(test_device22_fallback_cannot_send),
        cmocka_unit_test(test_replies_without_dps),
        cmocka_unit_test(test_nonzero_retcode_without_text_is_an_ack),
        cmocka_unit_test(test_damaged_frames_are_dropped),
        cmocka_unit_test(test_deadlines),
        cmocka_unit_test(test_heartbeat_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
