/* session.c driven by hand-made device frames: no sockets, time as a number. */
#include <string.h>

#include "ltuya/handshake.h"
#include "ltuya/session.h"
#include "test_support.h"

static const uint8_t key[16] = "0123456789abcdef";
static const char *id = "eb0123456789abcdefghij";

/* Random bytes in a scripted order: the client nonce, then GCM nonces. */
static const uint8_t *script[8];
static size_t script_len[8], script_n, script_i;
static int scripted(void *ctx, uint8_t *buf, size_t n)
{
    (void)ctx;
    if (script_i < script_n && script_len[script_i] == n) {
        memcpy(buf, script[script_i++], n);
        return 0;
    }
    memset(buf, 0x42, n);
    return 0;
}
static void script_random(const char *a, const char *b)
{
    script_n = script_i = 0;
    if (a) {
        script[script_n] = (const uint8_t *)a;
        script_len[script_n++] = strlen(a);
    }
    if (b) {
        script[script_n] = (const uint8_t *)b;
        script_len[script_n++] = strlen(b);
    }
    ltuya_random_set_hook(scripted, NULL);
}

/* Events, recorded. */
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

#define GEN35_START                                                                                \
    "00006699000000000001000000030000002c636c69656e74697630303031b3906bef5d35ee9dfef8aa6b0938b9ba" \
    "516934eaa04fffe63720d3a6ae9a57d900009966"

static ltuya_session_t s;
static uint8_t rx[LTUYA_MAX_FRAME], tx[2048];

static void open_session(ltuya_version_t v, const uint8_t *k)
{
    ltuya_session_opts_t o = {0};
    o.version = v;
    o.dev_id = id;
    o.local_key = k;
    o.on_event = on_event;
    nevents = 0;
    ltuya_session_init(&s, &o, rx, sizeof rx, tx, sizeof tx);
}

/* Take the bytes the session wants to send. */
static size_t take_output(uint8_t *out)
{
    const uint8_t *p;
    size_t n = ltuya_session_output(&s, &p);
    memcpy(out, p, n);
    ltuya_session_output_done(&s, n);
    return n;
}

static void expect_output_hex(const char *hex)
{
    uint8_t want[512], got[2048];
    long wn = ts_unhex(hex, want, sizeof want);
    size_t gn = take_output(got);
    assert_int_equal(gn, (size_t)wn);
    assert_memory_equal(got, want, gn);
}

static void test_handshake_ready_and_session_key(void **state)
{
    (void)state;
    /* build the RESP like a device would, then check what the session does with it */
    for (int v = 34; v <= 35; v++) {
        script_random("0123456789abcdef", v == 35 ? "clientiv0001" : NULL);
        open_session((ltuya_version_t)v, key);
        assert_int_equal(ltuya_session_start(&s, 0), LTUYA_OK);
        /* START is the reference frame, byte for byte */
        expect_output_hex(v == 34 ? "000055aa00000001000000030000004472727e881edcfd0100a71868"
                                    "7909b565377222e061a924c591cd9c27ea163ed4d7dd1f9eb60b8cb5b9"
                                    "0748aa228534c62460d05b84665c9e692efc896dd77d680000aa55"
                                  : GEN35_START);
        uint8_t out[256];
        uint8_t resp[48], frame[256];
        size_t n;
        assert_int_equal(ltuya_hs_resp_payload(key, (const uint8_t *)"0123456789abcdef",
                                               (const uint8_t *)"9876543210fedcba", resp),
                         LTUYA_OK);
        ltuya_frame_spec_t f = {0};
        f.version = (ltuya_version_t)v;
        f.key = key;
        f.seq = 0x4098;
        f.cmd = LTUYA_CMD_SESS_KEY_NEG_RESP;
        f.from_device = true;
        f.payload = resp;
        f.payload_len = sizeof resp;
        f.nonce = (const uint8_t *)"deviceiv0001";
        assert_int_equal(ltuya_frame_encode(&f, frame, sizeof frame, &n), LTUYA_OK);
        script_random("clientiv0002", NULL);
        assert_int_equal(ltuya_session_input(&s, frame, n, 5), LTUYA_OK);
        assert_true(ltuya_session_ready(&s));
        assert_int_equal(nevents, 1);
        assert_int_equal(events[0].type, LTUYA_EV_READY);
        uint8_t want[16];
        ts_unhex(v == 34 ? "908f368b7415420a2fc8573ed691a24e" : "6b4b08fe2f61288c0a0a70e383dda4f4",
                 want, 16);
        assert_memory_equal(s.session_key, want, 16);
        /* the FINISH went out with seq 2 and the reference payload */
        size_t fl = take_output(out);
        ltuya_decode_opts_t o = {(ltuya_version_t)v, key, LTUYA_FROM_CLIENT};
        ltuya_frame_t fin;
        assert_int_equal(ltuya_frame_decode_whole(out, fl, &o, &fin), LTUYA_OK);
        assert_int_equal(fin.cmd, LTUYA_CMD_SESS_KEY_NEG_FINISH);
        assert_int_equal(fin.seq, 2);
        ts_unhex("b043432002ecb2390acf62f1c658ca52b0ba96caa4b148b2d7cfe3c5735149ea", want, 16);
        assert_memory_equal(fin.payload, want, 16);
        ltuya_session_deinit(&s);
        uint8_t zero[16] = {0};
        assert_memory_equal(s.session_key, zero, 16); /* wiped */
    }
}

