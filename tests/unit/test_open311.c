/*
 * test_open311.c — the pure parts of the Open311 endpoint: form bodies and
 * their mapping onto an intake, GET filters and their defaults, the
 * open/closed mapping, W3C datetimes, error statuses and the XML writer.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/open311.h"
#include "core/validate.h"

#define DAY INT64_C(86400000)

/* Parses text (copied: the parser works in place) into f; returns the rc. */
static Err
parse(const char *text, char *buf, size_t cap, Open311Form *f, ErrInfo *ei)
{
    size_t n = strlen(text);

    if (n + 1 > cap)
        return ERR_INTERNAL;
    memcpy(buf, text, n + 1);
    err_clear(ei);
    return open311_form_parse(buf, n, f, ei);
}

static void
test_formats(void)
{
    char base[32];

    CHECK_INT(open311_split_format("requests.json", base, sizeof base), OPEN311_JSON);
    CHECK_STR(base, "requests");
    CHECK_INT(open311_split_format("services.xml", base, sizeof base), OPEN311_XML);
    CHECK_STR(base, "services");
    CHECK_INT(open311_split_format("01.02.xml", base, sizeof base), OPEN311_XML);
    CHECK_STR(base, "01.02"); /* the last dot splits */
    CHECK_INT(open311_split_format("services.html", base, sizeof base), OPEN311_NONE);
    CHECK_INT(open311_split_format("services", base, sizeof base), OPEN311_NONE);
    CHECK_INT(open311_split_format(".json", base, sizeof base), OPEN311_NONE);
    CHECK_INT(open311_split_format("services.JSON", base, sizeof base), OPEN311_NONE);
    CHECK_INT(open311_split_format("a-very-long-name.json", base, 8), OPEN311_NONE);

    CHECK_INT(open311_path_format("/open311/v2/services.json"), OPEN311_JSON);
    CHECK_INT(open311_path_format("/open311/v2/requests/1.json"), OPEN311_JSON);
    CHECK_INT(open311_path_format("/open311/v2/services.xml"), OPEN311_XML);
    CHECK_INT(open311_path_format("/open311/v2/nothing"), OPEN311_XML); /* XML is required */
    CHECK_INT(open311_path_format("/open311/v2/x.json/"), OPEN311_XML);
}

static void
test_http_status(void)
{
    /* 404 for what does not exist, 403 for the api_key, 400 for the rest: never 5xx. */
    for (int e = ERR_OK + 1; e < ERR__COUNT; e++) {
        int want = e == ERR_NOT_FOUND                              ? 404
                   : (e == ERR_UNAUTHORIZED || e == ERR_FORBIDDEN) ? 403
                                                                   : 400;

        CHECK_INT(open311_http_status((Err) e), want);
    }
}

static void
test_status_mapping(void)
{
    const char *names[ST__COUNT];
    size_t n;

    CHECK_STR(open311_status(ST_PENDING_DISPATCH), "open");
    CHECK_STR(open311_status(ST_DISPATCHED), "open");
    CHECK_STR(open311_status(ST_ACCEPTED), "open");
    CHECK_STR(open311_status(ST_RETURN_REQUESTED), "open");
    CHECK_STR(open311_status(ST_SUSPENDED), "open");
    CHECK_STR(open311_status(ST_REPLIED), "open"); /* awaits the callback */
    CHECK_STR(open311_status(ST_CLOSED), "closed");
    CHECK_STR(open311_status(ST_ANSWERED), "closed");
    CHECK_STR(open311_status(ST_REJECTED), "closed");
    CHECK_STR(open311_status(ST_MERGED), "closed");
    CHECK_STR(open311_status(ST_CANCELLED), "closed");

    n = open311_status_names(true, false, names, ST__COUNT);
    CHECK_INT(n, 6);
    CHECK_STR(names[0], "pending_dispatch");
    CHECK_STR(names[5], "replied");
    n = open311_status_names(false, true, names, ST__COUNT);
    CHECK_INT(n, 5);
    CHECK_STR(names[0], "closed");
    CHECK_STR(names[4], "cancelled");
    CHECK_INT(open311_status_names(true, true, names, ST__COUNT), ST__COUNT - 1);
    CHECK_INT(open311_status_names(false, false, names, ST__COUNT), 0);
    CHECK_INT(open311_status_names(true, true, names, 3), 3); /* bounded by max */
    /* every status maps, and the two filters partition them */
    for (int s = ST_NONE + 1; s < ST__COUNT; s++) {
        bool in_open = false, in_closed = false;
        size_t k;

        k = open311_status_names(true, false, names, ST__COUNT);
        for (size_t i = 0; i < k; i++)
            in_open |= strcmp(names[i], status_name((TicketStatus) s)) == 0;
        k = open311_status_names(false, true, names, ST__COUNT);
        for (size_t i = 0; i < k; i++)
            in_closed |= strcmp(names[i], status_name((TicketStatus) s)) == 0;
        CHECK(in_open != in_closed);
        CHECK_STR(open311_status((TicketStatus) s), in_open ? "open" : "closed");
    }
}

