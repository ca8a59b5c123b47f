/* The engine (engine.h) over the scripted device of fake_device.h and a
 * fake clock: asynchronous calls with cookies, the proof of writes, write
 * merging, the minimum interval between writes, cancel, a dead device, a
 * full queue. Nothing sleeps. */
#include "fake_device.h"
#include "ltuya/engine.h"

static ltuya_engine_t e;
static ltuya_engine_dev_t ed;
static ltuya_device_t d;
static uint8_t rx[LTUYA_MAX_FRAME], tx[1024];

typedef struct {
    int calls;
    ltuya_status_t status;
    ltuya_proof_t proof;
    ltuya_op_t op;
    size_t ndps;
} outcome_t;

static void done(void *cookie, ltuya_engine_dev_t *x, const ltuya_engine_result_t *r)
{
    outcome_t *o = cookie;
    assert_ptr_equal(x, &ed);
    o->calls++;
    o->status = r->status;
    o->proof = r->proof;
    o->op = r->op;
    o->ndps = r->dps ? r->dps->count : 0;
}

/* For a second device: counts, and checks the status the removal gives. */
static void done2(void *cookie, ltuya_engine_dev_t *x, const ltuya_engine_result_t *r)
{
    outcome_t *o = cookie;
    (void)x;
    o->calls++;
    o->status = r->status;
}

static int interest_calls;
static void on_interest(void *user, ltuya_engine_dev_t *x)
{
    (void)user;
    (void)x;
    interest_calls++;
}

static void setup(ltuya_version_t v, ltuya_confirm_t confirm, bool keep_alive)
{
    fd_reset(v);
    ltuya_device_opts_t o;
    memset(&o, 0, sizeof o);
    fd_client_opts(&o.client);
    assert_int_equal(ltuya_device_init(&d, &o, rx, sizeof rx, tx, sizeof tx), LTUYA_OK);
    ltuya_engine_init(&e, on_interest, NULL);
    ltuya_engine_dev_opts_t eo = {0};
    eo.confirm = confirm;
    eo.keep_alive = keep_alive;
    assert_int_equal(ltuya_engine_add(&e, &ed, &d, &eo), LTUYA_OK);
    interest_calls = 0;
}

static void teardown(void)
{
    ltuya_engine_remove(&ed);
    ltuya_device_deinit(&d);
}

/* One turn of a host loop: what is ready, then the timers; the clock moves
 * to the next deadline when nothing is ready. */
static void turn(void)
{
    bool did = false;
    if (ltuya_engine_dev_socket(&ed) >= 0 && ltuya_engine_dev_want_write(&ed)) {
        ltuya_engine_dev_on_writable(&ed, fd_.now);
        did = true;
    }
    if (ltuya_engine_dev_socket(&ed) >= 0 && (fd_.out_len || !fd_.open)) {
        ltuya_engine_dev_on_readable(&ed, fd_.now);
        did = true;
    }
    if (ltuya_engine_next_deadline(&e) <= fd_.now) {
        ltuya_engine_run_timers(&e, fd_.now);
        did = true;
    }
    if (!did) { /* idle: time passes to the next deadline */
        uint64_t next = ltuya_engine_next_deadline(&e);
        if (next != UINT64_MAX)
            fd_.now = next;
        ltuya_engine_run_timers(&e, fd_.now);
    }
}

static void run_until(const outcome_t *o, int calls)
{
    for (int i = 0; i < 200 && o->calls < calls; i++)
        turn();
}

static void test_status_with_cookie(void **state)
{
    (void)state;
    setup(LTUYA_V35, LTUYA_CONFIRM_READ, false);
    outcome_t o = {0};
    assert_int_equal(ltuya_engine_status(&ed, done, &o), LTUYA_OK);
    assert_int_equal(o.calls, 0); /* never from inside the submit */
    assert_int_equal(interest_calls, 1);
    assert_int_equal(ltuya_engine_dev_deadline(&ed), 0); /* due now */
    assert_int_equal(ltuya_engine_dev_pending(&ed), 1);
    run_until(&o, 1);
    assert_int_equal(o.calls, 1);
    assert_int_equal(o.status, LTUYA_OK);
    assert_int_equal(o.op, LTUYA_OP_STATUS);
    assert_int_equal(o.ndps, 1);
    /* the cache has it, and a device not kept alive let go of the connection */
    ltuya_dp_t v;
    assert_int_equal(ltuya_device_cached(&d, 1, &v), LTUYA_OK);
    assert_int_equal(ltuya_engine_dev_socket(&ed), -1);
    assert_int_equal(ltuya_engine_dev_pending(&ed), 0);
    teardown();
}

