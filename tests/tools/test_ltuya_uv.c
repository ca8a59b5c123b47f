/* tools/common/ltuya_uv: the bounded name lookup (loopback names only: no
 * DNS traffic leaves the machine). The engine over libuv itself runs in the
 * engine_examples test against the simulator. */
#include <string.h>

#include "ltuya_uv.h"
#include "test_support.h"

static int calls;
static ltuya_status_t got_st;
static char got_addr[64];
static bool inside;

static void cb(ltuya_uv_resolve_t *r, ltuya_status_t st, const char *addr)
{
    (void)r;
    assert_false(inside); /* never from inside ltuya_uv_resolve() */
    calls++;
    got_st = st;
    snprintf(got_addr, sizeof got_addr, "%s", addr ? addr : "");
}

static void run(const char *name)
{
    static ltuya_uv_resolve_t r;
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    calls = 0;
    inside = true;
    assert_int_equal(ltuya_uv_resolve(&loop, &r, name, 5000, cb, NULL), 0);
    inside = false;
    assert_int_equal(calls, 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(calls, 1);
    assert_false(ltuya_uv_resolve_busy(&r));
    assert_int_equal(uv_loop_close(&loop), 0); /* nothing left open */
}

static void test_numeric_addresses_pass_through(void **state)
{
    (void)state;
    run("127.0.0.1");
    assert_int_equal(got_st, LTUYA_OK);
    assert_string_equal(got_addr, "127.0.0.1");
    run("::1");
    assert_int_equal(got_st, LTUYA_OK);
    assert_string_equal(got_addr, "::1");
}

static void test_localhost_resolves_to_loopback(void **state)
{
    (void)state;
    run("localhost");
    assert_int_equal(got_st, LTUYA_OK);
    assert_true(strcmp(got_addr, "127.0.0.1") == 0 || strcmp(got_addr, "::1") == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numeric_addresses_pass_through),
        cmocka_unit_test(test_localhost_resolves_to_loopback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
