/*
 * ratelimit.h — fixed-window counters keyed by short strings (a client
 * address, a ticket number), in a fixed-size table: memory never grows with
 * the number of keys.  Two keys that share a slot share a counter, which can
 * only make the limit stricter.  Per process: N minhud processes allow N
 * times the rate in total.  Pure C: the caller passes the time.
 */
#ifndef MINHU_CORE_RATELIMIT_H
#define MINHU_CORE_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct RateTable RateTable;

/* A new table of slots counters, each counting up to limit per window_ms. */
RateTable *rate_new(size_t slots, int64_t window_ms, int limit);
void rate_free(RateTable *t);

/* True when key has reached the limit in its current window. */
bool rate_exceeded(const RateTable *t, const char *key, int64_t now_ms);

/* Counts one event for key. */
void rate_hit(RateTable *t, const char *key, int64_t now_ms);

/* Seconds until key's window ends (for Retry-After), at least 1. */
int rate_retry_after(const RateTable *t, const char *key, int64_t now_ms);

#endif
