/*
 * test_textwidth.c — display width of UTF-8 text and padding that keeps
 * Chinese names aligned.
 */
#include <string.h>

#include "check.h"
#include "core/textwidth.h"

static void
test_code_points(void)
{
    CHECK_INT(textwidth_cp('a'), 1);
    CHECK_INT(textwidth_cp(' '), 1);
    CHECK_INT(textwidth_cp('\t'), 0);
    CHECK_INT(textwidth_cp(0x7F), 0);
    CHECK_INT(textwidth_cp(0x4E2D), 2);  /* 中 */
    CHECK_INT(textwidth_cp(0x3002), 2);  /* 。 */
    CHECK_INT(textwidth_cp(0xFF08), 2);  /* （ fullwidth */
    CHECK_INT(textwidth_cp(0xFF61), 1);  /* ｡ halfwidth */
    CHECK_INT(textwidth_cp(0xAC00), 2);  /* 가 */
    CHECK_INT(textwidth_cp(0x3042), 2);  /* あ */
    CHECK_INT(textwidth_cp(0x20000), 2); /* CJK extension B */
    CHECK_INT(textwidth_cp(0x1F600), 2); /* 😀 */
    CHECK_INT(textwidth_cp(0x0301), 0);  /* combining acute */
    CHECK_INT(textwidth_cp(0x200B), 0);  /* zero width space */
    CHECK_INT(textwidth_cp(0xFE0F), 0);  /* variation selector */
    CHECK_INT(textwidth_cp(0x00E9), 1);  /* é */
    CHECK_INT(textwidth_cp(0x2026), 1);  /* … */
    CHECK_INT(textwidth_cp(0x2191), 1);  /* ↑ */
}

static void
test_decode(void)
{
    uint32_t cp = 0;

    CHECK_INT(textwidth_decode("A", 1, &cp), 1);
    CHECK_INT(cp, 'A');
    CHECK_INT(textwidth_decode("\xE4\xB8\xAD", 3, &cp), 3);
    CHECK_INT(cp, 0x4E2D);
    CHECK_INT(textwidth_decode("\xF0\x9F\x98\x80", 4, &cp), 4);
    CHECK_INT(cp, 0x1F600);
    CHECK_INT(textwidth_decode("\xE4\xB8", 2, &cp), 0);         /* truncated */
    CHECK_INT(textwidth_decode("\xC0\x80", 2, &cp), 0);         /* overlong */
    CHECK_INT(textwidth_decode("\xED\xA0\x80", 3, &cp), 0);     /* surrogate */
    CHECK_INT(textwidth_decode("\xF4\x90\x80\x80", 4, &cp), 0); /* > U+10FFFF */
    CHECK_INT(textwidth_decode("\x80", 1, &cp), 0);
    CHECK_INT(textwidth_decode("\xE4\x41\xAD", 3, &cp), 0);
}

static void
test_width(void)
{
    CHECK_INT(textwidth(NULL), 0);
    CHECK_INT(textwidth(""), 0);
    CHECK_INT(textwidth("abc"), 3);
    CHECK_INT(textwidth("红庙坡街道"), 10);
    CHECK_INT(textwidth("610104002 红庙坡"), 16);
    CHECK_INT(textwidth("e\xCC\x81"), 1); /* e + combining acute */
    CHECK_INT(textwidth("\xFF\xFE"
                        "ab"),
              4); /* stray bytes: one each */
    CHECK_INT(textwidth("99.10%"), 6);
    CHECK_INT(textwidth("\xE2\x86\x91"
                        "2"),
              2); /* ↑2 */
}

static void
test_pad(void)
{
    char buf[64];

    CHECK(textwidth_pad(buf, sizeof buf, "北关街道", 12, false));
    CHECK_STR(buf, "北关街道    ");
    CHECK_INT(textwidth(buf), 12);
    CHECK(textwidth_pad(buf, sizeof buf, "北关街道", 12, true));
    CHECK_STR(buf, "    北关街道");
    CHECK(textwidth_pad(buf, sizeof buf, "96.30", 8, true));
    CHECK_STR(buf, "   96.30");
    CHECK(textwidth_pad(buf, sizeof buf, NULL, 3, false));
    CHECK_STR(buf, "   ");
    /* too wide: cut at a character, "…" at the end, exactly width columns */
    CHECK(textwidth_pad(buf, sizeof buf, "环城西路街道办事处", 9, false));
    CHECK_STR(buf, "环城西路\xE2\x80\xA6");
    CHECK_INT(textwidth(buf), 9);
    CHECK(textwidth_pad(buf, sizeof buf, "环城西路街道办事处", 10, false));
    CHECK_STR(buf, "环城西路\xE2\x80\xA6 "); /* a wide char does not fit the 9th column */
    CHECK_INT(textwidth(buf), 10);
    CHECK(textwidth_pad(buf, sizeof buf, "环城西路街道办事处", 10, true));
    CHECK_STR(buf, " 环城西路\xE2\x80\xA6");
    CHECK(textwidth_pad(buf, sizeof buf, "abcdef", 4, false));
    CHECK_STR(buf, "abc\xE2\x80\xA6");
    CHECK(textwidth_pad(buf, sizeof buf, "abc", 0, false));
    CHECK_STR(buf, "");
    /* the buffer is too small */
    CHECK(!textwidth_pad(buf, 4, "红庙坡", 6, false));
    CHECK(!textwidth_pad(buf, 0, "x", 1, false));
}

/* Names of different byte lengths line up in one column. */
static void
test_alignment(void)
{
    static const char *const names[] = {"北院门街道", "土门街道", "环城西路街道", "ent-water"};
    char buf[64];
    size_t want = 14;

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        CHECK(textwidth_pad(buf, sizeof buf, names[i], want, false));
        CHECK_INT(textwidth(buf), want);
    }
}

int
main(void)
{
    RUN(test_code_points);
    RUN(test_decode);
    RUN(test_width);
    RUN(test_pad);
    RUN(test_alignment);
    return CHECK_DONE();
}