static void test_write_confirmed_by_push(void **state)
{
    (void)state;
    setup(LTUYA_V33, LTUYA_CONFIRM_READ, false);
    fd_.push_after_ack = true;
    outcome_t o = {0};
    ltuya_dp_t on = ltuya_dp_bool(1, true);
    assert_int_equal(ltuya_engine_set(&ed, &on, 1, done, &o), LTUYA_OK);
    run_until(&o, 1);
    assert_int_equal(o.status, LTUYA_OK);
    assert_int_equal(o.proof, LTUYA_PROOF_CONFIRMED);
    assert_int_equal(fd_.queries, 0); /* the push was enough */
    teardown();
}

static void test_write_confirmed_by_push_before_ack(void **state)
{
    (void)state;
    setup(LTUYA_V34, LTUYA_CONFIRM_NONE, false);
    fd_.push_before_ack = true;
    outcome_t o = {0};
    ltuya_dp_t on = ltuya_dp_bool(1, true);
    assert_int_equal(ltuya_engine_set(&ed, &on, 1, done, &o), LTUYA_OK);
    run_until(&o, 1);
    assert_int_equal(o.proof, LTUYA_PROOF_CONFIRMED);
    teardown();
}

/* A device that acknowledges a write it drops (TuyaOpen): the status read
 * after the confirm window shows the old value. */
static void test_silent_reject_is_contradicted(void **state)
{
    (void)state;
    setup(LTUYA_V33, LTUYA_CONFIRM_READ, false);
    fd_.reject_writes = true;
    outcome_t o = {0};
    ltuya_dp_t on = ltuya_dp_bool(1, true);
    assert_int_equal(ltuya_engine_set(&ed, &on, 1, done, &o), LTUYA_OK);
    run_until(&o, 1);
    assert_int_equal(o.status, LTUYA_OK);
    assert_int_equal(o.proof, LTUYA_PROOF_CONTRADICTED);
    assert_int_equal(fd_.queries, 1);
    teardown();
}

/* No push and a status without the DP: acknowledged only. */
static void test_ack_only(void **state)
{
    (void)state;
    setup(LTUYA_V33, LTUYA_CONFIRM_READ, false);
    outcome_t o = {0};
    ltuya_dp_t v = ltuya_dp_int(9, 5); /* the device reports no DP 9 */
    assert_int_equal(ltuya_engine_set(&ed, &v, 1, done, &o), LTUYA_OK);
    run_until(&o, 1);
    assert_int_equal(o.proof, LTUYA_PROOF_ACKED);
    /* CONFIRM_PUSH: no read at all */
    teardown();
    setup(LTUYA_V33, LTUYA_CONFIRM_PUSH, false);
    memset(&o, 0, sizeof o);
    assert_int_equal(ltuya_engine_set(&ed, &v, 1, done, &o), LTUYA_OK);
    run_until(&o, 1);
    assert_int_equal(o.proof, LTUYA_PROOF_ACKED);
    assert_int_equal(fd_.queries, 0);
    teardown();
}

/* Writes queued behind an unsent write merge into it (the later value of a
 * DP wins) and go out no sooner than the minimum interval after the last. */
