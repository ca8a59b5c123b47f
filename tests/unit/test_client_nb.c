/* The client's readiness form (client.h) driven by a fake clock and a
 * scripted non-blocking transport (fake_device.h): connect in progress,
 * refused, timeouts, a handshake split over many readable events, the
 * reconnect backoff, BUSY, the close diagnosis, and transport returns. */
#include "fake_device.h"

static ltuya_client_t c;
static uint8_t rx[LTUYA_MAX_FRAME], tx[1024];
static int done_calls;
static ltuya_req_t done_req;
static ltuya_status_t done_status;
static int pushes;
static ltuya_client_state_t states[32];
static ltuya_status_t whys[32];
static int nstates;

static void on_done(void *user, ltuya_req_t req, ltuya_status_t st, const ltuya_dps_t *dps)
{
    (void)user;
    (void)dps;
    done_calls++;
    done_req = req;
    done_status = st;
}

static void on_push(void *user, const ltuya_dps_t *dps)
{
    (void)user;
    (void)dps;
    pushes++;
}

static void on_state(void *user, ltuya_client_state_t st, ltuya_status_t why)
{
    (void)user;
    if (nstates < 32) {
        states[nstates] = st;
        whys[nstates] = why;
    }
    nstates++;
}

static void setup(ltuya_version_t v, bool reconnect)
{
    fd_reset(v);
    ltuya_client_opts_t o;
    fd_client_opts(&o);
    o.on_done = on_done;
    o.on_push = on_push;
    o.on_state = on_state;
    o.reconnect = reconnect;
    done_calls = pushes = nstates = 0;
    assert_int_equal(ltuya_client_init(&c, &o, rx, sizeof rx, tx, sizeof tx), LTUYA_OK);
}

static void test_connect_in_progress_then_ready(void **state)
{
    (void)state;
    setup(LTUYA_V33, false);
    assert_int_equal(ltuya_client_socket(&c), -1);
    assert_int_equal(ltuya_client_next_deadline(&c), UINT64_MAX);
    fd_.finish_result = LTUYA_NEED_MORE;
    assert_int_equal(ltuya_client_open(&c, fd_.now), LTUYA_OK);
    assert_int_equal(ltuya_client_state(&c), LTUYA_CLIENT_CONNECTING);
    assert_int_equal(ltuya_client_socket(&c), 7);
    assert_true(ltuya_client_want_write(&c));
    assert_int_equal(ltuya_client_next_deadline(&c), fd_.now + LTUYA_DEFAULT_CONNECT_TIMEOUT_MS);
    /* a spurious wake-up: still in progress */
    assert_int_equal(ltuya_client_on_writable(&c, fd_.now), LTUYA_OK);
    assert_int_equal(ltuya_client_state(&c), LTUYA_CLIENT_CONNECTING);
    fd_.finish_result = LTUYA_OK;
    assert_int_equal(ltuya_client_on_writable(&c, fd_.now), LTUYA_OK);
    assert_int_equal(ltuya_client_state(&c), LTUYA_CLIENT_READY);
    assert_false(ltuya_client_want_write(&c));
    assert_int_equal(states[nstates - 1], LTUYA_CLIENT_READY);
    /* a request, answered on the next readable */
    assert_int_equal(ltuya_client_begin(&c, LTUYA_REQ_STATUS, NULL, 0), LTUYA_OK);
    assert_int_equal(done_calls, 0);
    assert_int_equal(ltuya_client_on_readable(&c, fd_.now), LTUYA_OK);
    assert_int_equal(done_calls, 1);
    assert_int_equal(done_req, LTUYA_REQ_STATUS);
    assert_int_equal(done_status, LTUYA_OK);
    ltuya_client_deinit(&c);
}

static void test_refused_at_once_and_on_finish(void **state)
{
    (void)state;
    setup(LTUYA_V33, false);
    fd_.start_result = LTUYA_ERR_REFUSED;
    assert_int_equal(ltuya_client_open(&c, fd_.now), LTUYA_ERR_REFUSED);
    assert_int_equal(ltuya_client_state(&c), LTUYA_CLIENT_IDLE);
    assert_int_equal(ltuya_client_last_error(&c), LTUYA_ERR_REFUSED);
    assert_int_equal(whys[nstates - 1], LTUYA_ERR_REFUSED);
    /* refused when the connect completes (the usual case off loopback) */
    fd_.start_result = LTUYA_NEED_MORE;
    fd_.finish_result = LTUYA_ERR_REFUSED;
    fd_.now = ltuya_client_deadline(&c);
    assert_int_equal(ltuya_client_open(&c, fd_.now), LTUYA_OK);
    assert_int_equal(ltuya_client_state(&c), LTUYA_CLIENT_CONNECTING);
    /* a failed connect may show as readable (error / hang-up) first */
    assert_int_equal(ltuya_client_on_readable(&c, fd_.now), LTUYA_ERR_REFUSED);
    assert_int_equal(ltuya_client_state(&c), LTUYA_CLIENT_IDLE);
    assert_int_equal(ltuya_client_socket(&c), -1);
    ltuya_client_deinit(&c);
}

