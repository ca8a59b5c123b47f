/* The tools' profile readers: tuya-local-format YAML configs (written for
 * these tests in configs/ and bad/), the devices.json mapping and overrides,
 * and the precedence when the CLI's loader assembles them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ltuya/profile.h"
#include "profile_load.h"
#include "profile_mapping.h"
#include "profile_yaml.h"
#include "test_support.h"

static char dir_configs[1024], dir_bad[1024];
static cli_yaml_profile_t y;

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = malloc(65536);
    assert_non_null(buf);
    *len = fread(buf, 1, 65535, f);
    buf[*len] = 0;
    fclose(f);
    return buf;
}

static bool parse_file(const char *dir, const char *name, char *err, size_t cap)
{
    char path[2048];
    size_t len;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = slurp(path, &len);
    bool ok = cli_yaml_parse(text, len, name, &y, err, cap);
    free(text);
    return ok;
}

static void test_yaml_bulb(void **state)
{
    (void)state;
    char err[256] = "";
    assert_true(parse_file(dir_configs, "bulb_v2.yaml", err, sizeof err));
    assert_string_equal(y.name, "Test colour bulb");
    assert_int_equal(y.n_products, 2);
    assert_string_equal(y.products[1], "testbulbkey00002");
    const ltuya_profile_t *p = &y.profile;
    assert_int_equal(p->count, 6);
    const ltuya_pdp_t *d = ltuya_profile_find(p, 21);
    assert_int_equal(d->type, LTUYA_VT_ENUM);
    assert_string_equal(d->enums, "white,colour,scene,music");
    assert_int_equal(d->role, LTUYA_ROLE_MODE);
    d = ltuya_profile_find(p, 22);
    assert_int_equal(d->role, LTUYA_ROLE_BRIGHTNESS);
    assert_true(d->min == 10 && d->max == 1000);
    d = ltuya_profile_find(p, 24);
    assert_int_equal(d->role, LTUYA_ROLE_COLOUR);
    assert_int_equal(d->colour, LTUYA_COLOUR_HEX12);
    assert_int_equal(ltuya_pdp_source(d), LTUYA_PSRC_FILE);
    d = ltuya_profile_find(p, 26);
    assert_string_equal(d->code, "timer");
    assert_string_equal(d->unit, "s");
    assert_int_equal(ltuya_profile_find(p, 20)->role, LTUYA_ROLE_SWITCH);
    assert_int_equal(y.n_optional, 1);
    assert_int_equal(y.optional[0], 26);

    /* by product key, and by DP set with the optional DP missing */
    assert_int_equal(cli_yaml_matches(&y, "testbulbkey00001", NULL), 2);
    assert_int_equal(cli_yaml_matches(&y, "otherkey", NULL), 0);
    ltuya_dps_t st;
    const char *s1 = "{\"dps\":{\"20\":true,\"21\":\"white\",\"22\":10,\"23\":0,\"24\":\"x\"}}";
    assert_int_equal(ltuya_json_parse_dps(s1, strlen(s1), &st), LTUYA_OK);
    assert_int_equal(cli_yaml_matches(&y, NULL, &st), 1);
    const char *s2 = "{\"dps\":{\"20\":true,\"21\":\"white\",\"22\":10,\"24\":\"x\"}}";
    assert_int_equal(ltuya_json_parse_dps(s2, strlen(s2), &st), LTUYA_OK);
    assert_int_equal(cli_yaml_matches(&y, NULL, &st), 0); /* 23 is required */
    const char *s3 = "{\"dps\":{\"20\":true,\"21\":\"white\",\"22\":10,\"23\":0,\"24\":\"x\","
                     "\"99\":1}}";
    assert_int_equal(ltuya_json_parse_dps(s3, strlen(s3), &st), LTUYA_OK);
    assert_int_equal(cli_yaml_matches(&y, NULL, &st), 0); /* 99 is not in the config */
}

