/* session.c against the behaviour of firmware built on Tuya's own device SDK
 * (TuyaOpen; protocol.md section 4.4 and section 7 item 0): an ACK whose
 * return code is 1 in little-endian bytes, a push before the ACK, a refresh
 * nobody answers, and a push sealed with the local key right after the
 * handshake. Frames are made by hand; time is a number. */
#include <string.h>

#include "ltuya/handshake.h"
#include "ltuya/session.h"
#include "test_support.h"

static const uint8_t key[16] = "0123456789abcdef";
static const uint8_t other_key[16] = "fedcba9876543210";
static const char *id = "eb0123456789abcdefghij";

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

static ltuya_session_t s;
static uint8_t rx[LTUYA_MAX_FRAME], tx[2048];

static void open_session(ltuya_version_t v)
{
    ltuya_session_opts_t o = {0};
    o.version = v;
    o.dev_id = id;
    o.local_key = key;
    o.on_event = on_event;
    nevents = 0;
    ltuya_session_init(&s, &o, rx, sizeof rx, tx, sizeof tx);
}

static size_t take_output(uint8_t *out)
{
    const uint8_t *p;
    size_t n = ltuya_session_output(&s, &p);
    memcpy(out, p, n);
    ltuya_session_output_done(&s, n);
    return n;
}

/* The command of the one frame the session queued. */
static uint32_t sent_cmd(ltuya_version_t v)
{
    uint8_t buf[2048];
    size_t n = take_output(buf);
    ltuya_decode_opts_t o = {v, v >= LTUYA_V34 ? s.session_key : key, LTUYA_FROM_CLIENT};
    ltuya_frame_t f;
    assert_int_equal(ltuya_frame_decode_whole(buf, n, &o, &f), LTUYA_OK);
    return f.cmd;
}

/* A frame from the device, sealed with `k`. */
static size_t device_frame(ltuya_version_t v, const uint8_t *k, uint32_t cmd, uint32_t retcode,
                           const char *payload, uint8_t *out)
{
    ltuya_frame_spec_t f = {0};
    size_t n;
    f.version = v;
    f.key = k;
    f.seq = 0x1234;
    f.cmd = cmd;
    f.from_device = true;
    f.retcode = retcode;
    f.payload = (const uint8_t *)payload;
    f.payload_len = payload ? strlen(payload) : 0;
    f.header = cmd == LTUYA_CMD_STATUS && v != LTUYA_V31 ? LTUYA_HEADER_ON : LTUYA_HEADER_OFF;
    f.nonce = (const uint8_t *)"deviceiv0009";
    assert_int_equal(ltuya_frame_encode(&f, out, 512, &n), LTUYA_OK);
    return n;
}

static void feed(const uint8_t *f, size_t n, uint64_t now)
{
    assert_int_equal(ltuya_session_input(&s, f, n, now), LTUYA_OK);
}

/* 3.4/3.5: START, the device's RESP, our FINISH: ready. */
static void handshake(ltuya_version_t v)
{
    static const uint8_t lc[16] = "0123456789abcdef";
    uint8_t out[256], resp[48], frame[256];
    size_t n;
    ts_fixed_random(lc, sizeof lc); /* the client nonce (and GCM nonces: any bytes do) */
    open_session(v);
    assert_int_equal(ltuya_session_start(&s, 0), LTUYA_OK);
    take_output(out);
    assert_int_equal(ltuya_hs_resp_payload(key, lc, (const uint8_t *)"9876543210fedcba", resp),
                     LTUYA_OK);
    ltuya_frame_spec_t f = {0};
    f.version = v;
    f.key = key;
    f.seq = 0x4098;
    f.cmd = LTUYA_CMD_SESS_KEY_NEG_RESP;
    f.from_device = true;
    f.payload = resp;
    f.payload_len = sizeof resp;
    f.nonce = (const uint8_t *)"deviceiv0001";
    assert_int_equal(ltuya_frame_encode(&f, frame, sizeof frame, &n), LTUYA_OK);
    feed(frame, n, 5);
    assert_true(ltuya_session_ready(&s));
    take_output(out); /* FINISH */
    nevents = 0;
}

