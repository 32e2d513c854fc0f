/*
 * test_validate.c — the field rules shared by every parser: UTF-8, codes,
 * phones, UUIDs, ticket numbers and query codes, good and bad.
 */
#include <string.h>

#include "check.h"
#include "core/validate.h"

typedef struct Bytes {
    const char *s;
    size_t len; /* 0: strlen(s) */
    const char *why;
} Bytes;

static size_t
blen(const Bytes *b)
{
    return b->len ? b->len : strlen(b->s);
}

static void
test_utf8(void)
{
    static const Bytes good[] = {
        {"", 0, "empty"},
        {"plain ASCII ~\x7F", 0, "ASCII up to DEL"},
        {"\xC2\x80", 0, "U+0080, the first 2-byte"},
        {"\xDF\xBF", 0, "U+07FF, the last 2-byte"},
        {"\xE0\xA0\x80", 0, "U+0800, the first 3-byte"},
        {"小区旁工地每晚施工", 0, "Chinese"},
        {"\xED\x9F\xBF", 0, "U+D7FF, before the surrogates"},
        {"\xEE\x80\x80", 0, "U+E000, after the surrogates"},
        {"\xEF\xBF\xBF", 0, "U+FFFF"},
        {"\xF0\x90\x80\x80", 0, "U+10000, the first 4-byte"},
        {"\xF0\x9F\x98\x80", 0, "an emoji"},
        {"\xF4\x8F\xBF\xBF", 0, "U+10FFFF, the last code point"},
        {"a\xC3\xA9z", 0, "mixed"},
    };
    static const Bytes bad[] = {
        {"a\0b", 3, "NUL inside"},
        {"\0", 1, "NUL alone"},
        {"\x80", 0, "lone continuation"},
        {"a\xBF", 0, "continuation after ASCII"},
        {"\xC0\x80", 0, "overlong NUL"},
        {"\xC1\xBF", 0, "overlong 2-byte"},
        {"\xE0\x80\x80", 0, "overlong 3-byte (U+0000)"},
        {"\xE0\x9F\xBF", 0, "overlong 3-byte (U+07FF)"},
        {"\xF0\x80\x80\x80", 0, "overlong 4-byte"},
        {"\xF0\x8F\xBF\xBF", 0, "overlong 4-byte (U+FFFF)"},
        {"\xED\xA0\x80", 0, "surrogate U+D800"},
        {"\xED\xBF\xBF", 0, "surrogate U+DFFF"},
        {"\xF4\x90\x80\x80", 0, "U+110000"},
        {"\xF5\x80\x80\x80", 0, "lead byte F5"},
        {"\xF8\x88\x80\x80\x80", 0, "5-byte form"},
        {"\xFE", 0, "FE"},
        {"\xFF", 0, "FF"},
        {"\xC3", 0, "truncated 2-byte"},
        {"\xE5\xB0", 0, "truncated 3-byte"},
        {"\xF0\x9F\x98", 0, "truncated 4-byte"},
        {"\xE5\x41\x80", 0, "ASCII in place of a continuation"},
        {"\xE5\xB0\x0A", 0, "newline in place of a continuation"},
        {"ok\xE5\xB0", 0, "truncated at the end"},
    };

    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        if (!validate_utf8(good[i].s, blen(&good[i])))
            fprintf(stderr, "good UTF-8 refused: %s\n", good[i].why);
        CHECK(validate_utf8(good[i].s, blen(&good[i])));
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (validate_utf8(bad[i].s, blen(&bad[i])))
            fprintf(stderr, "bad UTF-8 accepted: %s\n", bad[i].why);
        CHECK(!validate_utf8(bad[i].s, blen(&bad[i])));
    }
    /* len bounds the check: a valid prefix of a longer buffer */
    CHECK(validate_utf8("ab\xE5\xB0\x8F", 2));
    CHECK(!validate_utf8("ab\xE5\xB0\x8F", 4));
    CHECK(validate_utf8("ab\xE5\xB0\x8F", 5));

    CHECK_INT(validate_utf8_chars(""), 0);
    CHECK_INT(validate_utf8_chars("abc"), 3);
    CHECK_INT(validate_utf8_chars("小区"), 2);
    CHECK_INT(validate_utf8_chars("a\xC3\xA9\xF0\x9F\x98\x80z"), 4);
}

