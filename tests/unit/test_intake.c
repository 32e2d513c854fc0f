/*
 * test_intake.c — the rules of a new appeal that need no database: required
 * fields, formats, anonymous appeals, lengths counted in characters, and the
 * field path of each error.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/intake.h"

/* n copies of the UTF-8 character ch, in a buffer the caller frees. */
static char *
repeat(const char *ch, size_t n)
{
    size_t w = strlen(ch);
    char *s = malloc(n * w + 1);

    if (s == NULL)
        abort();
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * w, ch, w);
    s[n * w] = '\0';
    return s;
}

static void
valid(Intake *in)
{
    intake_init(in);
    in->channel = CH_PHONE;
    in->nature = NATURE_COMPLAINT;
    in->category = "0301";
    in->area = "610104002";
    in->address = "红庙坡街道白家口社区 5 号楼";
    in->title = "夜间施工噪声";
    in->description = "小区旁工地每晚十一点后仍在施工";
    in->caller_name = "王小明";
    in->caller_phone = "13800138000";
}

/* intake_validate of in must fail with want, naming the field path. */
#define REFUSED(in, want, path)                                                                    \
    do {                                                                                           \
        ErrInfo ei_;                                                                               \
        err_clear(&ei_);                                                                           \
        CHECK_INT(intake_validate((in), &ei_), (want));                                            \
        CHECK_INT(ei_.code, (want));                                                               \
        CHECK_STR(ei_.field, (path));                                                              \
        CHECK(ei_.message[0] != '\0');                                                             \
    } while (0)

#define ACCEPTED(in) CHECK_INT(intake_validate((in), NULL), ERR_OK)

static void
test_defaults(void)
{
    Intake in;

    memset(&in, 0x5a, sizeof in);
    intake_init(&in);
    CHECK_INT(in.urgency, URG_NORMAL);
    CHECK(in.callback_wanted);
    CHECK(!in.anonymous && !in.confidential && !in.has_location);
    CHECK(in.category == NULL && in.description == NULL && in.caller_phone == NULL);
    CHECK(in.area == NULL && in.title == NULL && in.address == NULL && in.caller_name == NULL);
    REFUSED(&in, ERR_MISSING, "category"); /* an empty intake is not an appeal */
}

static void
test_required(void)
{
    Intake in;

    valid(&in);
    ACCEPTED(&in);

    valid(&in);
    in.category = NULL;
    REFUSED(&in, ERR_MISSING, "category");
    in.category = "";
    REFUSED(&in, ERR_INVALID, "category");
    in.category = "03 01";
    REFUSED(&in, ERR_INVALID, "category");

    valid(&in);
    in.description = NULL;
    REFUSED(&in, ERR_MISSING, "description");
    in.description = "";
    REFUSED(&in, ERR_INVALID, "description");

    valid(&in);
    in.caller_phone = NULL;
    REFUSED(&in, ERR_MISSING, "caller.phone");
    in.caller_phone = "";
    REFUSED(&in, ERR_INVALID, "caller.phone");
    in.caller_phone = "138-0013-800O";
    REFUSED(&in, ERR_INVALID, "caller.phone");

    /* optional fields may be absent */
    valid(&in);
    in.area = in.address = in.title = in.caller_name = NULL;
    ACCEPTED(&in);
}

static void
test_formats(void)
{
    Intake in;

    valid(&in);
    in.area = "6101/04";
    REFUSED(&in, ERR_INVALID, "area");

    valid(&in);
    in.description = "bad \xE5\xB0 UTF-8";
    REFUSED(&in, ERR_INVALID, "description");
    valid(&in);
    in.title = "\xC0\x80";
    REFUSED(&in, ERR_INVALID, "title");
    valid(&in);
    in.address = "\xED\xA0\x80";
    REFUSED(&in, ERR_INVALID, "address");
    valid(&in);
    in.caller_name = "\xFF";
    REFUSED(&in, ERR_INVALID, "caller.name");

    valid(&in);
    in.has_location = true;
    in.lat = 34.29;
    in.lon = 108.92;
    ACCEPTED(&in);
    in.lat = -90;
    in.lon = 180;
    ACCEPTED(&in);
    in.lat = 90.0001;
    REFUSED(&in, ERR_INVALID, "location");
    in.lat = 0;
    in.lon = -180.5;
    REFUSED(&in, ERR_INVALID, "location");
    in.lon = NAN;
    REFUSED(&in, ERR_INVALID, "location");
    in.lon = 0;
    in.lat = INFINITY;
    REFUSED(&in, ERR_INVALID, "location");
    in.has_location = false; /* not given: not checked */
    ACCEPTED(&in);
}

static void
test_anonymous(void)
{
    Intake in;

    valid(&in);
    in.anonymous = true;
    REFUSED(&in, ERR_INVALID, "caller"); /* name and phone given */
    in.caller_name = NULL;
    REFUSED(&in, ERR_INVALID, "caller"); /* a phone alone */
    in.caller_phone = NULL;
    in.caller_name = "王小明";
    REFUSED(&in, ERR_INVALID, "caller"); /* a name alone */
    in.caller_name = NULL;
    ACCEPTED(&in); /* no phone needed */

    valid(&in);
    in.confidential = true; /* confidential callers still give a phone */
    ACCEPTED(&in);
    in.caller_phone = NULL;
    REFUSED(&in, ERR_MISSING, "caller.phone");
}

static void
test_lengths_in_characters(void)
{
    static const struct {
        size_t max;
        const char *field;
    } limits[] = {
        {INTAKE_DESCRIPTION_MAX, "description"},
        {INTAKE_TITLE_MAX, "title"},
        {INTAKE_ADDRESS_MAX, "address"},
        {INTAKE_NAME_MAX, "caller.name"},
    };
    static const char *const chars[] = {"a", "噪", "\xF0\x9F\x98\x80"}; /* 1, 3 and 4 bytes */

    CHECK_INT(INTAKE_DESCRIPTION_MAX, 4000);
    for (size_t l = 0; l < sizeof limits / sizeof limits[0]; l++)
        for (size_t c = 0; c < sizeof chars / sizeof chars[0]; c++) {
            char *at = repeat(chars[c], limits[l].max);
            char *over = repeat(chars[c], limits[l].max + 1);
            const char **slot;
            Intake in;

            valid(&in);
            slot = strcmp(limits[l].field, "description") == 0 ? &in.description
                   : strcmp(limits[l].field, "title") == 0     ? &in.title
                   : strcmp(limits[l].field, "address") == 0   ? &in.address
                                                               : &in.caller_name;
            *slot = at; /* the limit itself, in bytes up to 4 times more */
            ACCEPTED(&in);
            *slot = over;
            REFUSED(&in, ERR_INVALID, limits[l].field);
            free(at);
            free(over);
        }
}

int
main(void)
{
    RUN(test_defaults);
    RUN(test_required);
    RUN(test_formats);
    RUN(test_anonymous);
    RUN(test_lengths_in_characters);
    return CHECK_DONE();
}
