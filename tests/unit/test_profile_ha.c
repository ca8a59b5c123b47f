/* profile_ha.c: Home Assistant entities per category, from the built-in
 * profiles and from hand-made ones. */
#include <string.h>

#include "ltuya/profile.h"
#include "test_support.h"

static ltuya_ha_entity_t ents[LTUYA_PROFILE_MAX_DPS];

static size_t entities_of(const char *category, ltuya_profile_t *p)
{
    ltuya_profile_init(p);
    assert_int_equal(ltuya_profile_builtin(p, category, NULL), LTUYA_OK);
    size_t n = ltuya_profile_ha_entities(p, ents, LTUYA_PROFILE_MAX_DPS);
    assert_true(n <= LTUYA_PROFILE_MAX_DPS);
    return n;
}

/* The entity whose main DP is id. */
static const ltuya_ha_entity_t *by_dp(size_t n, uint16_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ents[i].dp == id)
            return &ents[i];
    fail_msg("no entity for DP %u", id);
    return NULL;
}

static size_t count_of(size_t n, ltuya_ha_component_t c)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ents[i].component == c;
    return k;
}

static void expect_sensor(size_t n, uint16_t id, const char *cls, const char *unit,
                          const char *state_class)
{
    const ltuya_ha_entity_t *e = by_dp(n, id);
    assert_int_equal(e->component, LTUYA_HA_SENSOR);
    assert_string_equal(e->component_name, "sensor");
    if (cls)
        assert_string_equal(e->device_class, cls);
    else
        assert_null(e->device_class);
    assert_string_equal(e->unit, unit);
    assert_string_equal(e->state_class, state_class);
}

static void test_socket(void **state)
{
    (void)state;
    ltuya_profile_t p;
    size_t n = entities_of("cz", &p);
    assert_int_equal(by_dp(n, 1)->component, LTUYA_HA_SWITCH);
    expect_sensor(n, 19, "power", "W", "measurement");
    expect_sensor(n, 20, "voltage", "V", "measurement");
    expect_sensor(n, 18, "current", "mA", "measurement");
    expect_sensor(n, 17, "energy", "kWh", "total_increasing");
    const ltuya_ha_entity_t *cd = by_dp(n, 9);
    assert_int_equal(cd->component, LTUYA_HA_NUMBER);
    assert_string_equal(cd->unit, "s");
    assert_int_equal(by_dp(n, 38)->component, LTUYA_HA_SELECT); /* relay_status */
    assert_int_equal(by_dp(n, 41)->component, LTUYA_HA_SWITCH); /* child_lock */
    assert_int_equal(count_of(n, LTUYA_HA_LIGHT), 0);
    /* the fault bitmap and the string DPs have no entity */
    ltuya_ha_entity_t e;
    assert_int_equal(ltuya_profile_ha_entity(&p, 26, &e), LTUYA_ERR_NOT_FOUND);
    assert_int_equal(ltuya_profile_ha_entity(&p, 42, &e), LTUYA_ERR_NOT_FOUND);
    assert_int_equal(ltuya_profile_ha_entity(&p, 19, &e), LTUYA_OK);
    assert_string_equal(e.device_class, "power");
}

static void test_three_gang_switch(void **state)
{
    (void)state;
    ltuya_dps_t st;
    const char *json = "{\"dps\":{\"1\":true,\"2\":false,\"3\":true,\"7\":0,\"8\":0,\"9\":0}}";
    assert_int_equal(ltuya_json_parse_dps(json, strlen(json), &st), LTUYA_OK);
    ltuya_profile_t p;
    ltuya_profile_init(&p);
    ltuya_profile_builtin(&p, "kg", &st);
    size_t n = ltuya_profile_ha_entities(&p, ents, LTUYA_PROFILE_MAX_DPS);
    assert_int_equal(count_of(n, LTUYA_HA_SWITCH), 3);
    assert_int_equal(count_of(n, LTUYA_HA_NUMBER), 3);
    assert_int_equal(n, 6);
}

static void test_light(void **state)
{
    (void)state;
    ltuya_profile_t p;
    size_t n = entities_of("dj", &p);
    const ltuya_ha_entity_t *l = by_dp(n, 20);
    assert_int_equal(l->component, LTUYA_HA_LIGHT);
    assert_string_equal(l->component_name, "light");
    assert_int_equal(l->brightness_dp, 22);
    assert_int_equal(l->colour_temp_dp, 23);
    assert_int_equal(l->colour_dp, 24);
    assert_int_equal(l->mode_dp, 21);
    assert_int_equal(count_of(n, LTUYA_HA_LIGHT), 1);
    assert_int_equal(count_of(n, LTUYA_HA_SWITCH), 0); /* switch_led is the light */
    assert_int_equal(by_dp(n, 26)->component, LTUYA_HA_NUMBER);
    /* every absorbed DP finds the light */
    const uint16_t parts[] = {20, 21, 22, 23, 24, 25};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        ltuya_ha_entity_t e;
        assert_int_equal(ltuya_profile_ha_entity(&p, parts[i], &e), LTUYA_OK);
        assert_int_equal(e.component, LTUYA_HA_LIGHT);
        assert_int_equal(e.dp, 20);
    }
    /* a dimmer without colour: brightness only */
    ltuya_profile_t d;
    ltuya_profile_init(&d);
    ltuya_pdp_t sw = {0}, br = {0};
    sw.id = 1;
    ltuya_pdp_set_code(&sw, "switch_1", 8);
    br.id = 2;
    ltuya_pdp_set_code(&br, "bright_value_1", 14);
    ltuya_profile_put(&d, &sw, LTUYA_PSRC_MAPPING);
    ltuya_profile_put(&d, &br, LTUYA_PSRC_MAPPING);
    n = ltuya_profile_ha_entities(&d, ents, LTUYA_PROFILE_MAX_DPS);
    assert_int_equal(n, 1);
    assert_true(ents[0].component == LTUYA_HA_LIGHT && ents[0].dp == 1 &&
                ents[0].brightness_dp == 2 && ents[0].colour_dp == 0);
}