/* TuyaOpen writes its CONTROL ACK's return code 1 in the CPU's byte order:
 * 01 00 00 00 on the wire, 16777216 read big-endian, with no payload, on
 * success. An empty ACK is success whatever its return code. */
static void test_native_endian_ack_is_success(void **state)
{
    (void)state;
    for (int v = 33; v <= 35; v += 2) {
        uint8_t f[512];
        if (v == 35)
            handshake(LTUYA_V35);
        else {
            open_session(LTUYA_V33);
            ltuya_session_start(&s, 0);
            nevents = 0;
        }
        ltuya_version_t ver = (ltuya_version_t)v;
        ltuya_dp_t off = ltuya_dp_bool(1, false);
        assert_int_equal(ltuya_session_request(&s, LTUYA_REQ_SET, &off, 1, 10), LTUYA_OK);
        uint32_t cmd = sent_cmd(ver);
        const uint8_t *k = v == 35 ? s.session_key : key;
        size_t n = device_frame(ver, k, cmd, 0x01000000u, NULL, f);
        feed(f, n, 11);
        assert_int_equal(nevents, 1);
        assert_int_equal(events[0].type, LTUYA_EV_DONE);
        assert_int_equal(events[0].req, LTUYA_REQ_SET);
        assert_int_equal(events[0].status, LTUYA_OK);
        /* a return code with text is still the device refusing */
        assert_int_equal(ltuya_session_request(&s, LTUYA_REQ_SET, &off, 1, 12), LTUYA_OK);
        sent_cmd(ver);
        n = device_frame(ver, k, cmd, 0x01000000u, "data format error", f);
        feed(f, n, 13);
        assert_int_equal(events[1].status, LTUYA_ERR_DEVICE);
    }
}

/* DPs are applied on another thread: the push may come first. */
static void test_push_before_ack(void **state)
{
    (void)state;
    uint8_t f[1024];
    open_session(LTUYA_V33);
    ltuya_session_start(&s, 0);
    nevents = 0;
    ltuya_dp_t off = ltuya_dp_bool(1, false);
    assert_int_equal(ltuya_session_request(&s, LTUYA_REQ_SET, &off, 1, 0), LTUYA_OK);
    sent_cmd(LTUYA_V33);
    size_t n =
        device_frame(LTUYA_V33, key, LTUYA_CMD_STATUS, 0, "{\"dps\":{\"1\":false},\"t\":1}", f);
    n += device_frame(LTUYA_V33, key, LTUYA_CMD_CONTROL, 0, NULL, f + n);
    feed(f, n, 1);
    assert_int_equal(nevents, 2);
    assert_int_equal(events[0].type, LTUYA_EV_PUSH);
    assert_false(event_dps[0].dp[0].b);
    assert_int_equal(events[1].type, LTUYA_EV_DONE);
    assert_int_equal(events[1].status, LTUYA_OK);
    assert_false(ltuya_session_busy(&s));
}

/* Refresh is best effort: unanswered for half the reply timeout, a status
 * query stands in; the caller still gets its refresh done, with the DPs. */
