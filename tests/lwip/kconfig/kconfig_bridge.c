/* Compile-time check of ports/esp-idf/ltuya_kconfig.h: with ESP_PLATFORM,
 * ltuya/config.h takes its knobs from the (stand-in) sdkconfig.h, and
 * without the menu it keeps its own defaults. Nothing to run. */
#include "ltuya/config.h"

#ifndef LTUYA_TEST_NO_MENU
_Static_assert(LTUYA_MAX_FRAME == 2048, "CONFIG_LTUYA_MAX_FRAME");
_Static_assert(LTUYA_MAX_DPS == 12, "CONFIG_LTUYA_MAX_DPS");
_Static_assert(LTUYA_JSON_MAX_DEPTH == 8, "CONFIG_LTUYA_JSON_MAX_DEPTH");
_Static_assert(LTUYA_MAX_ID == 24, "CONFIG_LTUYA_MAX_ID");
_Static_assert(LTUYA_WITH_V31 == 0, "an unset bool means off");
_Static_assert(LTUYA_WITH_V34 == 1, "CONFIG_LTUYA_WITH_V34");
_Static_assert(LTUYA_WITH_V35 == 1, "CONFIG_LTUYA_WITH_V35");
#else
_Static_assert(LTUYA_MAX_FRAME == 4096 && LTUYA_MAX_DPS == 48, "config.h defaults");
_Static_assert(LTUYA_WITH_V31 == 1 && LTUYA_WITH_V34 == 1 && LTUYA_WITH_V35 == 1,
               "no menu: every version stays");
#endif

int ltuya_test_kconfig_bridge(void);
int ltuya_test_kconfig_bridge(void)
{
    return LTUYA_MAX_FRAME;
}