static void test_connect_timeout_counts_after_the_lookup(void **state)
{
    (void)state;
    setup(LTUYA_V33, false);
    fd_.finish_result = LTUYA_NEED_MORE;
    fd_.start_takes_ms = 5000; /* a slow name lookup inside connect_start */
    assert_int_equal(ltuya_client_open(&c, fd_.now), LTUYA_OK);
    uint64_t after = fd_.now;
    assert_int_equal(ltuya_client_next_deadline(&c), after + LTUYA_DEFAULT_CONNECT_TIMEOUT_MS);
    assert_int_equal(ltuya_client_on_timer(&c, after + 10), LTUYA_OK);
    assert_int_equal(ltuya_client_state(&c), LTUYA_CLIENT_CONNECTING);
    fd_.now = ltuya_client_next_deadline(&c);
    assert_int_equal(ltuya_client_on_timer(&c, fd_.now), LTUYA_ERR_TIMEOUT);
    assert_int_equal(ltuya_client_state(&c), LTUYA_CLIENT_IDLE);
    assert_int_equal(fd_.closes, 1);
    ltuya_client_deinit(&c);
}

static void test_handshake_split_over_many_readables(void **state)
{
    (void)state;
    for (int v = 34; v <= 35; v++) {
        setup((ltuya_version_t)v, false);
        fd_.start_result = LTUYA_OK; /* loopback: up at once */
        assert_int_equal(ltuya_client_open(&c, fd_.now), LTUYA_OK);
        assert_int_equal(ltuya_client_state(&c), LTUYA_CLIENT_HANDSHAKE);
        int readables = 0;
        while (ltuya_client_state(&c) == LTUYA_CLIENT_HANDSHAKE && readables < 1000) {
            fd_.budget = 3; /* three bytes per readable event */
            assert_int_equal(ltuya_client_on_readable(&c, fd_.now), LTUYA_OK);
            readables++;
        }
        assert_int_equal(ltuya_client_state(&c), LTUYA_CLIENT_READY);
        assert_true(readables > 10);
        fd_.budget = SIZE_MAX;
        assert_int_equal(ltuya_client_begin(&c, LTUYA_REQ_STATUS, NULL, 0), LTUYA_OK);
        assert_int_equal(ltuya_client_on_readable(&c, fd_.now), LTUYA_OK);
        assert_int_equal(done_status, LTUYA_OK);
        ltuya_client_deinit(&c);
    }
}

static void test_handshake_timeout_is_no_reply(void **state)
{
    (void)state;
    setup(LTUYA_V34, false);
    fd_.start_result = LTUYA_OK;
    fd_.silent = true;
    assert_int_equal(ltuya_client_open(&c, fd_.now), LTUYA_OK);
    fd_.now = ltuya_client_next_deadline(&c);
    assert_int_equal(ltuya_client_on_timer(&c, fd_.now), LTUYA_ERR_NO_REPLY);
    assert_int_equal(ltuya_client_state(&c), LTUYA_CLIENT_IDLE);
    ltuya_client_deinit(&c);
}

