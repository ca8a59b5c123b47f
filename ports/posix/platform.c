/* Clocks and random bytes for POSIX hosts. */
#include <sys/random.h>
#include <time.h>

#include "ltuya/crypto.h"
#include "ltuya_posix.h"

static uint64_t mono_ms(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int64_t wall_s(void *ctx)
{
    (void)ctx;
    return (int64_t)time(NULL);
}

static void sleep_ms(void *ctx, uint32_t ms)
{
    (void)ctx;
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

const ltuya_clock_t *ltuya_posix_clock(void)
{
    static const ltuya_clock_t c = {mono_ms, wall_s, sleep_ms, NULL};
    return &c;
}

static int os_random(void *ctx, uint8_t *buf, size_t n)
{
    (void)ctx;
    while (n) {
        ssize_t got = getrandom(buf, n, 0);
        if (got <= 0)
            return -1;
        buf += got;
        n -= (size_t)got;
    }
    return 0;
}

void ltuya_posix_init(void)
{
    ltuya_random_set_hook(os_random, NULL);
}
