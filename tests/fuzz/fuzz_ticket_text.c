/*
 * fuzz_ticket_text.c — codec_ticket_text(), the scan that masks a ticket's
 * JSON text from the database without parsing all of it.  The first byte
 * picks the role and whether a query code is added; the rest is the text.
 * Whenever it answers, its answer must be the same document as the slow
 * path (parse, codec_mask_ticket, add query_code).  The same holds for
 * codec_text_add_string() against json_object_set.
 */
#include "fuzz.h"

#include "json/codec.h"

static char *
canonical(json_t *t)
{
    char *s = json_dumps(t, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);

    json_decref(t);
    return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const Role roles[] = {ROLE_OPERATOR, ROLE_UNIT, ROLE_CHANNEL, ROLE_LEADER};
    const char *code;
    Role role;
    char *text, *out, *a = NULL, *b = NULL;
    size_t len = 0;
    json_t *t;

    if (size == 0)
        return 0;
    role = roles[data[0] % 4];
    code = (data[0] & 4) ? "012345" : NULL;
    text = fuzz_cstr(data + 1, size - 1);
    out = codec_ticket_text(text, size - 1, role, code, &len);
    t = json_loadb(text, size - 1, JSON_REJECT_DUPLICATES, NULL);
    if (out != NULL && memchr(text, '\0', size - 1) == NULL) { /* callers pass C strings */
        FUZZ_CHECK(len == strlen(out));
        if (t != NULL && json_is_object(t)) {
            json_t *slow = json_deep_copy(t);

            codec_mask_ticket(slow, role);
            if (code != NULL)
                json_object_set_new(slow, "query_code", json_string(code));
            a = canonical(slow);
            b = canonical(json_loads(out, 0, NULL));
            FUZZ_CHECK(a != NULL && b != NULL && strcmp(a, b) == 0);
        }
    }
    /* The plain member reader and the member appender the public lookup uses. */
    {
        char buf[32];
        size_t n = 0;
        char *added = codec_text_add_string(text, size - 1, "zz_label", "标签", &n);

        if (codec_text_string(text, size - 1, "status", buf, sizeof buf))
            FUZZ_CHECK(strlen(buf) < sizeof buf);
        if (added != NULL && memchr(text, '\0', size - 1) == NULL && t != NULL &&
            json_is_object(t)) {
            json_t *slow = json_deep_copy(t);
            char *c, *d;

            json_object_set_new(slow, "zz_label", json_string("标签"));
            c = canonical(slow);
            d = canonical(json_loads(added, 0, NULL));
            FUZZ_CHECK(c != NULL && d != NULL && strcmp(c, d) == 0);
            free(c);
            free(d);
        }
        free(added);
    }
    free(a);
    free(b);
    json_decref(t);
    free(out);
    free(text);
    return 0;
}
