/*
 * test_ticket_text.c — codec_ticket_text(): a ticket's JSON text from the
 * database, masked for a role without re-encoding it, must be the same
 * document as the slow path (parse, codec_mask_ticket, add query_code).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "json/codec.h"

/* PostgreSQL's json_build_object style: spaces around the colons. */
static const char ticket[] =
    "{\"id\" : \"01a2-x\", \"number\" : \"2026112200000001\", \"title\" : \"a \\\"}\\\" {[\", "
    "\"caller\" : {\"name\" : \"王某某\", \"phone\" : \"13800138000\", \"anonymous\" : false, "
    "\"confidential\" : false}, \"events\" : [{\"seq\" : 1, \"data\" : {\"caller\" : 1}}], "
    "\"lat\" : 34.27, \"n\" : null}";

/* The slow path, as a canonical text for comparison. */
static char *
slow(const char *text, Role role, const char *code)
{
    json_t *t = json_loads(text, 0, NULL);
    char *s;

    if (t == NULL)
        return NULL;
    codec_mask_ticket(t, role);
    if (code != NULL)
        json_object_set_new(t, "query_code", json_string(code));
    s = json_dumps(t, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(t);
    return s;
}

static char *
fast(const char *text, Role role, const char *code)
{
    size_t len = 0;
    char *out = codec_ticket_text(text, strlen(text), role, code, &len), *s;
    json_t *t;

    if (out == NULL)
        return NULL;
    if (len != strlen(out)) {
        free(out);
        return NULL;
    }
    t = json_loads(out, 0, NULL);
    free(out);
    if (t == NULL)
        return NULL;
    s = json_dumps(t, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(t);
    return s;
}

static void
same(const char *text, Role role, const char *code)
{
    char *a = slow(text, role, code), *b = fast(text, role, code);

    CHECK(a != NULL);
    CHECK_STR(b, a);
    free(a);
    free(b);
}

static void
test_roles(void)
{
    Role roles[] = {ROLE_OPERATOR, ROLE_ADMIN, ROLE_UNIT, ROLE_LEADER, ROLE_CHANNEL};

    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        same(ticket, roles[i], NULL);
        same(ticket, roles[i], "012345");
    }
}

static void
test_masked(void)
{
    size_t len;
    char *out = codec_ticket_text(ticket, strlen(ticket), ROLE_UNIT, NULL, &len);

    CHECK(out != NULL);
    CHECK(out && strstr(out, "13800138000") == NULL);
    CHECK(out && strstr(out, "138****8000") != NULL);
    /* Everything outside the caller object is the text as it came. */
    CHECK(out && strstr(out, "\"lat\" : 34.27") != NULL);
    free(out);
}

static void
test_shapes(void)
{
    size_t len;
    char *out;

    same("{}", ROLE_UNIT, "123456");
    same("{\"caller\" : null}", ROLE_UNIT, "123456");
    same("{\"x\" : [1, {\"caller\" : {\"phone\" : \"13800138000\"}}]}", ROLE_UNIT, NULL);
    same("  {\"caller\":{\"name\":\"张三\",\"phone\":\"13912345678\",\"confidential\":true}}\n",
         ROLE_CHANNEL, "000001");
    same("{\"caller\":{\"name\":\"张三\",\"anonymous\":true}}", ROLE_OPERATOR, NULL);
    /* Not an object, or malformed: NULL, and the caller takes the slow path. */
    CHECK(codec_ticket_text("[1]", 3, ROLE_UNIT, NULL, &len) == NULL);
    CHECK(codec_ticket_text("{\"a\" : \"x}", 10, ROLE_UNIT, NULL, &len) == NULL);
    CHECK(codec_ticket_text("{\"a\" 1}", 7, ROLE_UNIT, NULL, &len) == NULL);
    CHECK(codec_ticket_text("{\"a\" : 1} x", 11, ROLE_UNIT, NULL, &len) == NULL);
    CHECK(codec_ticket_text("{\"a\" : }", 8, ROLE_UNIT, NULL, &len) == NULL);
    CHECK(codec_ticket_text("", 0, ROLE_UNIT, NULL, &len) == NULL);
    out = codec_ticket_text("{\"a\" : 1}", 9, ROLE_UNIT, "1", &len);
    CHECK_STR(out, "{\"a\" : 1,\"query_code\":\"1\"}");
    free(out);
}

static void
test_members(void)
{
    char buf[16];
    size_t len;
    char *out;

    CHECK(codec_text_string(ticket, strlen(ticket), "number", buf, sizeof buf) == false);
    CHECK(codec_text_string("{\"status\" : \"closed\"}", strlen("{\"status\" : \"closed\"}"),
                            "status", buf, sizeof buf));
    CHECK_STR(buf, "closed");
    CHECK(!codec_text_string("{\"status\" : 1}", strlen("{\"status\" : 1}"), "status", buf,
                             sizeof buf));
    CHECK(!codec_text_string("{\"status\" : \"a\\\"b\"}", strlen("{\"status\" : \"a\\\"b\"}"),
                             "status", buf, sizeof buf));
    CHECK(!codec_text_string("{\"s\" : \"x\"}", strlen("{\"s\" : \"x\"}"), "status", buf,
                             sizeof buf));
    out = codec_text_add_string("{\"status\" : \"closed\"}", strlen("{\"status\" : \"closed\"}"),
                                "status_label", "已办结", &len);
    CHECK_STR(out, "{\"status\" : \"closed\",\"status_label\":\"已办结\"}");
    CHECK(out && len == strlen(out));
    free(out);
    out = codec_text_add_string(" { } ", strlen(" { } "), "k", "a\"b", &len);
    CHECK_STR(out, " { \"k\":\"a\\\"b\"} ");
    free(out);
    CHECK(codec_text_add_string("[]", strlen("[]"), "k", "v", &len) == NULL);
}

int
main(void)
{
    RUN(test_members);
    RUN(test_roles);
    RUN(test_masked);
    RUN(test_shapes);
    return CHECK_DONE();
}
