/*
 * Fuzz target: the tuya-local-format profile reader of the ltuya tool
 * (tools/ltuya/profile_yaml.c over libyaml). The input is one YAML file.
 * Invariants: a parse either succeeds with a well-formed profile (ids
 * sorted and non-zero, fields terminated, scales 0-9) or fails with a
 * message that names the file and a line ("fuzz.yaml:N: ...").
 */
#include <stdio.h>

#include "fuzz_common.h"
#include "profile_yaml.h"

static cli_yaml_profile_t y;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512] = "";
    if (cli_yaml_parse((const char *)data, size, "fuzz.yaml", &y, err, sizeof err)) {
        const ltuya_profile_t *p = &y.profile;
        FZ_CHECK(p->count <= LTUYA_PROFILE_MAX_DPS);
        FZ_CHECK(y.n_products <= CLI_YAML_MAX_PRODUCTS && y.n_optional <= LTUYA_PROFILE_MAX_DPS);
        for (size_t i = 0; i < p->count; i++) {
            const ltuya_pdp_t *d = &p->dp[i];
            FZ_CHECK(d->id > 0 && (i == 0 || p->dp[i - 1].id < d->id));
            FZ_CHECK(memchr(d->code, 0, sizeof d->code) && memchr(d->unit, 0, sizeof d->unit));
            FZ_CHECK(memchr(d->enums, 0, sizeof d->enums) && d->scale <= 9);
            FZ_CHECK(!(d->set & LTUYA_PF_RANGE) || d->min <= d->max);
            FZ_CHECK(ltuya_profile_find(p, d->id) == d);
        }
        ltuya_ha_entity_t ents[LTUYA_PROFILE_MAX_DPS];
        FZ_CHECK(ltuya_profile_ha_entities(p, ents, LTUYA_PROFILE_MAX_DPS) <=
                 LTUYA_PROFILE_MAX_DPS);
        (void)cli_yaml_matches(&y, "key", NULL);
    } else {
        unsigned line;
        FZ_CHECK(sscanf(err, "fuzz.yaml:%u:", &line) == 1 && line >= 1);
    }
    return 0;
}
