/*
 * Compile-time check of the knobs in config.h (included at its end): a
 * combination the code cannot honour stops the build with a message naming
 * the knob, instead of building something that misbehaves at run time.
 */
#ifndef LTUYA_CHECK_CONFIG_H
#define LTUYA_CHECK_CONFIG_H

/* Feature switches are 0 or 1: a 2 would count as "on" in `#if` and
 * "off" in `== 1` tests elsewhere. */
#if !(LTUYA_WITH_V31 == 0 || LTUYA_WITH_V31 == 1)
#error "LTUYA_WITH_V31 must be 0 or 1"
#endif
#if !(LTUYA_WITH_V34 == 0 || LTUYA_WITH_V34 == 1)
#error "LTUYA_WITH_V34 must be 0 or 1"
#endif
#if !(LTUYA_WITH_V35 == 0 || LTUYA_WITH_V35 == 1)
#error "LTUYA_WITH_V35 must be 0 or 1"
#endif
#if !(LTUYA_WITH_STATUS_TEXT == 0 || LTUYA_WITH_STATUS_TEXT == 1)
#error "LTUYA_WITH_STATUS_TEXT must be 0 or 1"
#endif

/* Frames: the smallest real ones (a 3.5 handshake frame, 3.3 heartbeats)
 * need a few dozen bytes, status replies hundreds; the 55AA length field
 * arithmetic and the reassembler assume the limit is far below 2^24. */
#if LTUYA_MAX_FRAME < 256 || LTUYA_MAX_FRAME > 65535
#error "LTUYA_MAX_FRAME must be 256..65535"
#endif
#if LTUYA_DEVICE_RX_SIZE < 256
#error "LTUYA_DEVICE_RX_SIZE must be at least 256 (one status frame)"
#endif
#if LTUYA_MAX_DPS < 1
#error "LTUYA_MAX_DPS must be at least 1"
#endif
#if LTUYA_JSON_MAX_DEPTH < 1 || LTUYA_JSON_MAX_DEPTH > 64
#error "LTUYA_JSON_MAX_DEPTH must be 1..64 (the reader keeps one bit per level)"
#endif
#if LTUYA_MAX_ID < 1 || LTUYA_MAX_HOST < 1 || LTUYA_MAX_DEVICE_ERROR < 1
#error "LTUYA_MAX_ID, LTUYA_MAX_HOST and LTUYA_MAX_DEVICE_ERROR must be at least 1"
#endif

/* The device cache counts entries in a uint8_t and addresses its pool with
 * uint16_t offsets. */
#if LTUYA_CACHE_DPS < 1 || LTUYA_CACHE_DPS > 255
#error "LTUYA_CACHE_DPS must be 1..255"
#endif
#if LTUYA_CACHE_POOL < 0 || LTUYA_CACHE_POOL > 65535
#error "LTUYA_CACHE_POOL must be 0..65535"
#endif

/* ltuya_device_refresh() with no ids asks for the three energy DPs. */
#if LTUYA_MAX_REFRESH < 3
#error "LTUYA_MAX_REFRESH must be at least 3 (the energy DPs)"
#endif
/* The largest fixed request, a 3.3 query, names the id three times. */
#if LTUYA_JSON_SCRATCH < 3 * LTUYA_MAX_ID + 64
#error "LTUYA_JSON_SCRATCH must be at least 3 * LTUYA_MAX_ID + 64 (a 3.3 query)"
#endif

#if LTUYA_BACKOFF_MIN_MS < 1 || LTUYA_BACKOFF_MIN_MS > LTUYA_BACKOFF_MAX_MS
#error "LTUYA_BACKOFF_MIN_MS must be at least 1 and at most LTUYA_BACKOFF_MAX_MS"
#endif

#endif
