/*
 * Fuzz target: what the ltuya tool reads from people and files:
 * devices.json (tools/ltuya/devices.c) and the command line (the shared
 * option table and cli_target_option() of target.c, key and hex parsing of
 * util.c). Nothing here opens a socket; the message-printing paths are
 * left out (cli_devices_find runs quiet, keys go through the silent
 * cli_key_from_text()).
 *
 * Input: byte 0 picks the mode (mod 3):
 *   0  devices.json: the bytes up to the first NUL are the DEVICE name to
 *      look up, the rest is the file;
 *   1  a command line: the rest split at NUL bytes into arguments, parsed
 *      as `ltuya get` parses them (getopt_long over CLI_TARGET_LONGOPTS),
 *      then the device resolved as cli_target_open() does before connecting;
 *   2  hex and text helpers: cli_unhex into a buffer sized by byte 1,
 *      cli_is_text, and cli_json_string, whose output must be valid JSON;
 *      the same text as a `set` VALUE (value.c): what it accepts is a
 *      32-bit integer, a boolean or a string that fits, printed as valid JSON.
 */
#include <getopt.h>
#include <stdio.h>
#include <strings.h>

#include "devices.h"
#include "fuzz_common.h"
#include "ltuya/json.h"
#include "target.h"
#include "util.h"
#include "value.h"

#define MAX_ARGS 32

static void check_entry(const cli_device_entry_t *e)
{
    FZ_CHECK(memchr(e->name, 0, sizeof e->name) && memchr(e->id, 0, sizeof e->id));
    FZ_CHECK(memchr(e->key, 0, sizeof e->key) && memchr(e->ip, 0, sizeof e->ip));
    FZ_CHECK(memchr(e->version, 0, sizeof e->version));
    FZ_CHECK(memchr(e->product, 0, sizeof e->product));
    FZ_CHECK(e->map_count <= CLI_MAX_MAPPING);
    for (size_t i = 0; i < e->map_count; i++) {
        FZ_CHECK(e->map[i].dp > 0);
        FZ_CHECK(memchr(e->map[i].code, 0, sizeof e->map[i].code));
        FZ_CHECK(memchr(e->map[i].unit, 0, sizeof e->map[i].unit));
        FZ_CHECK(e->map[i].scale <= 9);
        FZ_CHECK(cli_devices_dp(e, e->map[i].dp) != NULL);
    }
    ltuya_energy_map_t m;
    cli_devices_energy_map(e, &m);
}

static void devices_json(fz_in_t *in)
{
    static cli_device_entry_t e;
    char name[65];
    const uint8_t *nul = memchr(in->p, 0, in->n);
    size_t nlen = nul ? (size_t)(nul - in->p) : 0;
    if (nlen >= sizeof name)
        nlen = sizeof name - 1;
    memcpy(name, in->p, nlen);
    name[nlen] = 0;
    if (nul) {
        in->n -= (size_t)(nul - in->p) + 1;
        in->p = nul + 1;
    }
    char *text = malloc(in->n ? in->n : 1); /* exact size, no terminator */
    if (!text)
        return;
    memcpy(text, in->p, in->n);
    memset(&e, 0, sizeof e);
    if (cli_devices_find(text, in->n, name, &e, true)) {
        check_entry(&e);
        FZ_CHECK(!strcmp(e.id, name) || !strcasecmp(e.name, name));
    } else {
        FZ_CHECK(e.id[0] == 0 && e.map_count == 0);
    }
    free(text);
}