static void test_reconnect_backoff_bounds(void **state)
{
    (void)state;
    setup(LTUYA_V33, true);
    fd_.start_result = LTUYA_ERR_REFUSED;
    uint32_t expect = LTUYA_BACKOFF_MIN_MS;
    uint64_t attempted = fd_.now;
    ltuya_client_open(&c, fd_.now);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(ltuya_client_state(&c), LTUYA_CLIENT_BACKOFF);
        assert_int_equal(ltuya_client_socket(&c), -1);
        uint64_t wait = ltuya_client_next_deadline(&c) - attempted;
        assert_true(wait >= expect - expect / 4);
        assert_true(wait <= expect + expect / 4);
        /* no attempt before the deadline */
        unsigned before = fd_.starts;
        assert_int_equal(ltuya_client_on_timer(&c, ltuya_client_next_deadline(&c) - 1), LTUYA_OK);
        assert_int_equal(fd_.starts, before);
        fd_.now = attempted = ltuya_client_next_deadline(&c);
        assert_int_equal(ltuya_client_on_timer(&c, fd_.now), LTUYA_ERR_REFUSED);
        assert_int_equal(fd_.starts, before + 1);
        expect = expect * 2 > LTUYA_BACKOFF_MAX_MS ? LTUYA_BACKOFF_MAX_MS : expect * 2;
    }
    /* a good connection resets the backoff */
    fd_.start_result = LTUYA_OK;
    fd_.now = ltuya_client_next_deadline(&c);
    assert_int_equal(ltuya_client_on_timer(&c, fd_.now), LTUYA_OK);
    assert_int_equal(ltuya_client_state(&c), LTUYA_CLIENT_READY);
    assert_int_equal(c.backoff_ms, 0);
    ltuya_client_deinit(&c);
}

/* Two clients initialised in the same millisecond draw different jitter
 * (seeded from ltuya_random, not the clock alone). */
static void test_jitter_seeded_from_random(void **state)
{
    (void)state;
    static ltuya_client_t c2;
    setup(LTUYA_V33, false);
    ltuya_client_opts_t o;
    fd_client_opts(&o);
    ts_fixed_random((const uint8_t *)"\x01\x02\x03\x04", 4);
    assert_int_equal(ltuya_client_init(&c, &o, rx, sizeof rx, tx, sizeof tx), LTUYA_OK);
    ts_fixed_random((const uint8_t *)"\x09\x08\x07\x06", 4);
    assert_int_equal(ltuya_client_init(&c2, &o, rx, sizeof rx, tx, sizeof tx), LTUYA_OK);
    assert_int_not_equal(c.rng, c2.rng);
    ltuya_client_deinit(&c2);
    ltuya_client_deinit(&c);
}

/* issue 10 item 1: a BUSY begin leaves the request in flight alone; when
 * that one fails, on_done fires exactly once, with its own req. */
static void test_busy_begin_keeps_the_request_in_flight(void **state)
{
    (void)state;
    setup(LTUYA_V33, false);
    fd_.start_result = LTUYA_OK;
    assert_int_equal(ltuya_client_open(&c, fd_.now), LTUYA_OK);
    fd_.silent = true;
    assert_int_equal(ltuya_client_begin(&c, LTUYA_REQ_STATUS, NULL, 0), LTUYA_OK);
    ltuya_dp_t on = ltuya_dp_bool(1, true);
    assert_int_equal(ltuya_client_begin(&c, LTUYA_REQ_SET, &on, 1), LTUYA_ERR_BUSY);
    assert_int_equal(c.req, LTUYA_REQ_STATUS);
    assert_true(c.waiting);
    fd_.now = ltuya_client_next_deadline(&c);
    ltuya_client_on_timer(&c, fd_.now);
    assert_int_equal(done_calls, 1);
    assert_int_equal(done_req, LTUYA_REQ_STATUS);
    assert_int_equal(done_status, LTUYA_ERR_NO_REPLY);
    /* and nothing more later */
    fd_.now += 60000;
    ltuya_client_on_timer(&c, fd_.now);
    ltuya_client_on_readable(&c, fd_.now);
    assert_int_equal(done_calls, 1);
    assert_int_equal(ltuya_client_begin(&c, LTUYA_REQ_STATUS, NULL, 0), LTUYA_ERR_BAD_STATE);
    ltuya_client_deinit(&c);
}

/* issue 10 item 4: after a request ended, one readable event reads all that
 * is there (c->req is reset), not one read per event. */
static void test_drain_reads_on_after_a_request(void **state)
{
    (void)state;
    setup(LTUYA_V33, false);
    fd_.start_result = LTUYA_OK;
    assert_int_equal(ltuya_client_open(&c, fd_.now), LTUYA_OK);
    assert_int_equal(ltuya_client_begin(&c, LTUYA_REQ_STATUS, NULL, 0), LTUYA_OK);
    assert_int_equal(ltuya_client_on_readable(&c, fd_.now), LTUYA_OK);
    assert_int_equal(done_calls, 1);
    assert_int_equal(c.req, LTUYA_REQ_NONE);
    /* three pushes, each arriving as its own read */
    for (int i = 0; i < 3; i++)
        fd_emit(LTUYA_CMD_STATUS, 0, "{\"dps\":{\"1\":true}}");
    fd_.per_read = fd_.out_len / 3; /* one frame per read */
    unsigned calls = fd_.recv_calls;
    assert_int_equal(ltuya_client_on_readable(&c, fd_.now), LTUYA_OK);
    assert_int_equal(pushes, 3);
    assert_int_equal(fd_.recv_calls - calls, 3);
    ltuya_client_deinit(&c);
}

