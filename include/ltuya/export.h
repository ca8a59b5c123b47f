/*
 * LTUYA_API marks the functions of the public API. The library is compiled
 * with -fvisibility=hidden, so in the shared library only what carries this
 * mark is exported (`nm -D libltuya.so` lists ltuya_ symbols only) and
 * internal helpers can change without breaking the ABI.
 */
#ifndef LTUYA_EXPORT_H
#define LTUYA_EXPORT_H

#ifndef LTUYA_API
#if defined(__GNUC__) || defined(__clang__)
#define LTUYA_API __attribute__((visibility("default")))
#else
#define LTUYA_API
#endif
#endif

/* An all-zero initializer that C (where {} is not allowed before C23) and
 * C++ (where {0} warns under -Wextra) both accept, for inline functions in
 * the headers. */
#ifdef __cplusplus
#define LTUYA_ZERO_INIT                                                                            \
    {                                                                                              \
    }
#else
#define LTUYA_ZERO_INIT                                                                            \
    {                                                                                              \
        0                                                                                          \
    }
#endif

#endif
