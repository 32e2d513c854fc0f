/*
 * test_mask.c — what of a caller each role sees (domain.md §6): the view per
 * role × confidential × anonymous, masked phones and names.
 */
#include <string.h>

#include "check.h"
#include "core/mask.h"
#include "core/validate.h"

static void
test_caller_view(void)
{
    static const struct {
        Role role;
        CallerView plain, confidential; /* not anonymous */
    } cases[] = {
        {ROLE_OPERATOR, CALLER_FULL, CALLER_FULL}, /* the centre sees all */
        {ROLE_ADMIN, CALLER_FULL, CALLER_FULL},
        {ROLE_UNIT, CALLER_MASKED, CALLER_HIDDEN}, /* units: surname + masked phone */
        {ROLE_LEADER, CALLER_MASKED, CALLER_HIDDEN},
        {ROLE_CHANNEL, CALLER_MASKED, CALLER_HIDDEN},
        {ROLE_NONE, CALLER_HIDDEN, CALLER_HIDDEN}, /* the public: never a name or phone */
        {(Role) ROLE__COUNT, CALLER_HIDDEN, CALLER_HIDDEN},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Role r = cases[i].role;

        CHECK_INT(mask_caller_view(r, false, false), cases[i].plain);
        CHECK_INT(mask_caller_view(r, true, false), cases[i].confidential);
        /* anonymous tickets carry no caller, for anyone */
        CHECK_INT(mask_caller_view(r, false, true), CALLER_HIDDEN);
        CHECK_INT(mask_caller_view(r, true, true), CALLER_HIDDEN);
    }
    /* every role is covered */
    for (int r = 0; r < ROLE__COUNT; r++) {
        bool found = false;

        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
            found |= cases[i].role == (Role) r;
        CHECK(found);
    }
}

static void
test_phone(void)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"13800138000", "138****8000"},   /* mobile */
        {"138-0013-8000", "138****8000"}, /* with separators */
        {"138 0013 8000", "138****8000"},
        {"+8613800138000", "138****8000"}, /* country code dropped */
        {"+86 138 0013 8000", "138****8000"},
        {"008613800138000", "138****8000"},
        {"010-12345678", "010****5678"}, /* landline with area code */
        {"029-88886666", "029****6666"},
        {"0755-12345678", "075****5678"},
        {"+1 415 555 0100", "141****0100"}, /* other countries keep their code */
        {"88886666", "****6666"},           /* local number: at least four hidden */
        {"8888666", "****"},                /* short numbers: nothing */
        {"12345", "****"},
        {"110", "****"},
        {"", "****"},
        {"abc", "****"},
    };
    char out[32];

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_STR(mask_phone(cases[i].in, out, sizeof out), cases[i].out);
    CHECK_STR(mask_phone(NULL, out, sizeof out), "****");

    /* never more than 7 digits of a number show */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int shown = 0;

        mask_phone(cases[i].in, out, sizeof out);
        for (const char *p = out; *p; p++)
            shown += *p >= '0' && *p <= '9';
        CHECK(shown <= 7);
        CHECK(strstr(out, "****") != NULL);
    }

    /* a small buffer is cut, not overrun; len 0 writes nothing */
    out[0] = 'x';
    CHECK(mask_phone("13800138000", out, 0) == out);
    CHECK(out[0] == 'x');
    CHECK_STR(mask_phone("13800138000", out, 5), "138*");
}

static void
test_name(void)
{
    char out[16];

    CHECK_STR(mask_name("王小明", out, sizeof out), "王某");
    CHECK_STR(mask_name("欧阳", out, sizeof out), "欧某");
    CHECK_STR(mask_name("李", out, sizeof out), "李某");
    CHECK_STR(mask_name("Smith", out, sizeof out), "S某");
    CHECK_STR(mask_name("\xF0\x9F\x98\x80x", out, sizeof out), "\xF0\x9F\x98\x80某"); /* 4 bytes */
    CHECK_STR(mask_name("", out, sizeof out), "");
    CHECK_STR(mask_name(NULL, out, sizeof out), "");
    /* broken UTF-8 never leaks a partial character into the output */
    CHECK_STR(mask_name("\xE7\x8E", out, sizeof out), "某");
    CHECK_STR(mask_name("\xE7\x41\x42", out, sizeof out), "某");
    CHECK_STR(mask_name("\x80\x80", out, sizeof out), "某");
    CHECK(validate_utf8(mask_name("\xE7\x8E", out, sizeof out), strlen(out)));
    out[0] = 'x';
    CHECK(mask_name("王", out, 0) == out);
    CHECK(out[0] == 'x');
}

int
main(void)
{
    RUN(test_caller_view);
    RUN(test_phone);
    RUN(test_name);
    return CHECK_DONE();
}
