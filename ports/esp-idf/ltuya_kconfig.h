/*
 * The Kconfig bridge: menuconfig's "ltuya" menu (the Kconfig file at the
 * top of the repository) becomes the LTUYA_* knobs of ltuya/config.h.
 *
 * config.h includes this header whenever ESP_PLATFORM is defined and no
 * LTUYA_USER_CONFIG is given, so the library and every file that includes
 * its headers see the same sizes. A knob already given with -D wins.
 * Without the component's Kconfig (a PlatformIO library build, which reads
 * no Kconfig) no CONFIG_LTUYA_* exists and config.h's defaults apply.
 *
 * New knobs: one block each, an int copied as is, a bool as 0 / 1.
 */
#ifndef LTUYA_KCONFIG_H
#define LTUYA_KCONFIG_H

#include "sdkconfig.h"

#ifdef CONFIG_LTUYA_KCONFIG /* the menu exists: its bools are meant (unset = n) */

#if !defined(LTUYA_MAX_FRAME) && defined(CONFIG_LTUYA_MAX_FRAME)
#define LTUYA_MAX_FRAME CONFIG_LTUYA_MAX_FRAME
#endif

#if !defined(LTUYA_MAX_DPS) && defined(CONFIG_LTUYA_MAX_DPS)
#define LTUYA_MAX_DPS CONFIG_LTUYA_MAX_DPS
#endif

#if !defined(LTUYA_JSON_MAX_DEPTH) && defined(CONFIG_LTUYA_JSON_MAX_DEPTH)
#define LTUYA_JSON_MAX_DEPTH CONFIG_LTUYA_JSON_MAX_DEPTH
#endif

#if !defined(LTUYA_MAX_ID) && defined(CONFIG_LTUYA_MAX_ID)
#define LTUYA_MAX_ID CONFIG_LTUYA_MAX_ID
#endif

#ifndef LTUYA_WITH_V31
#ifdef CONFIG_LTUYA_WITH_V31
#define LTUYA_WITH_V31 1
#else
#define LTUYA_WITH_V31 0
#endif
#endif

#ifndef LTUYA_WITH_V34
#ifdef CONFIG_LTUYA_WITH_V34
#define LTUYA_WITH_V34 1
#else
#define LTUYA_WITH_V34 0
#endif
#endif

#ifndef LTUYA_WITH_V35
#ifdef CONFIG_LTUYA_WITH_V35
#define LTUYA_WITH_V35 1
#else
#define LTUYA_WITH_V35 0
#endif
#endif

#endif /* CONFIG_LTUYA_KCONFIG */

#endif