static void
test_notes(void)
{
    char buf[256];
    int64_t due = INT64_C(1767196800000) + 3 * 3600000; /* 2026-01-01 03:00 Beijing */

    CHECK_STR(open311_status_notes(ST_CLOSED, "已修复", NULL, buf, sizeof buf), "已修复");
    CHECK_STR(open311_status_notes(ST_REPLIED, "已修复", NULL, buf, sizeof buf), "已修复");
    CHECK_STR(open311_status_notes(ST_ANSWERED, "请致电", NULL, buf, sizeof buf), "请致电");
    CHECK_STR(open311_status_notes(ST_CLOSED, NULL, NULL, buf, sizeof buf), "已结案");
    /* a result is public only once replied: never an earlier draft */
    CHECK_STR(open311_status_notes(ST_ACCEPTED, "x", NULL, buf, sizeof buf), "办理中");
    CHECK_STR(open311_status_notes(ST_DISPATCHED, NULL, NULL, buf, sizeof buf), "已派单待签收");
    CHECK_STR(open311_status_notes(ST_REJECTED, NULL, NULL, buf, sizeof buf), "不予受理");
    CHECK_STR(open311_status_notes(ST_MERGED, NULL, "2026010100000001", buf, sizeof buf),
              "已合并至工单 2026010100000001 一并办理");

    CHECK(open311_service_notice(ST_CLOSED, "红庙坡街道", due, buf, sizeof buf) == NULL);
    CHECK(open311_service_notice(ST_CANCELLED, NULL, TS_NONE, buf, sizeof buf) == NULL);
    CHECK_STR(open311_service_notice(ST_PENDING_DISPATCH, NULL, TS_NONE, buf, sizeof buf),
              "已受理，12345 热线正在派单");
    CHECK_STR(open311_service_notice(ST_DISPATCHED, "红庙坡街道", due, buf, sizeof buf),
              "由红庙坡街道办理，应于 2026-01-01 03:00（北京时间）前答复");
    CHECK_STR(open311_service_notice(ST_ACCEPTED, NULL, TS_NONE, buf, sizeof buf),
              "由承办单位办理");
    CHECK_STR(open311_service_notice(ST_REPLIED, "红庙坡街道", due, buf, sizeof buf),
              "红庙坡街道已答复办理结果，12345 热线将回访核实");
}

