/*
 * ratelimit.c — fixed-window counters in a fixed-size table.
 */
#include "core/ratelimit.h"

#include <stdlib.h>
#include <string.h>

typedef struct RateSlot {
    int64_t window_start;
    int count;
} RateSlot;

struct RateTable {
    size_t slots;
    int64_t window_ms;
    int limit;
    RateSlot slot[];
};

RateTable *
rate_new(size_t slots, int64_t window_ms, int limit)
{
    RateTable *t = calloc(1, sizeof *t + slots * sizeof(RateSlot));

    if (t == NULL)
        return NULL;
    t->slots = slots;
    t->window_ms = window_ms;
    t->limit = limit;
    return t;
}

void
rate_free(RateTable *t)
{
    free(t);
}

static size_t
slot_of(const RateTable *t, const char *key)
{
    uint64_t h = 1469598103934665603ull;

    for (; *key; key++)
        h = (h ^ (unsigned char) *key) * 1099511628211ull;
    return (size_t) (h % t->slots);
}

bool
rate_exceeded(const RateTable *t, const char *key, int64_t now_ms)
{
    const RateSlot *s = &t->slot[slot_of(t, key)];

    return now_ms - s->window_start < t->window_ms && s->count >= t->limit;
}

void
rate_hit(RateTable *t, const char *key, int64_t now_ms)
{
    RateSlot *s = &t->slot[slot_of(t, key)];

    if (now_ms - s->window_start >= t->window_ms) {
        s->window_start = now_ms;
        s->count = 0;
    }
    s->count++;
}

int
rate_retry_after(const RateTable *t, const char *key, int64_t now_ms)
{
    const RateSlot *s = &t->slot[slot_of(t, key)];
    int64_t left = s->window_start + t->window_ms - now_ms;

    return left > 1000 ? (int) (left / 1000) : 1;
}
