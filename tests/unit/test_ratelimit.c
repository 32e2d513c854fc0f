/*
 * test_ratelimit.c — fixed-window counters.
 */
#include "check.h"
#include "core/ratelimit.h"

static void
test_limit_and_window(void)
{
    RateTable *t = rate_new(64, 1000, 3);

    CHECK(t != NULL);
    CHECK(!rate_exceeded(t, "10.0.0.1", 0));
    rate_hit(t, "10.0.0.1", 0);
    rate_hit(t, "10.0.0.1", 10);
    CHECK(!rate_exceeded(t, "10.0.0.1", 20));
    rate_hit(t, "10.0.0.1", 30);
    CHECK(rate_exceeded(t, "10.0.0.1", 40));
    CHECK_INT(rate_retry_after(t, "10.0.0.1", 40), 1);
    /* The window ends 1000 ms after its first hit. */
    CHECK(rate_exceeded(t, "10.0.0.1", 999));
    CHECK(!rate_exceeded(t, "10.0.0.1", 1000));
    rate_hit(t, "10.0.0.1", 1000);
    CHECK(!rate_exceeded(t, "10.0.0.1", 1001));
    rate_free(t);
}

static void
test_keys_are_separate(void)
{
    RateTable *t = rate_new(4096, 60000, 2);
    int other_blocked = 0;

    rate_hit(t, "2026112200000001", 0);
    rate_hit(t, "2026112200000001", 0);
    CHECK(rate_exceeded(t, "2026112200000001", 1));
    for (int i = 2; i < 100; i++) {
        char key[32];

        snprintf(key, sizeof key, "20261122%08d", i);
        other_blocked += rate_exceeded(t, key, 1);
    }
    CHECK_INT(other_blocked, 0);
    CHECK(rate_retry_after(t, "2026112200000001", 1000) >= 58);
    rate_free(t);
}

int
main(void)
{
    RUN(test_limit_and_window);
    RUN(test_keys_are_separate);
    return CHECK_DONE();
}