static void test_handshake_wrong_key(void **state)
{
    (void)state;
    script_random("0123456789abcdef", NULL);
    open_session(LTUYA_V34, (const uint8_t *)"fedcba9876543210");
    assert_int_equal(ltuya_session_start(&s, 0), LTUYA_OK);
    uint8_t out[256];
    take_output(out);
    /* a RESP made by the device with its real key */
    uint8_t resp[48], frame[256];
    size_t n;
    ltuya_hs_resp_payload(key, (const uint8_t *)"0123456789abcdef",
                          (const uint8_t *)"9876543210fedcba", resp);
    ltuya_frame_spec_t f = {0};
    f.version = LTUYA_V34;
    f.key = key;
    f.cmd = LTUYA_CMD_SESS_KEY_NEG_RESP;
    f.from_device = true;
    f.payload = resp;
    f.payload_len = sizeof resp;
    assert_int_equal(ltuya_frame_encode(&f, frame, sizeof frame, &n), LTUYA_OK);
    /* our key does not even verify its HMAC trailer: a wrong key */
    assert_int_equal(ltuya_session_input(&s, frame, n, 5), LTUYA_ERR_WRONG_KEY);
    assert_int_equal(events[nevents - 1].type, LTUYA_EV_FAILED);
    assert_int_equal(events[nevents - 1].status, LTUYA_ERR_WRONG_KEY);
    assert_int_equal(ltuya_session_request(&s, LTUYA_REQ_STATUS, NULL, 0, 6), LTUYA_ERR_BAD_STATE);
}

/* A device frame for a 3.3 session. */
static size_t device_frame(uint32_t cmd, uint32_t retcode, const char *payload, bool plaintext,
                           bool header, uint8_t *out)
{
    ltuya_frame_spec_t f = {0};
    size_t n;
    f.version = LTUYA_V33;
    f.key = key;
    f.seq = 0;
    f.cmd = cmd;
    f.from_device = true;
    f.retcode = retcode;
    f.payload = (const uint8_t *)payload;
    f.payload_len = payload ? strlen(payload) : 0;
    f.plaintext = plaintext;
    f.header = header ? LTUYA_HEADER_ON : LTUYA_HEADER_OFF;
    assert_int_equal(ltuya_frame_encode(&f, out, 512, &n), LTUYA_OK);
    return n;
}

static ltuya_frame_t last_sent;
static uint8_t sent_buf[2048];
static void decode_sent(void)
{
    size_t n = take_output(sent_buf);
    ltuya_decode_opts_t o = {LTUYA_V33, key, LTUYA_FROM_CLIENT};
    assert_int_equal(ltuya_frame_decode_whole(sent_buf, n, &o, &last_sent), LTUYA_OK);
}

static void test_push_while_request_waits(void **state)
{
    (void)state;
    open_session(LTUYA_V33, key);
    assert_int_equal(ltuya_session_start(&s, 0), LTUYA_OK);
    assert_int_equal(events[0].type, LTUYA_EV_READY);
    assert_int_equal(ltuya_session_request(&s, LTUYA_REQ_STATUS, NULL, 0, 0), LTUYA_OK);
    assert_int_equal(ltuya_session_request(&s, LTUYA_REQ_STATUS, NULL, 0, 0), LTUYA_ERR_BUSY);
    decode_sent();
    assert_int_equal(last_sent.cmd, LTUYA_CMD_DP_QUERY);
    assert_int_equal(last_sent.seq, 1);
    uint8_t both[1024];
    size_t n =
        device_frame(LTUYA_CMD_STATUS, 0, "{\"dps\":{\"1\":false},\"t\":1}", false, true, both);
    n += device_frame(LTUYA_CMD_DP_QUERY, 0, "{\"devId\":\"x\",\"dps\":{\"1\":true,\"20\":2301}}",
                      false, false, both + n);
    /* two frames in one read, delivered byte by byte */
    for (size_t i = 0; i < n; i++)
        assert_int_equal(ltuya_session_input(&s, both + i, 1, 10), LTUYA_OK);
    assert_int_equal(nevents, 3);
    assert_int_equal(events[1].type, LTUYA_EV_PUSH);
    assert_false(event_dps[1].dp[0].b);
    assert_int_equal(events[2].type, LTUYA_EV_DONE);
    assert_int_equal(events[2].status, LTUYA_OK);
    assert_int_equal(event_dps[2].count, 2);
    assert_false(ltuya_session_busy(&s));
}