static void test_merging_and_min_interval(void **state)
{
    (void)state;
    setup(LTUYA_V33, LTUYA_CONFIRM_PUSH, true);
    fd_.push_after_ack = true;
    outcome_t o1 = {0}, o2 = {0}, o3 = {0}, o4 = {0};
    ltuya_dp_t a = ltuya_dp_bool(1, true), b = ltuya_dp_int(2, 5), b2 = ltuya_dp_int(2, 7),
               a2 = ltuya_dp_bool(1, false);
    assert_int_equal(ltuya_engine_set(&ed, &a, 1, done, &o1), LTUYA_OK);
    run_until(&o1, 1); /* the first write is done: the next must wait the interval */
    assert_int_equal(ltuya_engine_set(&ed, &b, 1, done, &o2), LTUYA_OK);
    assert_int_equal(ltuya_engine_set(&ed, &b2, 1, done, &o3), LTUYA_OK);
    assert_int_equal(ltuya_engine_set(&ed, &a2, 1, done, &o4), LTUYA_OK);
    assert_int_equal(ltuya_engine_dev_pending(&ed), 1); /* one merged write */
    run_until(&o4, 1);
    assert_int_equal(o2.calls, 1);
    assert_int_equal(o3.calls, 1);
    assert_int_equal(o4.calls, 1);
    assert_int_equal(o4.proof, LTUYA_PROOF_CONFIRMED);
    assert_int_equal(fd_.controls, 2);
    assert_true(fd_.control_at[1] - fd_.control_at[0] >= LTUYA_ENGINE_MIN_WRITE_INTERVAL_MS);
    assert_int_equal(fd_.dp2, 7);
    assert_false(fd_.dp1);
    assert_non_null(strstr(fd_.last_control, "\"2\":7"));
    teardown();
}

static void test_cancel_queued_and_in_flight(void **state)
{
    (void)state;
    setup(LTUYA_V33, LTUYA_CONFIRM_NONE, true);
    outcome_t o1 = {0}, o2 = {0};
    fd_.silent = true;
    assert_int_equal(ltuya_engine_status(&ed, done, &o1), LTUYA_OK);
    ltuya_engine_run_timers(&e, fd_.now); /* connect */
    assert_int_equal(ltuya_engine_dev_socket(&ed), 7);
    ltuya_engine_dev_on_writable(&ed, fd_.now); /* connected: the query goes out */
    assert_int_equal(fd_frames_in, 1);
    ltuya_dp_t on = ltuya_dp_bool(1, true);
    assert_int_equal(ltuya_engine_set(&ed, &on, 1, done, &o2), LTUYA_OK);
    assert_int_equal(ltuya_engine_cancel(&ed, &o2), 1);
    assert_int_equal(o2.calls, 1);
    assert_int_equal(o2.status, LTUYA_ERR_CANCELLED);
    assert_int_equal(ltuya_engine_cancel(&ed, &o1), 1); /* in flight */
    assert_int_equal(o1.calls, 1);
    assert_int_equal(o1.status, LTUYA_ERR_CANCELLED);
    /* the reply timeout comes: nobody is told twice, the write was never sent */
    for (int i = 0; i < 20; i++)
        turn();
    assert_int_equal(o1.calls, 1);
    assert_int_equal(o2.calls, 1);
    assert_int_equal(fd_.controls, 0);
    assert_int_equal(ltuya_engine_dev_pending(&ed), 0);
    teardown();
}

/* A dead device fails every queued request at once with the connect error. */
static void test_dead_device_fails_the_queue(void **state)
{
    (void)state;
    setup(LTUYA_V33, LTUYA_CONFIRM_READ, false);
    fd_.finish_result = LTUYA_ERR_REFUSED;
    outcome_t o1 = {0}, o2 = {0};
    ltuya_dp_t on = ltuya_dp_bool(1, true);
    assert_int_equal(ltuya_engine_status(&ed, done, &o1), LTUYA_OK);
    assert_int_equal(ltuya_engine_set(&ed, &on, 1, done, &o2), LTUYA_OK);
    run_until(&o2, 1);
    assert_int_equal(o1.status, LTUYA_ERR_REFUSED);
    assert_int_equal(o2.status, LTUYA_ERR_REFUSED);
    assert_int_equal(o2.proof, LTUYA_PROOF_NONE);
    assert_int_equal(fd_.starts, 1);
    /* refused at once, inside connect_start (loopback can do that): the same */
    fd_.start_result = LTUYA_ERR_REFUSED;
    memset(&o1, 0, sizeof o1);
    assert_int_equal(ltuya_engine_status(&ed, done, &o1), LTUYA_OK);
    run_until(&o1, 1);
    assert_int_equal(o1.calls, 1);
    assert_int_equal(o1.status, LTUYA_ERR_REFUSED);
    assert_int_equal(fd_.starts, 2);
    teardown();
}

/* A working connection that is lost keeps what is queued: a keep_alive
 * device reconnects (after the backoff) and the next attempt carries it. */
