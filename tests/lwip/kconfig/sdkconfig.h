/* A stand-in for the sdkconfig.h ESP-IDF generates, with the "ltuya" menu
 * set away from every default (LTUYA_TEST_NO_MENU: a build without it). */
#ifndef LTUYA_TEST_NO_MENU
#define CONFIG_LTUYA_KCONFIG        1
#define CONFIG_LTUYA_MAX_FRAME      2048
#define CONFIG_LTUYA_MAX_DPS        12
#define CONFIG_LTUYA_JSON_MAX_DEPTH 8
#define CONFIG_LTUYA_MAX_ID         24
#define CONFIG_LTUYA_WITH_V34       1
#define CONFIG_LTUYA_WITH_V35       1
/* CONFIG_LTUYA_WITH_V31 is not set: Kconfig writes nothing for an "n" bool */
#endif
