/*
 * fuzz_intake.c — POST /api/v1/tickets bodies: codec_parse_object, then
 * codec_intake_decode (intake_validate included), the intake event's data,
 * the error body, and the caller masking of every role over whatever the
 * body holds.
 */
#include "fuzz.h"

#include "core/mask.h"
#include "core/validate.h"
#include "json/codec.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *root = NULL;
    Intake in;
    ErrInfo ei;
    char *text;

    err_clear(&ei);
    if (codec_parse_object((const char *) data, size, false, &root, &ei) == ERR_OK) {
        FUZZ_CHECK(json_is_object(root));
        if (codec_intake_decode(root, &in, &ei) == ERR_OK) {
            FUZZ_CHECK(in.description != NULL && in.category != NULL);
            FUZZ_CHECK(in.anonymous || in.caller_phone != NULL);
            text = codec_intake_event_data(&in, 7);
            FUZZ_CHECK(text != NULL);
            free(text);
        } else {
            FUZZ_CHECK(ei.code != ERR_OK && ei.message[0] != '\0');
        }
        for (int role = ROLE_NONE; role < ROLE__COUNT; role++) {
            json_t *copy = json_deep_copy(root);

            codec_mask_ticket(copy, (Role) role);
            json_decref(copy);
        }
    } else {
        FUZZ_CHECK(ei.code == ERR_INVALID_JSON && root == NULL);
    }
    text = codec_error_body(&ei);
    FUZZ_CHECK(text != NULL && validate_utf8(text, strlen(text)));
    free(text);
    json_decref(root);
    return 0;
}
