/* Clocks and random bytes for lwIP systems; what comes from where is in ltuya_lwip.h. */
#include <stddef.h>
#include <time.h>

#include "ltuya_lwip.h"

#ifdef ESP_PLATFORM
#include "esp_random.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#else
#include "lwip/opt.h"

#include "lwip/sys.h"
#endif

static int64_t (*wall_hook)(void);

#ifdef ESP_PLATFORM

static uint64_t mono_ms(void *ctx)
{
    (void)ctx;
    return (uint64_t)esp_timer_get_time() / 1000u; /* microseconds since boot, never negative */
}

static void sleep_ms(void *ctx, uint32_t ms)
{
    (void)ctx;
    /* Round up: pdMS_TO_TICKS truncates, and 0 ticks would only yield. */
    TickType_t ticks = (TickType_t)(((uint64_t)ms + portTICK_PERIOD_MS - 1) / portTICK_PERIOD_MS);
    vTaskDelay(ticks ? ticks : 1);
}

static int os_random(void *ctx, uint8_t *buf, size_t n)
{
    (void)ctx;
    esp_fill_random(buf, n);
    return 0;
}

#else /* any other lwIP system */

/* sys_now() is 32 bits of milliseconds and wraps after 49.7 days; widen it.
 * The state is shared, so the update runs under lwIP's own lock. */
static uint32_t last_now;
static uint64_t high_bits;

static uint64_t mono_ms(void *ctx)
{
    (void)ctx;
    SYS_ARCH_DECL_PROTECT(lev);
    SYS_ARCH_PROTECT(lev);
    uint32_t now = sys_now();
    if (now < last_now)
        high_bits += (uint64_t)1 << 32;
    last_now = now;
    uint64_t ms = high_bits | now;
    SYS_ARCH_UNPROTECT(lev);
    return ms;
}

static void sleep_ms(void *ctx, uint32_t ms)
{
    (void)ctx;
    sys_msleep(ms);
}

#endif

static int64_t wall_s(void *ctx)
{
    (void)ctx;
    return wall_hook ? wall_hook() : (int64_t)time(NULL);
}

const ltuya_clock_t *ltuya_lwip_clock(void)
{
    static const ltuya_clock_t c = {mono_ms, wall_s, sleep_ms, NULL};
    return &c;
}

void ltuya_lwip_init(const ltuya_lwip_hooks_t *hooks)
{
    wall_hook = hooks ? hooks->wall_s : NULL;
    if (hooks && hooks->random) {
        ltuya_random_set_hook(hooks->random, hooks->random_ctx);
        return;
    }
#ifdef ESP_PLATFORM
    ltuya_random_set_hook(os_random, NULL);
#endif
}