static void test_write_ack_then_push(void **state)
{
    (void)state;
    open_session(LTUYA_V33, key);
    ltuya_session_start(&s, 0);
    ltuya_dp_t off = ltuya_dp_bool(1, false);
    assert_int_equal(ltuya_session_request(&s, LTUYA_REQ_SET, &off, 1, 0), LTUYA_OK);
    decode_sent();
    assert_int_equal(last_sent.cmd, LTUYA_CMD_CONTROL);
    assert_true(last_sent.has_version_header);
    uint8_t f[512];
    size_t n = device_frame(LTUYA_CMD_CONTROL, 0, NULL, false, false, f);
    assert_int_equal(n, 28); /* the empty 3.3 ACK */
    assert_int_equal(ltuya_session_input(&s, f, n, 1), LTUYA_OK);
    assert_int_equal(events[1].type, LTUYA_EV_DONE);
    assert_int_equal(events[1].status, LTUYA_OK);
    n = device_frame(LTUYA_CMD_STATUS, 0, "{\"dps\":{\"1\":false}}", false, true, f);
    assert_int_equal(ltuya_session_input(&s, f, n, 2), LTUYA_OK);
    assert_int_equal(events[2].type, LTUYA_EV_PUSH);
    /* a refused write carries the device's text */
    assert_int_equal(ltuya_session_request(&s, LTUYA_REQ_SET, &off, 1, 3), LTUYA_OK);
    decode_sent();
    assert_int_equal(last_sent.seq, 2); /* strictly increasing */
    n = device_frame(LTUYA_CMD_CONTROL, 1, "data format error", false, false, f);
    assert_int_equal(ltuya_session_input(&s, f, n, 4), LTUYA_OK);
    assert_int_equal(events[3].status, LTUYA_ERR_DEVICE);
    assert_int_equal(events[3].device_error_len, 17);
    assert_memory_equal(events[3].device_error, "data format error", 17);
}

static void test_device22_fallback(void **state)
{
    (void)state;
    open_session(LTUYA_V33, key);
    ltuya_session_start(&s, 0);
    ltuya_session_request(&s, LTUYA_REQ_STATUS, NULL, 0, 0);
    decode_sent();
    uint8_t f[512];
    /* plaintext error, as 3.2 firmware sends it */
    size_t n = device_frame(LTUYA_CMD_DP_QUERY, 1, "json obj data unvalid", true, false, f);
    assert_int_equal(ltuya_session_input(&s, f, n, 1), LTUYA_OK);
    assert_int_equal(nevents, 1); /* no result yet: it asked again */
    assert_true(s.device22);
    decode_sent();
    assert_int_equal(last_sent.cmd, LTUYA_CMD_CONTROL_NEW);
    assert_non_null(memmem(last_sent.payload, last_sent.payload_len, "\"1\":null", 8));
    n = device_frame(LTUYA_CMD_CONTROL_NEW, 0, NULL, false, false, f);
    assert_int_equal(ltuya_session_input(&s, f, n, 2), LTUYA_OK);
    assert_int_equal(nevents, 1); /* the ACK alone does not answer a query */
    n = device_frame(LTUYA_CMD_STATUS, 0, "{\"dps\":{\"1\":true,\"2\":0}}", false, true, f);
    assert_int_equal(ltuya_session_input(&s, f, n, 3), LTUYA_OK);
    assert_int_equal(events[1].type, LTUYA_EV_DONE);
    assert_int_equal(events[1].status, LTUYA_OK);
    assert_int_equal(event_dps[1].count, 2);
}