static void test_yaml_plug_and_curtain(void **state)
{
    (void)state;
    char err[256] = "";
    assert_true(parse_file(dir_configs, "plug.yaml", err, sizeof err));
    const ltuya_pdp_t *pw = ltuya_profile_find(&y.profile, 19);
    assert_string_equal(pw->code, "power");
    assert_int_equal(pw->role, LTUYA_ROLE_POWER);
    assert_int_equal(pw->scale, 1); /* "scale: 10" is a divisor */
    ltuya_dp_t raw = ltuya_dp_int(19, 837);
    char buf[16];
    assert_int_equal(ltuya_pdp_format(pw, &raw, buf, sizeof buf, NULL), LTUYA_OK);
    assert_string_equal(buf, "83.7");
    assert_int_equal(ltuya_profile_find(&y.profile, 18)->role, LTUYA_ROLE_CURRENT);
    assert_string_equal(ltuya_profile_find(&y.profile, 1)->code, "switch");

    assert_true(parse_file(dir_configs, "curtain.yaml", err, sizeof err));
    assert_int_equal(ltuya_profile_find(&y.profile, 1)->role, LTUYA_ROLE_COVER_CONTROL);
    assert_int_equal(ltuya_profile_find(&y.profile, 2)->role, LTUYA_ROLE_POSITION);
    assert_int_equal(ltuya_profile_find(&y.profile, 3)->role, LTUYA_ROLE_POSITION_STATE);
    assert_string_equal(ltuya_profile_find(&y.profile, 5)->code, "motor_direction");
    assert_string_equal(ltuya_profile_find(&y.profile, 5)->enums, "forward,back");
}

static void test_yaml_errors_name_file_and_line(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        const char *prefix; /* "file:line:" */
        const char *words;  /* part of the message */
    } cases[] = {
        {"not_yaml.yaml", "not_yaml.yaml:5:", "flow"},
        {"bad_scale.yaml", "bad_scale.yaml:9:", "power of 10"},
        {"no_id.yaml", "no_id.yaml:5:", "without id"},
        {"bad_type.yaml", "bad_type.yaml:7:", "unknown type 'complex'"},
        {"bad_id.yaml", "bad_id.yaml:5:", "out of range"},
        {"not_a_map.yaml", "not_a_map.yaml:1:", "must be a map"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[256] = "";
        assert_false(parse_file(dir_bad, cases[i].file, err, sizeof err));
        if (strncmp(err, cases[i].prefix, strlen(cases[i].prefix)) || !strstr(err, cases[i].words))
            fail_msg("%s: got \"%s\"", cases[i].file, err);
    }
    char err[256];
    assert_false(cli_yaml_parse("", 0, "empty.yaml", &y, err, sizeof err));
    assert_string_equal(err, "empty.yaml:1: empty document");
}

static void test_yaml_dir(void **state)
{
    (void)state;
    char matched[1024], err[512];
    ltuya_dps_t st;
    const char *s = "{\"dps\":{\"1\":true,\"18\":100,\"19\":837,\"20\":2301}}";
    assert_int_equal(ltuya_json_parse_dps(s, strlen(s), &st), LTUYA_OK);
    assert_int_equal(
        cli_yaml_match_dir(dir_configs, NULL, &st, &y, matched, sizeof matched, err, sizeof err),
        1);
    assert_non_null(strstr(matched, "plug.yaml"));
    assert_int_equal(cli_yaml_match_dir(dir_configs, "testcurtainkey01", &st, &y, matched,
                                        sizeof matched, err, sizeof err),
                     1);
    assert_non_null(strstr(matched, "curtain.yaml")); /* product beats DP set */
    assert_int_equal(cli_yaml_match_dir(dir_configs, "nothing", NULL, &y, matched, sizeof matched,
                                        err, sizeof err),
                     0);
    /* one malformed file fails the whole directory, naming it */
    assert_int_equal(
        cli_yaml_match_dir(dir_bad, NULL, &st, &y, matched, sizeof matched, err, sizeof err), -1);
    assert_non_null(strstr(err, "bad_id.yaml:5:")); /* the first in name order */
    assert_int_equal(cli_yaml_match_dir("/nonexistent-ltuya", NULL, &st, &y, matched,
                                        sizeof matched, err, sizeof err),
                     -1);
}

/* ---- devices.json ------------------------------------------------------------- */

