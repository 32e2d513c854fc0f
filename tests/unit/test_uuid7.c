/*
 * test_uuid7.c — the UUIDv7 layout (RFC 9562): text format, version 7,
 * variant 10, the 48-bit millisecond prefix, the random bits, and ordering
 * by time whatever the random bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "core/uuid7.h"
#include "core/validate.h"

static int
hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The 16 bytes of a formatted UUID. */
static void
bytes_of(const char *u, uint8_t b[16])
{
    for (int i = 0, k = 0; i < 16; i++) {
        if (u[k] == '-')
            k++;
        b[i] = (uint8_t) (hexval(u[k]) * 16 + hexval(u[k + 1]));
        k += 2;
    }
}

static void
test_layout(void)
{
    static const uint8_t zeros[10] = {0};
    static const uint8_t ones[10] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    static const uint8_t some[10] = {0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0xF0, 0x11, 0x22};
    const uint8_t *rnds[] = {zeros, ones, some};
    int64_t ms = INT64_C(1795317445123); /* 0x01a2_0142_3203 */
    char out[37];

    uuid7_format(ms, some, out);
    CHECK_STR(out, "01a20142-3203-7234-9678-9abcdef01122");

    for (size_t r = 0; r < sizeof rnds / sizeof rnds[0]; r++) {
        uint8_t b[16];
        uint64_t ts = 0;

        memset(out, 'x', sizeof out);
        uuid7_format(ms, rnds[r], out);
        CHECK_INT(strlen(out), 36);
        CHECK(validate_uuid(out));
        for (const char *p = out; *p; p++)
            CHECK(*p == '-' || hexval(*p) >= 0); /* lower case */
        CHECK(out[14] == '7');                   /* version nibble */
        CHECK(strchr("89ab", out[19]) != NULL);  /* variant 10xx */
        bytes_of(out, b);
        CHECK_INT(b[6] >> 4, 7);
        CHECK_INT(b[8] >> 6, 2);
        for (int i = 0; i < 6; i++)
            ts = ts << 8 | b[i];
        CHECK_INT(ts, ms);
        /* the random bits are rnd's, less the nibble and two bits overwritten */
        CHECK_INT(b[6] & 0x0F, rnds[r][0] & 0x0F);
        CHECK_INT(b[7], rnds[r][1]);
        CHECK_INT(b[8] & 0x3F, rnds[r][2] & 0x3F);
        for (int i = 9; i < 16; i++)
            CHECK_INT(b[i], rnds[r][i - 6]);
    }
    uuid7_format(0, zeros, out);
    CHECK_STR(out, "00000000-0000-7000-8000-000000000000");
    uuid7_format(INT64_C(0xFFFFFFFFFFFF), ones, out);
    CHECK_STR(out, "ffffffff-ffff-7fff-bfff-ffffffffffff");
}

static void
test_time_order(void)
{
    static const uint8_t zeros[10] = {0};
    static const uint8_t ones[10] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    int64_t ms = INT64_C(1795317445123);
    char a[37], b[37];

    /* a later millisecond sorts later, as text and so in the index */
    for (int64_t step = 1; step < INT64_C(1) << 40; step *= 3) {
        uuid7_format(ms, ones, a);
        uuid7_format(ms + step, zeros, b);
        CHECK(strcmp(a, b) < 0);
    }
    /* within one millisecond the random bits decide */
    uuid7_format(ms, zeros, a);
    uuid7_format(ms, ones, b);
    CHECK(strcmp(a, b) < 0);
}

int
main(void)
{
    RUN(test_layout);
    RUN(test_time_order);
    return CHECK_DONE();
}