static void test_refresh_unanswered_falls_back_to_status(void **state)
{
    (void)state;
    uint8_t f[512];
    const uint64_t half = LTUYA_DEFAULT_REPLY_TIMEOUT_MS / 2;
    open_session(LTUYA_V33);
    ltuya_session_start(&s, 0);
    nevents = 0;
    assert_int_equal(ltuya_session_request(&s, LTUYA_REQ_REFRESH, NULL, 0, 0), LTUYA_OK);
    assert_int_equal(sent_cmd(LTUYA_V33), LTUYA_CMD_UPDATEDPS);
    assert_int_equal(ltuya_session_deadline(&s), half);
    assert_int_equal(ltuya_session_tick(&s, half - 1), LTUYA_OK);
    assert_int_equal(ltuya_session_output(&s, &(const uint8_t *){NULL}), 0);
    assert_int_equal(ltuya_session_tick(&s, half), LTUYA_OK);
    assert_int_equal(nevents, 0); /* not a timeout */
    assert_int_equal(sent_cmd(LTUYA_V33), LTUYA_CMD_DP_QUERY);
    /* a late answer to the refresh changes nothing */
    size_t n = device_frame(LTUYA_V33, key, LTUYA_CMD_UPDATEDPS, 0, NULL, f);
    n += device_frame(LTUYA_V33, key, LTUYA_CMD_DP_QUERY, 0,
                      "{\"devId\":\"x\",\"dps\":{\"1\":true,\"19\":848},\"t\":1}", f + n);
    feed(f, n, half + 10);
    assert_int_equal(nevents, 1);
    assert_int_equal(events[0].type, LTUYA_EV_DONE);
    assert_int_equal(events[0].req, LTUYA_REQ_REFRESH);
    assert_int_equal(events[0].status, LTUYA_OK);
    assert_int_equal(event_dps[0].count, 2);
    /* neither answered: a timeout of the request, the session stays up */
    assert_int_equal(ltuya_session_request(&s, LTUYA_REQ_REFRESH, NULL, 0, 10000), LTUYA_OK);
    sent_cmd(LTUYA_V33);
    ltuya_session_tick(&s, 10000 + half);
    sent_cmd(LTUYA_V33);
    assert_int_equal(ltuya_session_tick(&s, 10000 + half + LTUYA_DEFAULT_REPLY_TIMEOUT_MS),
                     LTUYA_OK);
    assert_int_equal(events[nevents - 1].type, LTUYA_EV_DONE);
    assert_int_equal(events[nevents - 1].status, LTUYA_ERR_TIMEOUT);
    assert_true(ltuya_session_ready(&s));
}

/* A DP changed while we connected: the device pushes it between its RESP and
 * our FINISH, sealed with the local key. It is read, not taken for a wrong
 * key; a frame under neither key after the handshake is dropped. */
static void test_push_sealed_with_local_key_after_handshake(void **state)
{
    (void)state;
    for (int v = 34; v <= 35; v++) {
        ltuya_version_t ver = (ltuya_version_t)v;
        uint8_t f[512];
        handshake(ver);
        size_t n = device_frame(ver, key, LTUYA_CMD_STATUS, 0,
                                "{\"protocol\":4,\"t\":1,\"data\":{\"dps\":{\"1\":false}}}", f);
        feed(f, n, 6);
        assert_int_equal(nevents, 1);
        assert_int_equal(events[0].type, LTUYA_EV_PUSH);
        assert_int_equal(event_dps[0].count, 1);
        assert_false(event_dps[0].dp[0].b);
        /* the session key works as before */
        assert_int_equal(ltuya_session_request(&s, LTUYA_REQ_STATUS, NULL, 0, 7), LTUYA_OK);
        uint32_t cmd = sent_cmd(ver);
        n = device_frame(ver, s.session_key, cmd, 0, "{\"dps\":{\"1\":false}}", f);
        feed(f, n, 8);
        assert_int_equal(events[1].type, LTUYA_EV_DONE);
        assert_int_equal(events[1].status, LTUYA_OK);
        /* a frame under another key: dropped, not a wrong key; the request times out */
        assert_int_equal(ltuya_session_request(&s, LTUYA_REQ_STATUS, NULL, 0, 9), LTUYA_OK);
        sent_cmd(ver);
        n = device_frame(ver, other_key, cmd, 0, "{\"dps\":{\"1\":true}}", f);
        feed(f, n, 10);
        assert_int_equal(nevents, 2);
        assert_true(ltuya_session_ready(&s));
        ltuya_session_tick(&s, 9 + LTUYA_DEFAULT_REPLY_TIMEOUT_MS);
        assert_int_equal(events[2].status, LTUYA_ERR_TIMEOUT);
        /* once the session key verified, a local-key frame is no longer expected */
        assert_false(s.key_settling);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_native_endian_ack_is_success),
        cmocka_unit_test(test_push_before_ack),
        cmocka_unit_test(test_refresh_unanswered_falls_back_to_status),
        cmocka_unit_test(test_push_sealed_with_local_key_after_handshake),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
