/*
 * fuzz_action.c — POST /api/v1/tickets/{id}/{action} bodies.  The first
 * byte picks the action; the rest is the body: codec_parse_object (an empty
 * body is {}), codec_action_decode, the event data, the error body.
 */
#include "fuzz.h"

#include "core/validate.h"
#include "json/codec.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *root = NULL;
    ActionInput in;
    ErrInfo ei;
    Action a;
    char *text;

    if (size == 0)
        return 0;
    a = (Action) (1 + data[0] % (ACT__COUNT - 1)); /* every action but intake */
    data++;
    size--;
    err_clear(&ei);
    if (codec_parse_object((const char *) data, size, true, &root, &ei) == ERR_OK) {
        memset(&in, 0, sizeof in);
        if (codec_action_decode(a, root, &in, &ei) == ERR_OK) {
            FUZZ_CHECK(in.expected_version >= -1);
            text = codec_event_data(&in, a == ACT_MERGE ? "2026112200000001" : NULL);
            if (text != NULL) {
                FUZZ_CHECK(validate_utf8(text, strlen(text)));
                free(text);
            }
        } else {
            FUZZ_CHECK(ei.code != ERR_OK && ei.message[0] != '\0');
        }
    }
    text = codec_error_body(&ei);
    FUZZ_CHECK(text != NULL);
    free(text);
    json_decref(root);
    return 0;
}