static void test_lost_connection_keeps_the_queue(void **state)
{
    (void)state;
    setup(LTUYA_V34, LTUYA_CONFIRM_NONE, true);
    outcome_t o1 = {0}, o2 = {0};
    ltuya_dp_t a = ltuya_dp_bool(1, true), b = ltuya_dp_bool(1, false);
    assert_int_equal(ltuya_engine_set(&ed, &a, 1, done, &o1), LTUYA_OK);
    run_until(&o1, 1);
    assert_int_equal(o1.status, LTUYA_OK);
    assert_int_equal(ltuya_engine_set(&ed, &b, 1, done, &o2), LTUYA_OK); /* waits the interval */
    ltuya_engine_run_timers(&e, fd_.now);
    assert_int_equal(fd_.controls, 1);
    fd_.open = false; /* the device drops the connection */
    turn();
    assert_int_equal(o2.calls, 0); /* kept */
    assert_int_equal(ltuya_engine_dev_pending(&ed), 1);
    run_until(&o2, 1);
    assert_int_equal(o2.status, LTUYA_OK);
    assert_int_equal(fd_.starts, 2);
    assert_int_equal(fd_.controls, 2);
    assert_false(fd_.dp1);
    teardown();
}

static void test_queue_full_and_bad_args(void **state)
{
    (void)state;
    setup(LTUYA_V33, LTUYA_CONFIRM_READ, false);
    outcome_t o = {0};
    for (int i = 0; i < LTUYA_ENGINE_QUEUE; i++)
        assert_int_equal(ltuya_engine_heartbeat(&ed, done, &o), LTUYA_OK);
    assert_int_equal(ltuya_engine_status(&ed, done, &o), LTUYA_ERR_BUSY);
    assert_int_equal(ltuya_engine_set(&ed, NULL, 0, done, &o), LTUYA_ERR_INVALID_ARG);
    assert_int_equal(ltuya_engine_status(&ed, NULL, &o), LTUYA_ERR_INVALID_ARG);
    run_until(&o, LTUYA_ENGINE_QUEUE);
    assert_int_equal(o.calls, LTUYA_ENGINE_QUEUE);
    assert_int_equal(o.status, LTUYA_OK);
    assert_int_equal(o.op, LTUYA_OP_HEARTBEAT);
    teardown();
}

/* Many devices, one engine: iterate, and remove cancels what is queued. */
static void test_iterate_and_remove(void **state)
{
    (void)state;
    setup(LTUYA_V33, LTUYA_CONFIRM_READ, false);
    static ltuya_engine_dev_t ed2;
    static ltuya_device_t d2;
    static uint8_t rx2[LTUYA_MAX_FRAME], tx2[1024];
    ltuya_device_opts_t o;
    memset(&o, 0, sizeof o);
    fd_client_opts(&o.client);
    assert_int_equal(ltuya_device_init(&d2, &o, rx2, sizeof rx2, tx2, sizeof tx2), LTUYA_OK);
    assert_int_equal(ltuya_engine_add(&e, &ed2, &d2, NULL), LTUYA_OK);
    size_t n = 0;
    for (ltuya_engine_dev_t *x = ltuya_engine_first(&e); x; x = ltuya_engine_next(x))
        n++;
    assert_int_equal(n, 2);
    assert_int_equal(ltuya_engine_count(&e), 2);
    outcome_t oc = {0};
    assert_int_equal(ltuya_engine_status(&ed2, done2, &oc), LTUYA_OK);
    ltuya_engine_remove(&ed2);
    assert_int_equal(oc.calls, 1);
    assert_int_equal(oc.status, LTUYA_ERR_CANCELLED);
    assert_int_equal(ltuya_engine_count(&e), 1);
    ltuya_device_deinit(&d2);
    teardown();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_with_cookie),
        cmocka_unit_test(test_write_confirmed_by_push),
        cmocka_unit_test(test_write_confirmed_by_push_before_ack),
        cmocka_unit_test(test_silent_reject_is_contradicted),
        cmocka_unit_test(test_ack_only),
        cmocka_unit_test(test_merging_and_min_interval),
        cmocka_unit_test(test_cancel_queued_and_in_flight),
        cmocka_unit_test(test_dead_device_fails_the_queue),
        cmocka_unit_test(test_lost_connection_keeps_the_queue),
        cmocka_unit_test(test_queue_full_and_bad_args),
        cmocka_unit_test(test_iterate_and_remove),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