static const char devices[] =
    "[{\"name\":\"Lamp\",\"id\":\"bf0000000000000lamp\",\"key\":\"0123456789abcdef\","
    "\"category\":\"dj\",\"product_id\":\"testbulbkey00001\","
    "\"mapping\":{\"20\":{\"code\":\"switch_led\",\"type\":\"Boolean\",\"values\":{}},"
    "\"21\":{\"code\":\"work_mode\",\"type\":\"Enum\",\"values\":{\"range\":[\"white\","
    "\"colour\",\"scene\",\"music\"]}},"
    "\"22\":{\"code\":\"bright_value_v2\",\"type\":\"Integer\",\"values\":{\"min\":10,"
    "\"max\":1000,\"scale\":0,\"step\":1}},"
    "\"23\":{\"code\":\"temp_value_v2\",\"type\":\"Integer\",\"values\":"
    "\"{\\\"min\\\":0,\\\"max\\\":1000,\\\"scale\\\":0,\\\"step\\\":1}\"},"
    "\"24\":{\"code\":\"colour_data_v2\",\"type\":\"Json\",\"values\":{\"h\":{\"min\":0,"
    "\"max\":360},\"s\":{\"min\":0,\"max\":1000},\"v\":{\"min\":0,\"max\":1000}}}}},"
    "{\"name\":\"Plug\",\"id\":\"bf00000000000000plug\",\"key\":\"0123456789abcdef\","
    "\"mapping\":{\"19\":{\"code\":\"cur_power\",\"type\":\"Integer\",\"values\":{\"unit\":\"W\","
    "\"min\":0,\"max\":50000,\"scale\":1}}},"
    "\"overrides\":{\"category\":\"cz\",\"19\":{\"scale\":2},\"101\":{\"code\":\"night_light\","
    "\"type\":\"Boolean\",\"role\":\"setting\"}}}]";

static void test_mapping_reader(void **state)
{
    (void)state;
    ltuya_str_t e;
    assert_true(cli_mapping_find_entry(devices, strlen(devices), "lamp", &e));
    ltuya_profile_t p;
    ltuya_profile_init(&p);
    char err[256] = "";
    assert_true(cli_mapping_apply(e, &p, err, sizeof err));
    assert_string_equal(p.category, "dj");
    assert_int_equal(p.category_src, LTUYA_PSRC_MAPPING);
    assert_int_equal(p.count, 5);
    const ltuya_pdp_t *d = ltuya_profile_find(&p, 21);
    assert_int_equal(d->type, LTUYA_VT_ENUM);
    assert_string_equal(d->enums, "white,colour,scene,music");
    d = ltuya_profile_find(&p, 23); /* "values" as a JSON string */
    assert_true(d->min == 0 && d->max == 1000 && (d->set & LTUYA_PF_RANGE));
    assert_int_equal(d->role, LTUYA_ROLE_COLOUR_TEMP);
    d = ltuya_profile_find(&p, 24);
    assert_int_equal(d->role, LTUYA_ROLE_COLOUR);
    assert_false(d->set & LTUYA_PF_RANGE); /* h/s/v ranges are not the DP's */
    char scratch[32];
    ltuya_dp_t v;
    assert_int_equal(ltuya_pdp_parse(d, "#ff0000", 7, scratch, sizeof scratch, &v), LTUYA_OK);
    assert_string_equal(scratch, "000003e803e8");

    assert_true(cli_mapping_find_entry(devices, strlen(devices), "bf00000000000000plug", &e));
    ltuya_profile_init(&p);
    assert_true(cli_mapping_apply(e, &p, err, sizeof err));
    assert_string_equal(p.category, "cz"); /* the override's */
    assert_int_equal(p.category_src, LTUYA_PSRC_OVERRIDE);
    d = ltuya_profile_find(&p, 19);
    assert_int_equal(d->scale, 2);
    assert_string_equal(d->unit, "W");
    assert_int_equal(ltuya_pdp_source(d), LTUYA_PSRC_OVERRIDE);
    assert_int_equal(ltuya_profile_find(&p, 101)->role, LTUYA_ROLE_SETTING);
    assert_false(cli_mapping_find_entry(devices, strlen(devices), "nobody", &e));
}

