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

/* Protocol versions compiled in. 3.2 and 3.3 share the plain ECB + CRC code
 * and are always present. 3.1 (base64 + MD5 signature), 3.4 (HMAC trailer
 * and the session-key handshake) and 3.5 (6699 frames, GCM) can be left out;
 * a 3.3-only build (all three 0) has no handshake code and needs neither
 * HMAC, MD5 nor GCM from the crypto backend. */
#ifndef LTUYA_WITH_V31
#define LTUYA_WITH_V31 1
#endif
#ifndef LTUYA_WITH_V34
#define LTUYA_WITH_V34 1
#endif
#ifndef LTUYA_WITH_V35
#define LTUYA_WITH_V35 1
#endif
/* Derived: the 3.4/3.5 session-key negotiation is compiled in. */
#ifdef LTUYA_WITH_HANDSHAKE
#error "LTUYA_WITH_HANDSHAKE is derived from LTUYA_WITH_V34/V35: set those instead"
#endif
#define LTUYA_WITH_HANDSHAKE (LTUYA_WITH_V34 || LTUYA_WITH_V35)

/* The English texts of ltuya_status_str(). 0 saves about 1 KiB of flash:
 * ltuya_status_str() then returns the enum name ("ERR_TIMEOUT"). */
#ifndef LTUYA_WITH_STATUS_TEXT
#define LTUYA_WITH_STATUS_TEXT 1
#endif

/* ---- Buffers held in the contexts (sizeof grows with these) ---------------- */

/* Longest host name or address the client keeps, without the terminator. */
#ifndef LTUYA_MAX_HOST
#define LTUYA_MAX_HOST 63
#endif

/* Longest device error text ("data format error", ...) the client keeps. */
#ifndef LTUYA_MAX_DEVICE_ERROR
#define LTUYA_MAX_DEVICE_ERROR 47
#endif

/* The device API's DP cache: how many DPs it remembers (later new ids are
 * not cached) and the bytes for the text of string and raw-JSON DPs. A
 * typical plug reports 15-25 DPs, a handful of them strings. The pool's
 * default keeps ltuya_device_t within 1 KiB on 32-bit targets (docs/size.md;
 * scripts/size.sh --check holds it there). */
#ifndef LTUYA_CACHE_DPS
#define LTUYA_CACHE_DPS 32
#endif
#ifndef LTUYA_CACHE_POOL
#define LTUYA_CACHE_POOL 176
#endif

/* ---- Buffers the caller provides (comfortable sizes) ----------------------- */

/* Receive buffer of a session / client / device: one whole frame. */
#ifndef LTUYA_DEVICE_RX_SIZE
#define LTUYA_DEVICE_RX_SIZE LTUYA_MAX_FRAME
#endif
/* Transmit buffer: one request frame plus a heartbeat queued behind it. */
#ifndef LTUYA_DEVICE_TX_SIZE
#define LTUYA_DEVICE_TX_SIZE 1024
#endif

/* Typed DP profiles (profile.h): DPs per profile and the text kept per DP
 * (code name, unit, enum values separated by commas). sizeof(ltuya_profile_t)
 * is about MAX_DPS * (CODE + UNIT + ENUM + 24) bytes. */
#ifndef LTUYA_PROFILE_MAX_DPS
#define LTUYA_PROFILE_MAX_DPS 40
#endif
#ifndef LTUYA_PROFILE_CODE_LEN
#define LTUYA_PROFILE_CODE_LEN 32
#endif
#ifndef LTUYA_PROFILE_UNIT_LEN
#define LTUYA_PROFILE_UNIT_LEN 8
#endif
#ifndef LTUYA_PROFILE_ENUM_LEN
#define LTUYA_PROFILE_ENUM_LEN 96
#endif

/* ---- Stack (per call, released on return) ---------------------------------- */

/* Request JSON is built here before it is framed (devices have 512-byte
 * receive buffers, so requests stay small). */
#ifndef LTUYA_JSON_SCRATCH
#define LTUYA_JSON_SCRATCH 512
#endif

/* Most DP ids in one refresh (UPDATEDPS) request; more are ignored. */
#ifndef LTUYA_MAX_REFRESH
#define LTUYA_MAX_REFRESH 16
#endif

/* ---- Run-time defaults (each has an option that overrides it) -------------- */

#ifndef LTUYA_DEFAULT_PORT
#define LTUYA_DEFAULT_PORT 6668
#endif
#ifndef LTUYA_DEFAULT_CONNECT_TIMEOUT_MS
#define LTUYA_DEFAULT_CONNECT_TIMEOUT_MS 3000
#endif
#ifndef LTUYA_DEFAULT_REPLY_TIMEOUT_MS
#define LTUYA_DEFAULT_REPLY_TIMEOUT_MS 5000
#endif
#ifndef LTUYA_DEFAULT_HEARTBEAT_MS
#define LTUYA_DEFAULT_HEARTBEAT_MS 10000
#endif
/* Reconnect backoff: doubles from MIN up to MAX, with +-25 % jitter. */
#ifndef LTUYA_BACKOFF_MIN_MS
#define LTUYA_BACKOFF_MIN_MS 500
#endif
#ifndef LTUYA_BACKOFF_MAX_MS
#define LTUYA_BACKOFF_MAX_MS 30000
#endif

/* Combinations the code cannot honour stop the build here (#error). */
#include "ltuya/check_config.h"

#endif
