/*
 * The library's version, and the fingerprint of the compile-time limits.
 *
 * This file is the one place the version number lives: CMake (project()),
 * the pkg-config and CMake package files, `ltuya --version` and the Debian
 * package read it from here, and tests/install/version.sh checks that
 * library.json, idf_component.yml and debian/changelog agree with it.
 *
 * Compatibility (docs/abi.md): releases with the same LTUYA_VERSION_MAJOR
 * keep the ABI of the shared library (its SONAME is libltuya.so.MAJOR);
 * while MAJOR is 0 a MINOR release may break it and the SONAME follows MINOR.
 */
#ifndef LTUYA_VERSION_H
#define LTUYA_VERSION_H

#include <stdint.h>

#include "ltuya/config.h"
#include "ltuya/export.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LTUYA_VERSION_MAJOR 0
#define LTUYA_VERSION_MINOR 1
#define LTUYA_VERSION_PATCH 0

#define LTUYA_STRINGIFY_(x)  #x
#define LTUYA_XSTRINGIFY_(x) LTUYA_STRINGIFY_(x)
/* "0.1.0" */
#define LTUYA_VERSION_STRING                                                                       \
    LTUYA_XSTRINGIFY_(LTUYA_VERSION_MAJOR)                                                         \
    "." LTUYA_XSTRINGIFY_(LTUYA_VERSION_MINOR) "." LTUYA_XSTRINGIFY_(LTUYA_VERSION_PATCH)
/* 0xMMmmpp, for #if comparisons: 0x000100 is 0.1.0 */
#define LTUYA_VERSION_NUMBER                                                                       \
    ((LTUYA_VERSION_MAJOR << 16) | (LTUYA_VERSION_MINOR << 8) | LTUYA_VERSION_PATCH)

/* The version of the library actually linked (LTUYA_VERSION_STRING is the
 * one the program was compiled against). */
LTUYA_API const char *ltuya_version(void);
/* The same as a number in the form of LTUYA_VERSION_NUMBER. */
LTUYA_API uint32_t ltuya_version_number(void);

/*
 * The config.h settings that change the size or layout of public structs,
 * folded into one 32-bit number (FNV-1a over the values). The inline
 * ltuya_client_init() and ltuya_device_init() pass the application's value
 * and sizeof to the library, which returns LTUYA_ERR_CONFIG_MISMATCH when
 * they differ from its own: a program built with -DLTUYA_MAX_DPS=64 against
 * a library built with 48 is caught at init instead of corrupting memory.
 * Add a knob here (one more line, then point LTUYA_CONFIG_ID at it) when a
 * public struct starts to depend on it.
 */
#define LTUYA_CONFIG_MIX_(h, v) ((uint32_t)(((uint32_t)(h) ^ (uint32_t)(v)) * UINT32_C(16777619)))
#define LTUYA_CONFIG_H0_        UINT32_C(2166136261)
#define LTUYA_CONFIG_H1_        LTUYA_CONFIG_MIX_(LTUYA_CONFIG_H0_, LTUYA_MAX_FRAME)
#define LTUYA_CONFIG_H2_        LTUYA_CONFIG_MIX_(LTUYA_CONFIG_H1_, LTUYA_MAX_DPS)
#define LTUYA_CONFIG_H3_        LTUYA_CONFIG_MIX_(LTUYA_CONFIG_H2_, LTUYA_JSON_MAX_DEPTH)
#define LTUYA_CONFIG_H4_        LTUYA_CONFIG_MIX_(LTUYA_CONFIG_H3_, LTUYA_MAX_ID)
#define LTUYA_CONFIG_H5_        LTUYA_CONFIG_MIX_(LTUYA_CONFIG_H4_, LTUYA_MAX_HOST)
#define LTUYA_CONFIG_H6_        LTUYA_CONFIG_MIX_(LTUYA_CONFIG_H5_, LTUYA_MAX_DEVICE_ERROR)
#define LTUYA_CONFIG_H7_        LTUYA_CONFIG_MIX_(LTUYA_CONFIG_H6_, LTUYA_CACHE_DPS)
#define LTUYA_CONFIG_H8_        LTUYA_CONFIG_MIX_(LTUYA_CONFIG_H7_, LTUYA_CACHE_POOL)
#define LTUYA_CONFIG_H9_        LTUYA_CONFIG_MIX_(LTUYA_CONFIG_H8_, LTUYA_WITH_V31)
#define LTUYA_CONFIG_H10_       LTUYA_CONFIG_MIX_(LTUYA_CONFIG_H9_, LTUYA_WITH_V34)
#define LTUYA_CONFIG_H11_       LTUYA_CONFIG_MIX_(LTUYA_CONFIG_H10_, LTUYA_WITH_V35)
#define LTUYA_CONFIG_ID         LTUYA_CONFIG_H11_

/* The library's own LTUYA_CONFIG_ID (for diagnostics). */
LTUYA_API uint32_t ltuya_config_id(void);

#ifdef __cplusplus
}
#endif

#endif
