/*
 * mbedTLS configuration for the native module: only what ltuya needs that
 * the firmware's cryptolib/hashlib do not give, i.e. AES-GCM for 3.5 and the
 * CTR_DRBG behind the nonces. No libc allocation, no threads, no file system.
 * AES tables are constant and in their small form (the .mpy is loaded into
 * RAM on most ports).
 */
#ifndef LTUYA_MBEDTLS_CONFIG_NATMOD_H
#define LTUYA_MBEDTLS_CONFIG_NATMOD_H

#define MBEDTLS_AES_C
#define MBEDTLS_AES_ROM_TABLES
#define MBEDTLS_AES_FEWER_TABLES
#define MBEDTLS_AES_ONLY_128_BIT_KEY_LENGTH
#define MBEDTLS_GCM_C
#define MBEDTLS_CTR_DRBG_C
#define MBEDTLS_CTR_DRBG_USE_128_BIT_KEY
/* no CPU-specific code paths: the .mpy runs on any core of its architecture */
#undef MBEDTLS_AESNI_C
#undef MBEDTLS_AESCE_C
#undef MBEDTLS_HAVE_ASM

#endif
