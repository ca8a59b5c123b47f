/* Helpers shared by the fuzz targets; see fuzz_common.h. */
#include "fuzz_common.h"

#include <stdio.h>

const uint8_t fz_key[LTUYA_KEY_LEN] = {'0', '1', '2', '3', '4', '5', '6', '7',
                                       '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};

void fz_fail(const char *what, const char *file, int line)
{
    fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", what, file, line);
    abort();
}

static uint32_t rnd_next;

static int counter_random(void *ctx, uint8_t *buf, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++)
        buf[i] = (uint8_t)(rnd_next++ * 37u);
    return 0;
}

void fz_random_reset(uint8_t seed)
{
    rnd_next = seed;
    ltuya_random_set_hook(counter_random, NULL);
}

static volatile uint8_t sink;

void fz_touch(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc ^= b[i];
    sink ^= acc;
}
