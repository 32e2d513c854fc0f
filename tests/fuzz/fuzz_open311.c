/*
 * fuzz_open311.c — Open311 POST requests bodies
 * (application/x-www-form-urlencoded): open311_form_parse in place,
 * open311_post_decode, open311_post_intake and intake_validate, as the
 * endpoint runs them.
 */
#include "fuzz.h"

#include "core/open311.h"
#include "core/validate.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = fuzz_cstr(data, size);
    Open311Form f;
    Open311Post p;
    Intake in;
    ErrInfo ei;
    char name[128], code[40];
    bool multi;

    err_clear(&ei);
    name[0] = '\0';
    if (open311_form_parse(buf, size, &f, &ei) == ERR_OK) {
        FUZZ_CHECK(f.n <= OPEN311_FORM_MAX);
        for (size_t i = 0; i < f.n; i++) {
            FUZZ_CHECK(validate_utf8(f.pair[i].key, strlen(f.pair[i].key)));
            FUZZ_CHECK(validate_utf8(f.pair[i].value, strlen(f.pair[i].value)));
            (void) open311_attribute_key(f.pair[i].key, code, sizeof code, &multi);
        }
        if (open311_post_decode(&f, &p, &ei) == ERR_OK &&
            open311_post_intake(&p, &in, name, sizeof name, &ei) == ERR_OK) {
            FUZZ_CHECK(validate_utf8(name, strlen(name)));
            (void) intake_validate(&in, &ei);
        }
    } else {
        FUZZ_CHECK(ei.code == ERR_INVALID);
    }
    free(buf);
    return 0;
}