/* A transport send returning a stray -1 is an I/O error, not NEED_MORE. */
static void test_stray_minus_one_is_io_error(void **state)
{
    (void)state;
    setup(LTUYA_V33, false);
    fd_.start_result = LTUYA_OK;
    assert_int_equal(ltuya_client_open(&c, fd_.now), LTUYA_OK);
    fd_.send_override = -1;
    assert_int_equal(ltuya_client_begin(&c, LTUYA_REQ_STATUS, NULL, 0), LTUYA_OK);
    assert_int_equal(done_calls, 1);
    assert_int_equal(done_status, LTUYA_ERR_IO);
    assert_int_equal(ltuya_client_last_error(&c), LTUYA_ERR_IO);
    ltuya_client_deinit(&c);
}

/* The device closes after our first frame: a silent second connection tells
 * a client-limited device (it drops that one too) from a rejected frame. */
static void test_close_diagnosis_as_state(void **state)
{
    (void)state;
    for (int limited = 0; limited <= 1; limited++) {
        setup(LTUYA_V33, false);
        fd_.start_result = LTUYA_OK;
        fd_.close_after_first = true;
        fd_.close_silent = limited;
        assert_int_equal(ltuya_client_open(&c, fd_.now), LTUYA_OK);
        assert_int_equal(ltuya_client_begin(&c, LTUYA_REQ_STATUS, NULL, 0), LTUYA_OK);
        assert_int_equal(ltuya_client_on_readable(&c, fd_.now), LTUYA_OK);
        assert_int_equal(ltuya_client_state(&c), LTUYA_CLIENT_PROBING);
        assert_int_equal(done_calls, 0);
        assert_int_equal(fd_.starts, 2);
        unsigned frames = fd_frames_in;
        ltuya_client_on_readable(&c, fd_.now);
        if (!limited) {
            assert_int_equal(ltuya_client_state(&c), LTUYA_CLIENT_PROBING);
            fd_.now = ltuya_client_next_deadline(&c);
            ltuya_client_on_timer(&c, fd_.now);
        }
        assert_int_equal(fd_frames_in, frames); /* the probe sent nothing */
        assert_int_equal(ltuya_client_state(&c), LTUYA_CLIENT_IDLE);
        assert_int_equal(done_calls, 1);
        assert_int_equal(done_status, limited ? LTUYA_ERR_CONN_LIMIT : LTUYA_ERR_REJECTED);
        ltuya_client_deinit(&c);
    }
}

/* The blocking call, written over the readiness form, on this transport too. */
static void test_blocking_call_over_readiness(void **state)
{
    (void)state;
    setup(LTUYA_V35, false);
    ltuya_dps_t dps;
    assert_int_equal(ltuya_client_call(&c, LTUYA_REQ_STATUS, NULL, 0, &dps), LTUYA_OK);
    assert_int_equal(dps.count, 1);
    ltuya_dp_t on = ltuya_dp_bool(1, true);
    assert_int_equal(ltuya_client_call(&c, LTUYA_REQ_SET, &on, 1, NULL), LTUYA_OK);
    assert_true(fd_.dp1);
    assert_int_equal(fd_.starts, 1);
    ltuya_client_deinit(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_connect_in_progress_then_ready),
        cmocka_unit_test(test_refused_at_once_and_on_finish),
        cmocka_unit_test(test_connect_timeout_counts_after_the_lookup),
        cmocka_unit_test(test_handshake_split_over_many_readables),
        cmocka_unit_test(test_handshake_timeout_is_no_reply),
        cmocka_unit_test(test_reconnect_backoff_bounds),
        cmocka_unit_test(test_jitter_seeded_from_random),
        cmocka_unit_test(test_busy_begin_keeps_the_request_in_flight),
        cmocka_unit_test(test_drain_reads_on_after_a_request),
        cmocka_unit_test(test_stray_minus_one_is_io_error),
        cmocka_unit_test(test_close_diagnosis_as_state),
        cmocka_unit_test(test_blocking_call_over_readiness),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