static void
test_form_parse(void)
{
    char buf[512];
    Open311Form f;
    ErrInfo ei;

    CHECK_INT(parse("api_key=xyz&service_code=0403&description=A+large+%E5%9D%91%0D%0Ahere", buf,
                    sizeof buf, &f, &ei),
              ERR_OK);
    CHECK_INT(f.n, 3);
    CHECK_STR(f.pair[0].key, "api_key");
    CHECK_STR(f.pair[0].value, "xyz");
    CHECK_STR(f.pair[1].key, "service_code");
    CHECK_STR(f.pair[1].value, "0403");
    CHECK_STR(f.pair[2].value, "A large 坑\r\nhere");

    /* empty pairs skipped; a key without '=' has an empty value; escaped keys */
    CHECK_INT(parse("&a=1&&b&attribute%5Bnature%5D=help&", buf, sizeof buf, &f, &ei), ERR_OK);
    CHECK_INT(f.n, 3);
    CHECK_STR(f.pair[0].key, "a");
    CHECK_STR(f.pair[1].key, "b");
    CHECK_STR(f.pair[1].value, "");
    CHECK_STR(f.pair[2].key, "attribute[nature]");
    CHECK_STR(f.pair[2].value, "help");
    CHECK_INT(parse("", buf, sizeof buf, &f, &ei), ERR_OK);
    CHECK_INT(f.n, 0);
    CHECK_INT(parse("a=%3d%3D", buf, sizeof buf, &f, &ei), ERR_OK); /* either case of hex */
    CHECK_STR(f.pair[0].value, "==");
    CHECK_INT(parse("a=b=c", buf, sizeof buf, &f, &ei), ERR_OK); /* first '=' splits */
    CHECK_STR(f.pair[0].value, "b=c");

    /* refused: bad escapes, NUL, control characters, bad UTF-8, no name */
    CHECK_INT(parse("a=%", buf, sizeof buf, &f, &ei), ERR_INVALID);
    CHECK_INT(parse("a=%4", buf, sizeof buf, &f, &ei), ERR_INVALID);
    CHECK_INT(parse("a=%zz", buf, sizeof buf, &f, &ei), ERR_INVALID);
    CHECK_STR(ei.field, "a");
    CHECK_INT(parse("a=x%00y", buf, sizeof buf, &f, &ei), ERR_INVALID);
    CHECK_INT(parse("a=x%07y", buf, sizeof buf, &f, &ei), ERR_INVALID);
    CHECK_INT(parse("a=x%7Fy", buf, sizeof buf, &f, &ei), ERR_INVALID);
    CHECK_INT(parse("a=%E5%9D", buf, sizeof buf, &f, &ei), ERR_INVALID); /* truncated UTF-8 */
    CHECK_INT(parse("a=%C0%AF", buf, sizeof buf, &f, &ei), ERR_INVALID); /* overlong */
    CHECK_INT(parse("=v", buf, sizeof buf, &f, &ei), ERR_INVALID);
    CHECK_INT(parse("a%0A=v", buf, sizeof buf, &f, &ei), ERR_INVALID); /* LF in a name */
    CHECK_INT(parse("a=1%092", buf, sizeof buf, &f, &ei), ERR_OK);     /* tab in a value */

    /* at most OPEN311_FORM_MAX pairs */
    {
        char big[1024] = "";

        for (int i = 0; i < OPEN311_FORM_MAX; i++)
            strcat(big, "k=v&");
        {
            char *b = malloc(2048);

            CHECK_INT(parse(big, b, 2048, &f, &ei), ERR_OK);
            CHECK_INT(f.n, OPEN311_FORM_MAX);
            strcat(big, "k=v");
            CHECK_INT(parse(big, b, 2048, &f, &ei), ERR_INVALID);
            free(b);
        }
    }
}

static void
test_attribute_key(void)
{
    char code[40];
    bool multi = true;

    CHECK(open311_attribute_key("attribute[nature]", code, sizeof code, &multi));
    CHECK_STR(code, "nature");
    CHECK(!multi);
    CHECK(open311_attribute_key("attribute[WHISPAWN][]", code, sizeof code, &multi));
    CHECK_STR(code, "WHISPAWN");
    CHECK(multi);
    CHECK(!open311_attribute_key("attribute[]", code, sizeof code, &multi));
    CHECK(!open311_attribute_key("attribute[x", code, sizeof code, &multi));
    CHECK(!open311_attribute_key("attribute[x]y", code, sizeof code, &multi));
    CHECK(!open311_attribute_key("attribute[a b]", code, sizeof code, &multi));
    CHECK(!open311_attribute_key("attributes[x]", code, sizeof code, &multi));
    CHECK(!open311_attribute_key("attribute[abcdefghij]", code, 8, &multi));
}

/* Decodes text into p and in; returns the first failing rc. */
static Err
post(const char *text, Open311Post *p, Intake *in, ErrInfo *ei)
{
    static char buf[65536], name[256];
    Open311Form f;
    Err rc = parse(text, buf, sizeof buf, &f, ei);

    if (rc != ERR_OK)
        return rc;
    rc = open311_post_decode(&f, p, ei);
    if (rc != ERR_OK)
        return rc;
    return open311_post_intake(p, in, name, sizeof name, ei);
}