static void
test_code(void)
{
    static const char *const good[] = {
        "0301", "610104002", "a", "dept_water", "A.b-C_9", "12345678901234567890123456789012",
    };
    static const char *const bad[] = {
        "", "a b", "0301/1", "代码", "a\tb", "123456789012345678901234567890123", "a*", "a,b",
    };

    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        CHECK(validate_code(good[i]));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(!validate_code(bad[i]));
    CHECK(!validate_code(NULL));
}

static void
test_phone(void)
{
    static const char *const good[] = {
        "13800138000", "+8613800138000",       "+86 138 0013 8000", "010-12345678",
        "12345",       "12345678901234567890", "0755 1234-5678",
    };
    static const char *const bad[] = {
        "",
        "+",
        "1234",
        "123456789012345678901",
        "138--0013",
        "138  0013",
        "-13800",
        "13800-",
        "138 ",
        "+-13800",
        "++8613800",
        "1380O138000",
        "(010)12345678",
        "138.0013.8000",
        "8613800+1",
        " 13800",
    };

    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        if (!validate_phone(good[i]))
            fprintf(stderr, "good phone refused: %s\n", good[i]);
        CHECK(validate_phone(good[i]));
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (validate_phone(bad[i]))
            fprintf(stderr, "bad phone accepted: %s\n", bad[i]);
        CHECK(!validate_phone(bad[i]));
    }
    CHECK(!validate_phone(NULL));
}

static void
test_uuid(void)
{
    static const char *const good[] = {
        "0198f3a0-1c2d-7e4f-8a9b-0c1d2e3f4a5b",
        "0198F3A0-1C2D-7E4F-8A9B-0C1D2E3F4A5B",
        "00000000-0000-0000-0000-000000000000",
    };
    static const char *const bad[] = {
        "",
        "0198f3a0-1c2d-7e4f-8a9b-0c1d2e3f4a5",   /* short */
        "0198f3a0-1c2d-7e4f-8a9b-0c1d2e3f4a5b0", /* long */
        "0198f3a01c2d7e4f8a9b0c1d2e3f4a5b",      /* no dashes */
        "0198f3a0-1c2d-7e4f-8a9b_0c1d2e3f4a5b",  /* wrong separator */
        "0198f3a0-1c2d-7e4f8-a9b-0c1d2e3f4a5b",  /* dash moved */
        "0198f3g0-1c2d-7e4f-8a9b-0c1d2e3f4a5b",  /* not hex */
        "{0198f3a0-1c2d-7e4f-8a9b-0c1d2e3f4a5}",
    };

    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        CHECK(validate_uuid(good[i]));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(!validate_uuid(bad[i]));
    CHECK(!validate_uuid(NULL));
}

static void
test_numbers(void)
{
    CHECK(validate_ticket_number("20261122"));
    CHECK(validate_ticket_number("2026112200000001"));
    CHECK(validate_ticket_number("20261122000000000001"));
    CHECK(!validate_ticket_number("2026112"));               /* 7 digits */
    CHECK(!validate_ticket_number("202611220000000000012")); /* 21 digits */
    CHECK(!validate_ticket_number("2026-11-22"));
    CHECK(!validate_ticket_number("20261122 "));
    CHECK(!validate_ticket_number("+20261122"));
    CHECK(!validate_ticket_number(""));
    CHECK(!validate_ticket_number(NULL));

    CHECK(validate_query_code("000000"));
    CHECK(validate_query_code("123456"));
    CHECK(!validate_query_code("12345"));
    CHECK(!validate_query_code("1234567"));
    CHECK(!validate_query_code("12345a"));
    CHECK(!validate_query_code(" 12345"));
    CHECK(!validate_query_code(""));
    CHECK(!validate_query_code(NULL));
}

int
main(void)
{
    RUN(test_utf8);
    RUN(test_code);
    RUN(test_phone);
    RUN(test_uuid);
    RUN(test_numbers);
    return CHECK_DONE();
}
