/*
 * Fuzz target: what `ltuya bridge` takes from MQTT (tools/bridge/bridge_parse.c)
 * and from its files (tools/bridge/bridge_config.c). Everything arriving on
 * <name>/set, <name>/set/<attr>, <name>/raw/set and bridge/request/<what> is
 * untrusted: a parser either fills a command that is safe to send or says
 * why not; it never crashes and never yields an out-of-range DP.
 *
 * Input: byte 0 picks the mode (mod 5), the rest is the payload:
 *   0  <name>/set against a device with a mapping (bool, scaled int, enum, json)
 *   1  <name>/set/<attr>: the bytes up to the first NUL are the attribute
 *   2  <name>/raw/set
 *   3  bridge/request/<what>: byte 1 picks <what> (mod 6; 5 is an unknown one)
 *   4  devices.json, then a config file from the same bytes
 */
#include <stdio.h>

#include "bridge_config.h"
#include "bridge_parse.h"
#include "fuzz_common.h"

static const char device_json[] =
    "{\"name\":\"plug\",\"id\":\"bf0123456789abcdefgh\",\"key\":\"0123456789abcdef\","
    "\"ip\":\"127.0.0.1\",\"version\":\"3.4\",\"mapping\":{"
    "\"1\":{\"code\":\"switch_1\",\"type\":\"Boolean\",\"values\":{}},"
    "\"9\":{\"code\":\"countdown_1\",\"type\":\"Integer\",\"values\":{\"unit\":\"s\",\"scale\":0}},"
    "\"24\":{\"code\":\"temp_set\",\"type\":\"Integer\",\"values\":{\"scale\":1}},"
    "\"38\":{\"code\":\"relay_status\",\"type\":\"Enum\",\"values\":{\"range\":[\"off\",\"on\"]}},"
    "\"51\":{\"code\":\"cycle_time\",\"type\":\"Json\",\"values\":{}}}}";

static void check_cmd(const bridge_cmd_t *c, bool ok, const char *err)
{
    FZ_CHECK(memchr(err, 0, 200) != NULL);
    FZ_CHECK(memchr(c->transaction, 0, sizeof c->transaction) != NULL);
    if (!ok) {
        FZ_CHECK(err[0] != '\0'); /* a refusal always says why */
        return;
    }
    FZ_CHECK(c->n <= BRIDGE_CMD_DPS);
    FZ_CHECK(c->n > 0 || c->toggle_dp);
    for (size_t i = 0; i < c->n; i++) {
        const ltuya_dp_t *d = &c->dps[i];
        FZ_CHECK(d->id >= 1);
        FZ_CHECK(d->type == LTUYA_DP_BOOL || d->type == LTUYA_DP_INT || d->type == LTUYA_DP_STR);
        if (d->type == LTUYA_DP_INT)
            FZ_CHECK(d->i >= -(int64_t)INT32_MAX && d->i <= INT32_MAX);
        if (d->type == LTUYA_DP_STR) /* views into the command's own storage */
            FZ_CHECK(d->str.ptr >= c->text && d->str.ptr + d->str.len <= c->text + sizeof c->text);
    }
    /* a transaction is echoed as raw JSON: it must be a valid value */
    if (c->transaction[0])
        FZ_CHECK(ltuya_json_validate(c->transaction, strlen(c->transaction)) == LTUYA_OK);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static bridge_settings_t s;
    static bridge_devcfg_t dev;
    static bool ready;
    char err[200];
    if (!ready) {
        bridge_settings_defaults(&s);
        FZ_CHECK(bridge_devcfg_parse(&s, device_json, strlen(device_json), &dev, err, sizeof err));
        ready = true;
    }
    const char *p = (const char *)data + 1;
    size_t n = size - 1;
    static bridge_cmd_t cmd;
    bool ok;
    err[0] = '\0';
    switch (data[0] % 5) {
    case 0:
        ok = bridge_parse_set(&dev, p, n, &cmd, err, sizeof err);
        check_cmd(&cmd, ok, err);
        break;
    case 1: {
        const char *nul = memchr(p, 0, n);
        char attr[64];
        size_t al = nul ? (size_t)(nul - p) : 0;
        if (!nul || al >= sizeof attr)
            return 0;
        memcpy(attr, p, al);
        attr[al] = '\0';
        ok = bridge_parse_set_attr(&dev, attr, nul + 1, n - al - 1, &cmd, err, sizeof err);
        check_cmd(&cmd, ok, err);
        break;
    }
    case 2:
        ok = bridge_parse_raw_set(p, n, &cmd, err, sizeof err);
        check_cmd(&cmd, ok, err);
        break;
    case 3: {
        static const char *const whats[] = {"device/reconnect", "device/options", "device/add",
                                            "device/remove",    "devices/rescan", "device/unknown"};
        if (n < 1)
            return 0;
        bridge_req_t r;
        ok = bridge_parse_request(whats[(uint8_t)p[0] % 6], p + 1, n - 1, &r, err, sizeof err);
        FZ_CHECK(ok || err[0]);
        if (ok) {
            FZ_CHECK(memchr(r.device, 0, sizeof r.device) != NULL);
            if (r.object.ptr)
                FZ_CHECK(r.object.ptr >= p + 1 && r.object.ptr + r.object.len <= p + n);
            if (r.transaction[0])
                FZ_CHECK(ltuya_json_validate(r.transaction, strlen(r.transaction)) == LTUYA_OK);
            /* what device/add and device/options then do with the object */
            if (r.object.ptr) {
                bridge_devcfg_t d2 = dev;
                (void)bridge_devcfg_override(&d2, r.object.ptr, r.object.len, err, sizeof err);
                (void)bridge_devcfg_parse(&s, r.object.ptr, r.object.len, &d2, err, sizeof err);
            }
        }
        char tr[BRIDGE_TRANSACTION_MAX + 1];
        bridge_parse_transaction(p, n, tr, sizeof tr);
        if (tr[0])
            FZ_CHECK(ltuya_json_validate(tr, strlen(tr)) == LTUYA_OK);
        break;
    }
    default: {
        bridge_devcfg_t *list;
        size_t count;
        if (bridge_devices_parse(&s, p, n, &list, &count, err, sizeof err)) {
            for (size_t i = 0; i < count; i++) {
                FZ_CHECK(list[i].id[0] && strlen(list[i].key) == 16);
                FZ_CHECK(list[i].map_count <= BRIDGE_MAX_MAPPING);
                FZ_CHECK(!strpbrk(list[i].name, "+#/"));
            }
            free(list);
        } else {
            FZ_CHECK(err[0]);
        }
        bridge_settings_t s2;
        bridge_settings_defaults(&s2);
        if (!bridge_settings_apply_json(&s2, p, n, err, sizeof err))
            FZ_CHECK(err[0]);
        free(s2.overrides_json);
        break;
    }
    }
    return 0;
}
