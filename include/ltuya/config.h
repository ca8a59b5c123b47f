/*
 * ltuya compile-time options, all in one place.
 *
 * Every knob has a default here and can be overridden with -DLTUYA_X=... or by
 * defining LTUYA_USER_CONFIG as the name of a header to include first
 * (e.g. -DLTUYA_USER_CONFIG='"my_ltuya_config.h"'). Under ESP-IDF the Kconfig
 * bridge (ltuya_kconfig.h) sets them from menuconfig.
 */
#ifndef LTUYA_CONFIG_H
#define LTUYA_CONFIG_H

#ifdef LTUYA_USER_CONFIG
#include LTUYA_USER_CONFIG
#elif defined(ESP_PLATFORM)
#include "ltuya_kconfig.h" /* ports/esp-idf: the menuconfig values */
#endif

/* Largest whole frame (prefix to footer) accepted or produced. A frame whose
 * header declares more is rejected with LTUYA_ERR_FRAME_TOO_LARGE before its
 * body is read. Tuya's own firmware drops anything over 4 KiB. */
#ifndef LTUYA_MAX_FRAME
#define LTUYA_MAX_FRAME 4096
#endif

/* Most data points kept from one status payload; more are counted but dropped. */
#ifndef LTUYA_MAX_DPS
#define LTUYA_MAX_DPS 48
#endif

/* Deepest JSON nesting the reader accepts (objects and arrays). */
#ifndef LTUYA_JSON_MAX_DEPTH
#define LTUYA_JSON_MAX_DEPTH 16
#endif

/* Longest device id / sub-device cid, without the terminator (real ids: 20-22). */
#ifndef LTUYA_MAX_ID
#define LTUYA_MAX_ID 32
#endif

/* Protocol versions compiled in. 3.2, 3.3 and 3.4 share the ECB code and are
 * always present; 3.1 (base64 + MD5) and 3.5 (GCM) can be left out. */
#ifndef LTUYA_WITH_V31
#define LTUYA_WITH_V31 1
#endif
#ifndef LTUYA_WITH_V35
#define LTUYA_WITH_V35 1
#endif

#endif
