/*
 * check.h — a minimal unit-test harness for lib/core.
 *
 * A test file defines test functions and lists them in main() with RUN();
 * CHECK() records a failure with file and line and goes on; the process exits
 * non-zero when any check failed, so ctest reports it.
 */
#ifndef MINHU_TEST_CHECK_H
#define MINHU_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        check_count++;                                                                             \
        if (!(cond)) {                                                                             \
            check_failures++;                                                                      \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
        }                                                                                          \
    } while (0)

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *check_a_ = (a), *check_b_ = (b);                                               \
        check_count++;                                                                             \
        if (check_a_ == NULL || check_b_ == NULL || strcmp(check_a_, check_b_) != 0) {             \
            check_failures++;                                                                      \
            fprintf(stderr, "%s:%d: \"%s\" != \"%s\" (%s vs %s)\n", __FILE__, __LINE__,            \
                    check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)", #a, #b);       \
        }                                                                                          \
    } while (0)

#define CHECK_INT(a, b)                                                                            \
    do {                                                                                           \
        long long check_a_ = (long long) (a), check_b_ = (long long) (b);                          \
        check_count++;                                                                             \
        if (check_a_ != check_b_) {                                                                \
            check_failures++;                                                                      \
            fprintf(stderr, "%s:%d: %lld != %lld (%s vs %s)\n", __FILE__, __LINE__, check_a_,      \
                    check_b_, #a, #b);                                                             \
        }                                                                                          \
    } while (0)

#define RUN(fn)                                                                                    \
    do {                                                                                           \
        int check_before_ = check_failures;                                                        \
        fn();                                                                                      \
        fprintf(stderr, "%s %s\n", check_failures == check_before_ ? "ok  " : "FAIL", #fn);        \
    } while (0)

#define CHECK_DONE()                                                                               \
    (fprintf(stderr, "%d checks, %d failed\n", check_count, check_failures),                       \
     check_failures == 0 ? 0 : 1)

#endif
