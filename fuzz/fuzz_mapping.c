/*
 * Fuzz target: the devices.json mapping / overrides reader of the ltuya tool
 * (tools/ltuya/profile_mapping.c), and the core's typed-value parser behind
 * it. Byte 0 picks the mode (mod 3):
 *   0  the rest is a devices.json text: find the entry "Lamp" and apply it;
 *   1  the rest is a mapping object, applied under source MAPPING;
 *   2  byte 1 picks a DP of the built-in socket + light profiles, the rest is
 *      a value typed by a person (ltuya_pdp_parse); what it accepts must be
 *      in range and format back (ltuya_pdp_format).
 * Invariants: a well-formed profile after success or failure, a message
 * on failure; every value the profile can parse for a DP formats back.
 */
#include "fuzz_common.h"
#include "profile_mapping.h"

static void check(const ltuya_profile_t *p)
{
    FZ_CHECK(p->count <= LTUYA_PROFILE_MAX_DPS);
    FZ_CHECK(memchr(p->category, 0, sizeof p->category));
    for (size_t i = 0; i < p->count; i++) {
        const ltuya_pdp_t *d = &p->dp[i];
        FZ_CHECK(d->id > 0 && (i == 0 || p->dp[i - 1].id < d->id));
        FZ_CHECK(memchr(d->code, 0, sizeof d->code) && memchr(d->unit, 0, sizeof d->unit));
        FZ_CHECK(memchr(d->enums, 0, sizeof d->enums) && d->scale <= 9);
        FZ_CHECK(!(d->set & LTUYA_PF_RANGE) || d->min <= d->max);
        /* the lower end of the range (or 0) written and read back */
        if (d->type == LTUYA_VT_INT && d->role != LTUYA_ROLE_COLOUR) {
            char text[32], scratch[64];
            ltuya_dp_t v;
            int64_t raw = (d->set & LTUYA_PF_RANGE) ? d->min : 0;
            FZ_CHECK(ltuya_scaled_format(raw, d->scale, text, sizeof text, NULL) == LTUYA_OK);
            if (ltuya_pdp_parse(d, text, strlen(text), scratch, sizeof scratch, &v) == LTUYA_OK)
                FZ_CHECK(v.type == LTUYA_DP_INT && v.i == raw);
        }
    }
}

static void typed_value(fz_in_t *in)
{
    static ltuya_profile_t builtin;
    if (!builtin.count) {
        ltuya_profile_init(&builtin);
        (void)ltuya_profile_builtin(&builtin, "cz", NULL);
        (void)ltuya_profile_builtin(&builtin, "dj", NULL); /* 20-28 replace the socket's */
        (void)ltuya_profile_builtin(&builtin, "cl", NULL);
    }
    const ltuya_pdp_t *d = &builtin.dp[fz_u8(in) % builtin.count];
    char scratch[64], text[64];
    ltuya_dp_t v;
    if (ltuya_pdp_parse(d, (const char *)in->p, in->n, scratch, sizeof scratch, &v) != LTUYA_OK)
        return;
    FZ_CHECK(v.id == d->id);
    if (v.type == LTUYA_DP_INT)
        FZ_CHECK(ltuya_pdp_check_int(d, v.i) == LTUYA_OK);
    if (v.type == LTUYA_DP_STR)
        FZ_CHECK(v.str.ptr == scratch && v.str.len < sizeof scratch);
    FZ_CHECK(ltuya_pdp_format(d, &v, text, sizeof text, NULL) == LTUYA_OK);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in_t in = {data, size};
    unsigned mode = fz_u8(&in) % 3;
    ltuya_profile_t p;
    char err[256] = "";
    ltuya_profile_init(&p);
    if (mode == 0) {
        ltuya_str_t entry;
        if (cli_mapping_find_entry((const char *)in.p, in.n, "Lamp", &entry)) {
            FZ_CHECK(entry.ptr >= (const char *)in.p &&
                     entry.ptr + entry.len <= (const char *)in.p + in.n);
            if (!cli_mapping_apply(entry, &p, err, sizeof err))
                FZ_CHECK(err[0]);
        }
    } else if (mode == 2) {
        typed_value(&in);
    } else {
        ltuya_str_t m = {(const char *)in.p, in.n};
        if (!cli_mapping_apply_object(m, LTUYA_PSRC_MAPPING, &p, err, sizeof err))
            FZ_CHECK(err[0]);
    }
    check(&p);
    return 0;
}