static void
test_post(void)
{
    Open311Post p;
    Intake in;
    ErrInfo ei;

    /* the specification's example request, with a Chinese caller */
    CHECK_INT(post("api_key=xyz&jurisdiction_id=city.gov&service_code=0403&lat=37.76524078"
                   "&long=-122.4212043&address_string=1234+5th+street&email=smit333%40sfgov.edu"
                   "&device_id=tt222111&account_id=123456&first_name=%E5%B0%8F%E6%98%8E"
                   "&last_name=%E7%8E%8B&phone=13800138000"
                   "&description=A+large+sinkhole&media_url=http%3A%2F%2Fexample.org%2F1.jpg"
                   "&attribute[nature]=help",
                   &p, &in, &ei),
              ERR_OK);
    CHECK_STR(p.api_key, "xyz");
    CHECK_STR(p.jurisdiction_id, "city.gov");
    CHECK_STR(p.email, "smit333@sfgov.edu");
    CHECK_STR(p.device_id, "tt222111");
    CHECK_STR(p.account_id, "123456");
    CHECK_STR(p.media_url, "http://example.org/1.jpg");
    CHECK_INT(in.channel, CH_OPEN311);
    CHECK_STR(in.category, "0403");
    CHECK(in.has_location);
    CHECK(in.lat > 37.765 && in.lat < 37.766);
    CHECK(in.lon < -122.42 && in.lon > -122.43);
    CHECK_STR(in.address, "1234 5th street");
    CHECK(in.area == NULL);
    CHECK_STR(in.caller_name, "王小明"); /* family name first */
    CHECK_STR(in.caller_phone, "13800138000");
    CHECK(!in.anonymous);
    CHECK(in.callback_wanted);
    CHECK_STR(in.description, "A large sinkhole");
    CHECK_INT(in.nature, NATURE_HELP);
    CHECK_INT(in.urgency, URG_NORMAL);
    CHECK_INT(intake_validate(&in, &ei), ERR_OK);

    /* minimal: address_id alone locates it; no phone is anonymous; complaint by default */
    CHECK_INT(post("service_code=0301&address_id=610104002&first_name=Jane", &p, &in, &ei), ERR_OK);
    CHECK_STR(in.area, "610104002");
    CHECK(!in.has_location);
    CHECK(in.anonymous);
    CHECK(!in.callback_wanted);
    CHECK(in.caller_name == NULL); /* an anonymous appeal carries no caller */
    CHECK(in.description == NULL); /* the server falls back to the service's name */
    CHECK_INT(in.nature, NATURE_COMPLAINT);
    CHECK(p.api_key == NULL);

    /* empty parameters are absent ("Optional Arguments") */
    CHECK_INT(post("service_code=0301&address_string=x&lat=&long=&phone=&email=", &p, &in, &ei),
              ERR_OK);
    CHECK(!in.has_location);
    CHECK(in.anonymous);
    CHECK(p.email == NULL);

    /* ASCII names read first-last */
    CHECK_INT(post("service_code=0301&address_string=x&phone=111111111&first_name=john"
                   "&last_name=smith",
                   &p, &in, &ei),
              ERR_OK);
    CHECK_STR(in.caller_name, "john smith");

    static const struct {
        const char *body;
        Err rc;
        const char *field;
    } bad[] = {
        {"address_string=x", ERR_MISSING, "service_code"},
        {"service_code=a%20b&address_string=x", ERR_NOT_FOUND, "service_code"},
        {"service_code=0301", ERR_MISSING, "lat"},
        {"service_code=0301&lat=34.2", ERR_MISSING, "long"},
        {"service_code=0301&long=108.9", ERR_MISSING, "lat"},
        {"service_code=0301&lat=91&long=108.9", ERR_INVALID, "lat"},
        {"service_code=0301&lat=34.2&long=181", ERR_INVALID, "long"},
        {"service_code=0301&lat=0x10&long=1", ERR_INVALID, "lat"},
        {"service_code=0301&lat=nan&long=1", ERR_INVALID, "lat"},
        {"service_code=0301&lat=1e1&long=1", ERR_INVALID, "lat"},
        {"service_code=0301&lat=1&long=+", ERR_INVALID, "long"},
        {"service_code=0301&address_id=a%20b", ERR_INVALID, "address_id"},
        {"service_code=0301&address_string=x&phone=abc", ERR_INVALID, "phone"},
        {"service_code=0301&address_string=x&media_url=ftp%3A%2F%2Fx", ERR_INVALID, "media_url"},
        {"service_code=0301&address_string=x&media_url=http%3A%2F%2F", ERR_INVALID, "media_url"},
        {"service_code=0301&address_string=x&media_url=http%3A%2F%2Fa+b", ERR_INVALID, "media_url"},
        {"service_code=0301&address_string=x&attribute[nature]=angry", ERR_INVALID,
         "attribute[nature]"},
        {"service_code=0301&address_string=x&attribute[colour]=red", ERR_INVALID,
         "attribute[colour]"},
        {"service_code=0301&address_string=x&attribute[nature][]=help", ERR_INVALID,
         "attribute[nature][]"},
        {"service_code=0301&address_string=x&attribute[nature]=help&attribute[nature]=report",
         ERR_INVALID, "attribute[nature]"},
        {"service_code=0301&service_code=0302&address_string=x", ERR_INVALID, "service_code"},
        {"service_code=0301&address_string=x&lon=1", ERR_INVALID, "lon"},
        {"service_code=0301&address_string=x&token=1", ERR_INVALID, "token"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        Err rc = post(bad[i].body, &p, &in, &ei);

        CHECK_INT(rc, bad[i].rc);
        CHECK_STR(ei.field, bad[i].field);
        if (rc != bad[i].rc)
            fprintf(stderr, "  case %zu: %s\n", i, bad[i].body);
    }

    /* lengths: description 4000 characters, names 49 together */
    {
        static char body[40000];
        char *w = body;

        w += sprintf(w, "service_code=0301&address_string=x&description=");
        for (int i = 0; i < 4000; i++)
            w += sprintf(w, "%%E5%%9D%%91"); /* 坑, three bytes */
        CHECK_INT(post(body, &p, &in, &ei), ERR_OK);
        CHECK_INT(validate_utf8_chars(in.description), 4000);
        strcpy(w, "x");
        CHECK_INT(post(body, &p, &in, &ei), ERR_INVALID);
        CHECK_STR(ei.field, "description");
    }
    CHECK_INT(post("service_code=0301&address_string=x&phone=13800138000&first_name="
                   "aaaaaaaaaaaaaaaaaaaaaaaaa&last_name=bbbbbbbbbbbbbbbbbbbbbbbbb",
                   &p, &in, &ei),
              ERR_INVALID);
}

static void
test_caller_name(void)
{
    char buf[64];

    CHECK_STR(open311_caller_name(NULL, NULL, buf, sizeof buf), "");
    CHECK_STR(open311_caller_name("Jane", NULL, buf, sizeof buf), "Jane");
    CHECK_STR(open311_caller_name(NULL, "王", buf, sizeof buf), "王");
    CHECK_STR(open311_caller_name("Jane", "Doe", buf, sizeof buf), "Jane Doe");
    CHECK_STR(open311_caller_name("小明", "王", buf, sizeof buf), "王小明");
    CHECK_STR(open311_caller_name("Ming", "王", buf, sizeof buf), "王Ming");
}

static void
test_attributes(void)
{
    size_t n;
    const Open311Attribute *a = open311_attributes(&n);
    Intake in;
    ErrInfo ei;

    CHECK_INT(n, 1);
    CHECK_STR(a[0].code, "nature");
    CHECK_STR(a[0].datatype, "singlevaluelist");
    CHECK(!a[0].required);
    CHECK_INT(a[0].n_values, NATURE__COUNT);
    /* every key is a nature the intake accepts, every nature is offered */
    for (int k = 0; k < NATURE__COUNT; k++) {
        bool offered = false;

        for (size_t v = 0; v < a[0].n_values; v++)
            offered |= strcmp(a[0].values[v].key, nature_name((Nature) k)) == 0;
        CHECK(offered);
    }
    intake_init(&in);
    for (size_t v = 0; v < a[0].n_values; v++) {
        err_clear(&ei);
        CHECK_INT(open311_attribute_apply(&in, "nature", a[0].values[v].key, &ei), ERR_OK);
        CHECK_STR(nature_name(in.nature), a[0].values[v].key);
    }
    CHECK_INT(open311_attribute_apply(&in, "nature", "投诉", &ei), ERR_INVALID);
    CHECK_INT(open311_attribute_apply(&in, "urgency", "emergency", &ei), ERR_INVALID);
}

static void
test_small_parsers(void)
{
    double d;

    CHECK(open311_parse_degrees("34.29", -90, 90, &d) && d == 34.29);
    CHECK(open311_parse_degrees("-0.5", -90, 90, &d) && d == -0.5);
    CHECK(open311_parse_degrees("+108", -180, 180, &d) && d == 108);
    CHECK(open311_parse_degrees(".5", -90, 90, &d) && d == 0.5);
    CHECK(open311_parse_degrees("90", -90, 90, &d));
    CHECK(!open311_parse_degrees("90.0001", -90, 90, &d));
    CHECK(!open311_parse_degrees("", -90, 90, &d));
    CHECK(!open311_parse_degrees(".", -90, 90, &d));
    CHECK(!open311_parse_degrees(" 1", -90, 90, &d));
    CHECK(!open311_parse_degrees("1 ", -90, 90, &d));
    CHECK(!open311_parse_degrees("inf", -90, 90, &d));
    CHECK(!open311_parse_degrees("1,5", -90, 90, &d));

    CHECK(open311_media_url_ok("https://example.org/a.jpg?x=1&y=%20"));
    CHECK(open311_media_url_ok("http://e"));
    CHECK(!open311_media_url_ok("https://"));
    CHECK(!open311_media_url_ok("javascript:alert(1)"));
    CHECK(!open311_media_url_ok("https://例子.cn/"));
    CHECK(!open311_media_url_ok("HTTP://example.org/"));
}

static void
test_datetimes(void)
{
    int64_t ms = 0;
    char buf[32];

    CHECK(open311_parse_datetime("2010-01-01T00:00:00Z", &ms));
    CHECK_INT(ms, INT64_C(1262304000000));
    CHECK(open311_parse_datetime("1994-11-05T08:15:30-05:00", &ms));
    CHECK_INT(ms, INT64_C(784041330000));
    CHECK(open311_parse_datetime("1994-11-05T13:15:30Z", &ms));
    CHECK_INT(ms, INT64_C(784041330000)); /* the same instant (the specification's examples) */
    CHECK(open311_parse_datetime("1994-11-05T13:15Z", &ms));
    CHECK_INT(ms, INT64_C(784041300000)); /* seconds optional */
    CHECK(open311_parse_datetime("1994-11-05T21:15+08:00", &ms));
    CHECK_INT(ms, INT64_C(784041300000));
    CHECK(open311_parse_datetime("1994-11-05T21:15:30 08:00", &ms)); /* '+' as a space */
    CHECK_INT(ms, INT64_C(784041330000));
    CHECK(open311_parse_datetime("1994-11-05T21:15 08:00", &ms));
    CHECK_INT(ms, INT64_C(784041300000));
    CHECK(!open311_parse_datetime("1994-11-05T21:15:30 08:00x", &ms));
    CHECK(open311_parse_datetime("1994-11-05T13:15:30.45Z", &ms));
    CHECK_INT(ms, INT64_C(784041330450));
    CHECK(open311_parse_datetime("2026-01-01", &ms));           /* a date: its start in Beijing */
    CHECK_INT(ms, INT64_C(1767196800000));                      /* 2025-12-31T16:00:00Z */
    CHECK(!open311_parse_datetime("2010-01-01T00:00:00", &ms)); /* the zone is required */
    CHECK(!open311_parse_datetime("2010-13-01T00:00:00Z", &ms));
    CHECK(!open311_parse_datetime("2010-01-01T00:00Zx", &ms));
    CHECK(!open311_parse_datetime("yesterday", &ms));
    CHECK(!open311_parse_datetime("", &ms));

    CHECK_STR(open311_format_datetime(INT64_C(1262304000000), buf, sizeof buf),
              "2010-01-01T00:00:00Z");
    CHECK_STR(open311_format_datetime(INT64_C(784041330999), buf, sizeof buf),
              "1994-11-05T13:15:30Z");
    CHECK_STR(open311_format_datetime(INT64_C(1767196800000) - 1, buf, sizeof buf),
              "2025-12-31T15:59:59Z"); /* UTC, not Beijing */
    CHECK_STR(open311_format_datetime(-1, buf, sizeof buf), "1969-12-31T23:59:59Z");
}

static void
test_query(void)
{
    Open311Query q;
    ErrInfo ei;
    int64_t now = INT64_C(1767196800000);

    open311_query_init(&q);
    CHECK(q.open && q.closed);
    CHECK_INT(q.page, 1);
    CHECK_INT(q.page_size, OPEN311_LIMIT);
    CHECK_INT(open311_query_finish(&q, now, &ei), ERR_OK);
    CHECK_INT(q.start, now - 90 * DAY); /* the most recent 90 days */
    CHECK_INT(q.end, TS_NONE);

    open311_query_init(&q);
    CHECK_INT(open311_query_param(&q, "status", "closed", &ei), ERR_OK);
    CHECK(!q.open && q.closed);
    CHECK_INT(open311_query_param(&q, "status", "open,closed", &ei), ERR_OK);
    CHECK(q.open && q.closed);
    CHECK_INT(open311_query_param(&q, "status", "open", &ei), ERR_OK);
    CHECK(q.open && !q.closed);
    CHECK_INT(open311_query_param(&q, "status", "", &ei), ERR_OK); /* empty = absent */
    CHECK(q.open && !q.closed);
    CHECK_INT(open311_query_param(&q, "status", "opened", &ei), ERR_INVALID);
    CHECK_INT(open311_query_param(&q, "status", "open,", &ei), ERR_INVALID);
    CHECK_INT(open311_query_param(&q, "api_key", "whatever", &ei), ERR_OK);
    CHECK_INT(open311_query_param(&q, "jurisdiction_id", "xa.gov.cn", &ei), ERR_OK);
    CHECK_STR(q.jurisdiction_id, "xa.gov.cn");
    CHECK_INT(open311_query_param(&q, "page_size", "1000", &ei), ERR_OK);
    CHECK_INT(open311_query_param(&q, "page_size", "1001", &ei), ERR_INVALID);
    CHECK_INT(open311_query_param(&q, "page_size", "0", &ei), ERR_INVALID);
    CHECK_INT(open311_query_param(&q, "page", "-1", &ei), ERR_INVALID);
    CHECK_INT(open311_query_param(&q, "page", "3", &ei), ERR_OK);
    CHECK_INT(q.page, 3);
    CHECK_INT(open311_query_param(&q, "limit", "3", &ei), ERR_INVALID);
    CHECK_STR(ei.field, "limit");
    CHECK_INT(open311_query_param(&q, "start_date", "2010-05-24", &ei), ERR_OK);
    CHECK_INT(open311_query_param(&q, "end_date", "last week", &ei), ERR_INVALID);
    CHECK_STR(ei.field, "end_date");

    /* only start: 90 days from it; only end: the 90 days before it */
    open311_query_init(&q);
    open311_query_param(&q, "start_date", "2010-01-01T00:00:00Z", &ei);
    CHECK_INT(open311_query_finish(&q, now, &ei), ERR_OK);
    CHECK_INT(q.end, INT64_C(1262304000000) + 90 * DAY);
    open311_query_init(&q);
    open311_query_param(&q, "end_date", "2010-01-01T00:00:00Z", &ei);
    CHECK_INT(open311_query_finish(&q, now, &ei), ERR_OK);
    CHECK_INT(q.start, INT64_C(1262304000000) - 90 * DAY);
    /* both: at most 90 days, in order */
    open311_query_init(&q);
    open311_query_param(&q, "start_date", "2010-01-01T00:00:00Z", &ei);
    open311_query_param(&q, "end_date", "2010-04-01T00:00:00Z", &ei);
    CHECK_INT(open311_query_finish(&q, now, &ei), ERR_OK); /* exactly 90 days */
    open311_query_param(&q, "end_date", "2010-04-01T00:00:01Z", &ei);
    CHECK_INT(open311_query_finish(&q, now, &ei), ERR_INVALID);
    open311_query_param(&q, "end_date", "2009-12-31T00:00:00Z", &ei);
    CHECK_INT(open311_query_finish(&q, now, &ei), ERR_INVALID);
    /* ids override the rest, dates included */
    open311_query_param(&q, "service_request_id", "1,2", &ei);
    CHECK_INT(open311_query_finish(&q, now, &ei), ERR_OK);
}

static void
test_split_list(void)
{
    char buf[64];
    const char *out[4];

    CHECK_INT(open311_split_list("0301", buf, sizeof buf, out, 4, validate_code), 1);
    CHECK_STR(out[0], "0301");
    CHECK_INT(open311_split_list("0301,0302,0403", buf, sizeof buf, out, 4, validate_code), 3);
    CHECK_STR(out[2], "0403");
    CHECK_INT(open311_split_list("0301,,0302", buf, sizeof buf, out, 4, validate_code), -1);
    CHECK_INT(open311_split_list("0301,", buf, sizeof buf, out, 4, validate_code), -1);
    CHECK_INT(open311_split_list("a b", buf, sizeof buf, out, 4, validate_code), -1);
    CHECK_INT(open311_split_list("1,2,3,4,5", buf, sizeof buf, out, 4, validate_code), -1);
    CHECK_INT(
        open311_split_list("2026010100000001,x", buf, sizeof buf, out, 4, validate_ticket_number),
        -1);
    CHECK_INT(open311_split_list("0123456789012345678901234567890123456789012345678901234567890123",
                                 buf, sizeof buf, out, 4, validate_code),
              -1); /* does not fit buf */
}

static void
test_xml(void)
{
    Open311Xml x;
    char *doc;
    size_t len = 0;

    open311_xml_begin(&x);
    open311_xml_open(&x, "errors");
    open311_xml_open(&x, "error");
    open311_xml_leaf(&x, "code", "403");
    open311_xml_leaf(&x, "description", "a <b> & \"c\" 'd' 王\r\n\x01\tz");
    open311_xml_leaf(&x, "empty", NULL);
    open311_xml_leaf(&x, "blank", "");
    open311_xml_close(&x, "error");
    open311_xml_close(&x, "errors");
    doc = open311_xml_end(&x, &len);
    CHECK(doc != NULL);
    CHECK_STR(doc, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<errors><error><code>403</code>"
                   "<description>a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos; 王&#13;\n"
                   "\xEF\xBF\xBD\tz</description>"
                   "<empty/><blank></blank></error></errors>\n");
    CHECK_INT(len, strlen(doc));
    free(doc);
    CHECK(x.buf == NULL);

    /* growth past the first allocation */
    open311_xml_begin(&x);
    open311_xml_open(&x, "services");
    for (int i = 0; i < 500; i++)
        open311_xml_leaf(&x, "service", "道路破损");
    open311_xml_close(&x, "services");
    doc = open311_xml_end(&x, &len);
    CHECK(doc != NULL && len > 500 * 30);
    CHECK(strstr(doc, "</services>\n") != NULL);
    free(doc);

    CHECK_STR(open311_xml_item("services"), "service");
    CHECK_STR(open311_xml_item("service_requests"), "request");
    CHECK_STR(open311_xml_item("attributes"), "attribute");
    CHECK_STR(open311_xml_item("values"), "value");
    CHECK_STR(open311_xml_item("endpoints"), "endpoint");
    CHECK_STR(open311_xml_item("formats"), "format");
    CHECK_STR(open311_xml_item("errors"), "error");
    CHECK_STR(open311_xml_item("other"), "item");
}

int
main(void)
{
    RUN(test_formats);
    RUN(test_http_status);
    RUN(test_status_mapping);
    RUN(test_notes);
    RUN(test_form_parse);
    RUN(test_attribute_key);
    RUN(test_post);
    RUN(test_caller_name);
    RUN(test_attributes);
    RUN(test_small_parsers);
    RUN(test_datetimes);
    RUN(test_query);
    RUN(test_split_list);
    RUN(test_xml);
    return CHECK_DONE();
}