static void test_cover(void **state)
{
    (void)state;
    ltuya_profile_t p;
    size_t n = entities_of("cl", &p);
    const ltuya_ha_entity_t *c = by_dp(n, 1);
    assert_int_equal(c->component, LTUYA_HA_COVER);
    assert_int_equal(c->position_dp, 2);
    assert_int_equal(c->position_state_dp, 3);
    assert_string_equal(c->device_class, "curtain");
    assert_int_equal(by_dp(n, 5)->component, LTUYA_HA_SELECT); /* control_back_mode */
    assert_int_equal(count_of(n, LTUYA_HA_COVER), 1);
}

static void test_climate(void **state)
{
    (void)state;
    ltuya_profile_t p;
    size_t n = entities_of("wk", &p);
    const ltuya_ha_entity_t *c = by_dp(n, 1);
    assert_int_equal(c->component, LTUYA_HA_CLIMATE);
    assert_int_equal(c->target_temp_dp, 2);
    assert_int_equal(c->current_temp_dp, 3);
    assert_int_equal(c->mode_dp, 4);
    assert_string_equal(c->unit, "°C");
    assert_int_equal(by_dp(n, 7)->component, LTUYA_HA_SWITCH); /* child lock */
    assert_int_equal(count_of(n, LTUYA_HA_SENSOR), 0);
}

static void test_fan(void **state)
{
    (void)state;
    ltuya_profile_t p;
    size_t n = entities_of("fs", &p);
    const ltuya_ha_entity_t *f = by_dp(n, 1);
    assert_int_equal(f->component, LTUYA_HA_FAN);
    assert_int_equal(f->speed_dp, 3);
    assert_int_equal(f->direction_dp, 8);
    assert_int_equal(f->mode_dp, 2);
    assert_int_equal(n, 1);
}

static void test_th_sensor(void **state)
{
    (void)state;
    ltuya_profile_t p;
    size_t n = entities_of("wsdcg", &p);
    expect_sensor(n, 1, "temperature", "°C", "measurement");
    expect_sensor(n, 2, "humidity", "%", "measurement");
    expect_sensor(n, 4, "battery", "%", "measurement");
    const ltuya_ha_entity_t *b = by_dp(n, 3);
    assert_int_equal(b->component, LTUYA_HA_SENSOR);
    assert_string_equal(b->device_class, "enum");
}

static void test_generic_dps(void **state)
{
    (void)state;
    ltuya_profile_t p;
    ltuya_profile_init(&p);
    ltuya_pdp_t a = {0}, b = {0}, c = {0}, d = {0};
    a.id = 101;
    a.type = LTUYA_VT_BOOL;
    a.set = LTUYA_PF_TYPE;
    ltuya_pdp_set_code(&a, "doorcontact_state", 17);
    b.id = 102;
    b.type = LTUYA_VT_INT;
    b.set = LTUYA_PF_TYPE;
    ltuya_pdp_set_code(&b, "temp_correction", 15);
    ltuya_pdp_set_unit(&b, "℃", strlen("℃"));
    c.id = 103;
    c.type = LTUYA_VT_ENUM;
    c.set = LTUYA_PF_TYPE;
    ltuya_pdp_set_code(&c, "power_on_state", 14);
    d.id = 104; /* raw, untyped: nothing */
    d.type = LTUYA_VT_INT;
    d.set = LTUYA_PF_TYPE;
    ltuya_profile_put(&p, &a, LTUYA_PSRC_FILE);
    ltuya_profile_put(&p, &b, LTUYA_PSRC_FILE);
    ltuya_profile_put(&p, &c, LTUYA_PSRC_FILE);
    ltuya_profile_put(&p, &d, LTUYA_PSRC_RAW);
    size_t n = ltuya_profile_ha_entities(&p, ents, LTUYA_PROFILE_MAX_DPS);
    assert_int_equal(n, 3);
    assert_int_equal(by_dp(n, 101)->component, LTUYA_HA_BINARY_SENSOR);
    assert_string_equal(by_dp(n, 101)->component_name, "binary_sensor");
    assert_int_equal(by_dp(n, 102)->component, LTUYA_HA_NUMBER);
    assert_string_equal(by_dp(n, 102)->unit, "°C");
    assert_int_equal(by_dp(n, 103)->component, LTUYA_HA_SELECT);
    /* cap smaller than the count: the count is still right */
    assert_int_equal(ltuya_profile_ha_entities(&p, ents, 1), 3);
    assert_int_equal(ltuya_profile_ha_entities(&p, NULL, 0), 3);
    ltuya_ha_entity_t e;
    assert_int_equal(ltuya_profile_ha_entity(&p, 104, &e), LTUYA_ERR_NOT_FOUND);
    assert_int_equal(ltuya_profile_ha_entity(&p, 0, &e), LTUYA_ERR_NOT_FOUND);
    assert_string_equal(ltuya_ha_component_name(LTUYA_HA_COVER), "cover");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_socket),    cmocka_unit_test(test_three_gang_switch),
        cmocka_unit_test(test_light),     cmocka_unit_test(test_cover),
        cmocka_unit_test(test_climate),   cmocka_unit_test(test_fan),
        cmocka_unit_test(test_th_sensor), cmocka_unit_test(test_generic_dps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
