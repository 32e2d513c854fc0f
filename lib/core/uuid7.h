/*
 * uuid7.h — time-ordered UUIDs (RFC 9562 version 7): a 48-bit millisecond
 * timestamp followed by random bits, so primary-key insertions stay local in
 * the index.  The caller supplies the time and the random bytes (libuuid's
 * generator in the server), so this stays pure and testable.
 */
#ifndef MINHU_CORE_UUID7_H
#define MINHU_CORE_UUID7_H

#include <stdint.h>

/* Writes the UUIDv7 of (ms, rnd) as 36 lower-case characters + NUL into out. */
void uuid7_format(int64_t ms, const uint8_t rnd[10], char out[37]);

#endif
