/*
 * Shared pieces of the fuzz targets: the libFuzzer entry point's prototype,
 * a reader that turns the fuzz input into choices (version, sizes, flags)
 * and bytes, the fixed test key and a deterministic random source.
 *
 * Every target is built twice: with libFuzzer (clang, `make fuzz`) and with
 * replay_main.c (any compiler, `make test`), which runs the committed
 * corpus and regression inputs through the same function.
 */
#ifndef LTUYA_FUZZ_COMMON_H
#define LTUYA_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ltuya/crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A failed invariant: abort, so libFuzzer and ASan report the input. */
#define FZ_CHECK(cond)                                                                             \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fz_fail(#cond, __FILE__, __LINE__);                                                    \
    } while (0)

void fz_fail(const char *what, const char *file, int line);

/* The input, consumed from the front. Reading past the end yields zeros, so
 * every input (even an empty one) is a valid script. */
typedef struct {
    const uint8_t *p;
    size_t n;
} fz_in_t;

static inline uint8_t fz_u8(fz_in_t *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

static inline uint16_t fz_u16(fz_in_t *in)
{
    uint16_t hi = fz_u8(in);
    return (uint16_t)(hi << 8 | fz_u8(in));
}

static inline uint32_t fz_u32(fz_in_t *in)
{
    uint32_t hi = fz_u16(in);
    return hi << 16 | fz_u16(in);
}

/* Up to `want` bytes as a view into the input; returns how many. */
static inline size_t fz_bytes(fz_in_t *in, size_t want, const uint8_t **out)
{
    size_t n = want < in->n ? want : in->n;
    *out = in->p;
    in->p += n;
    in->n -= n;
    return n;
}

/* The fixed local key of every target (a test key, as in tests/unit). */
extern const uint8_t fz_key[LTUYA_KEY_LEN];

/* Install a random source that yields a known byte sequence, restarted for
 * each input so a crash replays exactly: byte i is (seed + i) * 37 mod 256. */
void fz_random_reset(uint8_t seed);

/* Fold bytes into a sink the optimiser cannot drop, so ASan sees every
 * byte of a returned view actually read. */
void fz_touch(const void *p, size_t n);

#endif
