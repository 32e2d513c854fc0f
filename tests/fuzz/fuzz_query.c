/*
 * fuzz_query.c — query strings: evhttp_parse_query_str (what the server
 * uses), then every pair through the list's parameters (listquery_param,
 * listquery_cursor) and through Open311's GET requests filters
 * (open311_query_param, open311_query_finish).
 */
#include "fuzz.h"

#include <sys/queue.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "core/listquery.h"
#include "core/open311.h"
#include "core/ticket.h"
#include "json/codec.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);
    struct evkeyvalq q;
    struct evkeyval *kv;
    ListQuery lq;
    Open311Query oq;
    ErrInfo ei, oi;
    Err lrc = ERR_OK, orc = ERR_OK;

    TAILQ_INIT(&q);
    err_clear(&ei);
    err_clear(&oi);
    listquery_init(&lq);
    open311_query_init(&oq);
    if (evhttp_parse_query_str(s, &q) == 0) {
        TAILQ_FOREACH(kv, &q, next)
        {
            if (lrc == ERR_OK)
                lrc = listquery_param(&lq, kv->key, kv->value, &ei);
            if (orc == ERR_OK)
                orc = open311_query_param(&oq, kv->key, kv->value, &oi);
        }
        if (lrc == ERR_OK)
            lrc = listquery_cursor(&lq, &ei);
        if (lrc == ERR_OK)
            FUZZ_CHECK(lq.limit >= 1 && lq.limit <= LIST_LIMIT_MAX);
        else {
            char *body = codec_error_body(&ei);

            /* The message quotes what was sent: it must survive as UTF-8. */
            FUZZ_CHECK(ei.code == ERR_INVALID && ei.field[0] != '\0');
            FUZZ_CHECK(body != NULL && strstr(body, "\"message\"") != NULL &&
                       strstr(body, "\"field\"") != NULL);
            free(body);
        }
        if (orc == ERR_OK && open311_query_finish(&oq, INT64_C(1795000000000), &oi) == ERR_OK)
            FUZZ_CHECK(oq.ids != NULL ||
                       (oq.start != TS_NONE && (oq.end == TS_NONE || oq.start <= oq.end)));
    }
    evhttp_clear_headers(&q);
    free(s);
    return 0;
}