static void test_timeouts_and_heartbeats(void **state)
{
    (void)state;
    open_session(LTUYA_V33, key);
    ltuya_session_start(&s, 0);
    assert_int_equal(ltuya_session_deadline(&s), LTUYA_DEFAULT_HEARTBEAT_MS);
    /* idle: a heartbeat goes out */
    assert_int_equal(ltuya_session_tick(&s, LTUYA_DEFAULT_HEARTBEAT_MS), LTUYA_OK);
    decode_sent();
    assert_int_equal(last_sent.cmd, LTUYA_CMD_HEART_BEAT);
    assert_false(last_sent.has_version_header);
    uint8_t f[512];
    size_t n = device_frame(LTUYA_CMD_HEART_BEAT, 0, NULL, false, false, f);
    assert_int_equal(ltuya_session_input(&s, f, n, LTUYA_DEFAULT_HEARTBEAT_MS + 5), LTUYA_OK);
    assert_false(s.hb_pending);
    /* a request nobody answers: the first ever frame came, so a plain timeout */
    uint64_t t0 = 20000;
    ltuya_session_request(&s, LTUYA_REQ_STATUS, NULL, 0, t0);
    take_output(f);
    assert_int_equal(ltuya_session_tick(&s, t0 + LTUYA_DEFAULT_REPLY_TIMEOUT_MS - 1), LTUYA_OK);
    assert_true(ltuya_session_busy(&s));
    assert_int_equal(ltuya_session_tick(&s, t0 + LTUYA_DEFAULT_REPLY_TIMEOUT_MS), LTUYA_OK);
    assert_int_equal(events[nevents - 1].type, LTUYA_EV_DONE);
    assert_int_equal(events[nevents - 1].status, LTUYA_ERR_TIMEOUT);
    /* a heartbeat without reply kills the session */
    uint64_t t1 = t0 + 60000;
    ltuya_session_tick(&s, t1);
    take_output(f);
    assert_int_equal(ltuya_session_tick(&s, t1 + LTUYA_DEFAULT_REPLY_TIMEOUT_MS),
                     LTUYA_ERR_TIMEOUT);
    assert_int_equal(events[nevents - 1].type, LTUYA_EV_FAILED);

    /* a device that never says anything: NO_REPLY, which points at the version */
    open_session(LTUYA_V33, key);
    ltuya_session_start(&s, 0);
    ltuya_session_request(&s, LTUYA_REQ_STATUS, NULL, 0, 0);
    ltuya_session_tick(&s, LTUYA_DEFAULT_REPLY_TIMEOUT_MS);
    assert_int_equal(events[nevents - 1].status, LTUYA_ERR_NO_REPLY);
}

static void test_refresh_and_wrong_key_reply(void **state)
{
    (void)state;
    open_session(LTUYA_V33, key);
    ltuya_session_start(&s, 0);
    assert_int_equal(ltuya_session_request(&s, LTUYA_REQ_REFRESH, NULL, 0, 0), LTUYA_OK);
    decode_sent();
    assert_int_equal(last_sent.cmd, LTUYA_CMD_UPDATEDPS);
    assert_int_equal(last_sent.payload_len, strlen("{\"dpId\":[18,19,20]}"));
    uint8_t f[512];
    size_t n = device_frame(LTUYA_CMD_UPDATEDPS, 0, NULL, false, false, f);
    assert_int_equal(ltuya_session_input(&s, f, n, 1), LTUYA_OK);
    assert_int_equal(events[1].status, LTUYA_OK);
    /* a reply encrypted with another key does not decrypt: wrong key */
    ltuya_session_request(&s, LTUYA_REQ_STATUS, NULL, 0, 2);
    take_output(f);
    ltuya_frame_spec_t spec = {0};
    spec.version = LTUYA_V33;
    spec.key = (const uint8_t *)"fedcba9876543210";
    spec.cmd = LTUYA_CMD_DP_QUERY;
    spec.from_device = true;
    spec.payload = (const uint8_t *)"{\"dps\":{\"1\":true}}";
    spec.payload_len = 18;
    assert_int_equal(ltuya_frame_encode(&spec, f, sizeof f, &n), LTUYA_OK);
    assert_int_equal(ltuya_session_input(&s, f, n, 3), LTUYA_ERR_WRONG_KEY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handshake_ready_and_session_key),
        cmocka_unit_test(test_handshake_wrong_key),
        cmocka_unit_test(test_push_while_request_waits),
        cmocka_unit_test(test_write_ack_then_push),
        cmocka_unit_test(test_device22_fallback),
        cmocka_unit_test(test_timeouts_and_heartbeats),
        cmocka_unit_test(test_refresh_and_wrong_key_reply),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