static void command_line(fz_in_t *in)
{
    static const struct option longopts[] = {
        CLI_TARGET_LONGOPTS, {"dp", required_argument, NULL, 'd'}, {NULL, 0, NULL, 0}};
    static cli_target_t t; /* large (device buffers) */
    char *argv[MAX_ARGS + 2];
    int argc = 0;
    argv[argc++] = strdup("get");
    while (in->n && argc < MAX_ARGS + 1) {
        const uint8_t *nul = memchr(in->p, 0, in->n);
        size_t len = nul ? (size_t)(nul - in->p) : in->n;
        char *a = malloc(len + 1);
        if (!a)
            break;
        memcpy(a, in->p, len);
        a[len] = 0;
        argv[argc++] = a;
        in->p += len + (nul ? 1 : 0);
        in->n -= len + (nul ? 1 : 0);
    }
    argv[argc] = NULL;
    char *owned[MAX_ARGS + 2];
    memcpy(owned, argv, sizeof owned); /* getopt_long permutes argv */

    memset(&t, 0, sizeof t);
    unsigned dp = 0;
    int opt;
    opterr = 0; /* no messages on stderr */
    optind = 0; /* glibc: 0 also resets its internal state between inputs */
    while ((opt = getopt_long(argc, argv, CLI_TARGET_SHORTOPTS "d:", longopts, NULL)) != -1) {
        if (opt == 'd') {
            dp = (unsigned)atoi(optarg);
            continue;
        }
        if (opt == 'h')
            continue;
        (void)cli_target_option(&t, opt, optarg);
    }
    for (int i = optind; i < argc; i++)
        if (!t.name && !t.ip && !strchr(argv[i], '='))
            t.name = argv[i];
    (void)dp;

    /* What cli_target_open checks before it connects. */
    if (t.key) {
        uint8_t k[16];
        bool ok = cli_key_from_text(t.key, k);
        FZ_CHECK(!ok || strlen(t.key) == 16 || strlen(t.key) == 32);
    }
    if (t.version_given) /* -V is taken only when it names a version this build speaks */
        FZ_CHECK(ltuya_version_supported(t.ver) && strcmp(ltuya_version_str(t.ver), "?"));
    if (t.port) /* --port is taken only in range */
        FZ_CHECK(t.port <= 65535);
    for (int i = 0; i < argc; i++)
        free(owned[i]);
}

static void text_helpers(fz_in_t *in)
{
    size_t cap = fz_u8(in);
    uint8_t *out = malloc(cap ? cap : 1);
    char *s = malloc(in->n ? in->n : 1);
    if (!out || !s) {
        free(out);
        free(s);
        return;
    }
    memcpy(s, in->p, in->n);
    long n = cli_unhex(s, in->n, out, cap);
    FZ_CHECK(n >= -1 && n <= (long)cap);
    (void)cli_is_text(in->p, in->n);

    char *json = NULL;
    size_t json_len = 0;
    FILE *f = open_memstream(&json, &json_len);
    if (f) {
        cli_json_string(f, s, in->n);
        fclose(f);
        FZ_CHECK(ltuya_json_validate(json, json_len) == LTUYA_OK);
        free(json);
    }
    /* as a DP value (NUL-terminated: argv never holds a NUL) */
    char *arg = strndup(s, in->n);
    static char text[512];
    ltuya_dp_t v;
    if (arg && cli_value_parse(arg, 1, &v, text, sizeof text)) {
        FZ_CHECK(v.type == LTUYA_DP_BOOL || v.type == LTUYA_DP_INT || v.type == LTUYA_DP_STR);
        if (v.type == LTUYA_DP_INT)
            FZ_CHECK(v.i >= INT32_MIN && v.i <= INT32_MAX);
        if (v.type == LTUYA_DP_STR)
            FZ_CHECK(v.str.ptr == text && v.str.len < sizeof text);
        f = open_memstream(&json, &json_len);
        if (f) {
            cli_value_print(f, &v);
            fclose(f);
            FZ_CHECK(ltuya_json_validate(json, json_len) == LTUYA_OK);
            free(json);
        }
    }
    free(arg);
    free(out);
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in_t in = {data, size};
    switch (fz_u8(&in) % 3) {
    case 0:
        devices_json(&in);
        break;
    case 1:
        command_line(&in);
        break;
    default:
        text_helpers(&in);
        break;
    }
    return 0;
}