static void test_mapping_errors(void **state)
{
    (void)state;
    static const struct {
        const char *mapping;
        const char *words;
    } cases[] = {
        {"{\"19\":{\"scale\":12}}", "DP 19: \"scale\" must be 0-9"},
        {"{\"19\":{\"type\":\"Decimal\"}}", "unknown type \"Decimal\""},
        {"{\"x\":{\"code\":\"a\"}}", "\"x\" is not a DP number"},
        {"{\"0\":{\"code\":\"a\"}}", "\"0\" is not a DP number"},
        {"{\"19\":{\"values\":{\"min\":5,\"max\":1}}}", "min 5 is above max 1"},
        {"{\"19\":{\"values\":{\"range\":[1,2]}}}", "must be strings"},
        {"{\"19\":{\"role\":\"wizard\"}}", "unknown role \"wizard\""},
        {"{\"19\":5}", "not an object"},
        {"{\"19\":{\"code\":\"a\"}", "malformed"},
        {"[1]", "not a JSON object"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ltuya_profile_t p;
        ltuya_profile_init(&p);
        char err[256] = "";
        ltuya_str_t m = {cases[i].mapping, strlen(cases[i].mapping)};
        assert_false(cli_mapping_apply_object(m, LTUYA_PSRC_MAPPING, &p, err, sizeof err));
        if (!strstr(err, cases[i].words))
            fail_msg("%s: got \"%s\"", cases[i].mapping, err);
    }
}

/* The loader: devices.json + YAML + built-in + raw, and which won. */
static void test_loader_precedence(void **state)
{
    (void)state;
    char path[] = "/tmp/ltuya-profile-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, devices, strlen(devices)), (ssize_t)strlen(devices));
    close(fd);
    ltuya_dps_t st;
    const char *s = "{\"dps\":{\"20\":true,\"21\":\"white\",\"22\":505,\"23\":0,"
                    "\"24\":\"000003e803e8\",\"26\":0,\"102\":7}}";
    assert_int_equal(ltuya_json_parse_dps(s, strlen(s), &st), LTUYA_OK);
    cli_profile_req_t req = {path, "Lamp", NULL, dir_configs};
    ltuya_profile_t p;
    cli_profile_info_t info;
    assert_int_equal(cli_profile_build(&req, &st, &p, &info), 0);
    assert_non_null(strstr(info.yaml_file, "bulb_v2.yaml"));
    assert_int_equal(info.yaml_match, 2); /* the entry's product_id */
    /* mapping beats the file for codes; the file adds DP 26; raw adds 102 */
    assert_string_equal(ltuya_profile_find(&p, 22)->code, "bright_value_v2");
    assert_string_equal(ltuya_profile_find(&p, 26)->code, "timer");
    assert_int_equal(ltuya_pdp_source(ltuya_profile_find(&p, 102)), LTUYA_PSRC_RAW);
    assert_int_equal(p.sources, (1 << LTUYA_PSRC_MAPPING) | (1 << LTUYA_PSRC_FILE) |
                                    (1 << LTUYA_PSRC_BUILTIN) | (1 << LTUYA_PSRC_RAW));
    char line[512];
    FILE *mem = fmemopen(line, sizeof line, "w");
    cli_profile_print_sources(mem, &p, &info);
    fclose(mem);
    assert_non_null(strstr(line, "profile: devices.json mapping, profile file "));
    assert_non_null(strstr(line, "(matched by product key), built-in category defaults, raw DPs "
                                 "(category dj)"));
    /* without devices.json: the category is guessed from the status */
    cli_profile_req_t bare = {path, "nobody", NULL, NULL};
    assert_int_equal(cli_profile_build(&bare, &st, &p, &info), 0);
    assert_true(info.category_guessed);
    assert_string_equal(p.category, "dj");
    assert_int_equal(ltuya_pdp_source(ltuya_profile_find(&p, 22)), LTUYA_PSRC_BUILTIN);
    /* a malformed profile directory is a configuration error */
    cli_profile_req_t bad = {path, "Lamp", NULL, dir_bad};
    assert_int_equal(cli_profile_build(&bad, &st, &p, &info), 3);
    unlink(path);
}

int main(void)
{
    const char *src = getenv("LTUYA_PROFILE_TESTS");
    if (!src)
        src = "tests/profiles";
    snprintf(dir_configs, sizeof dir_configs, "%s/configs", src);
    snprintf(dir_bad, sizeof dir_bad, "%s/bad", src);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_yaml_bulb),
        cmocka_unit_test(test_yaml_plug_and_curtain),
        cmocka_unit_test(test_yaml_errors_name_file_and_line),
        cmocka_unit_test(test_yaml_dir),
        cmocka_unit_test(test_mapping_reader),
        cmocka_unit_test(test_mapping_errors),
        cmocka_unit_test(test_loader_precedence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
