/*
 * test_report_hotspots.c — the hotspot document (lib/report/model.c), the one
 * builder behind `minhu-report hotspots` and GET /api/v1/reports/hotspots:
 * rows without a ticket in the month left out, the lists by volume and by
 * growth cut at top, the minimum for a growth entry, ties, rounding, and
 * the number of entries a caller may ask for.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "report/report.h"

static void
test_top_parse(void)
{
    CHECK_INT(report_hot_top_parse("1"), 1);
    CHECK_INT(report_hot_top_parse("10"), 10);
    CHECK_INT(report_hot_top_parse("007"), 7);
    CHECK_INT(report_hot_top_parse("1000"), REPORT_HOT_TOP_MAX);
    CHECK_INT(report_hot_top_parse("1001"), -1);
    CHECK_INT(report_hot_top_parse("99999999999999999999"), -1);
    CHECK_INT(report_hot_top_parse("0"), -1);
    CHECK_INT(report_hot_top_parse(""), -1);
    CHECK_INT(report_hot_top_parse(NULL), -1);
    CHECK_INT(report_hot_top_parse("-1"), -1);
    CHECK_INT(report_hot_top_parse("+5"), -1);
    CHECK_INT(report_hot_top_parse(" 5"), -1);
    CHECK_INT(report_hot_top_parse("5 "), -1);
    CHECK_INT(report_hot_top_parse("2.5"), -1);
    /* the same parser with another bound: accountability's --tickets */
    CHECK_INT(report_count_parse("1000000", REPORT_TICKETS_MAX), REPORT_TICKETS_MAX);
    CHECK_INT(report_count_parse("1000001", REPORT_TICKETS_MAX), -1);
    CHECK_INT(report_count_parse("200", REPORT_TICKETS_MAX), 200);
    CHECK_INT(report_count_parse("1x", REPORT_TICKETS_MAX), -1);
    CHECK_INT(report_count_parse("all", REPORT_TICKETS_MAX), -1);
}

/* The codes of doc's list key, comma-separated, into buf. */
static const char *
codes(const json_t *doc, const char *key, char *buf, size_t size)
{
    const json_t *list = json_object_get(doc, key), *e;
    size_t i, used = 0;

    buf[0] = '\0';
    json_array_foreach(list, i, e)
    {
        const char *c = json_string_value(json_object_get(e, "code"));

        used += (size_t) snprintf(buf + used, size - used, "%s%s", i ? "," : "", c ? c : "?");
        if (used >= size)
            break;
    }
    return buf;
}

static json_t *
entry(const json_t *doc, const char *key, const char *code)
{
    const json_t *list = json_object_get(doc, key);
    json_t *e;
    size_t i;

    json_array_foreach(list, i, e)
    {
        const char *c = json_string_value(json_object_get(e, "code"));

        if (c != NULL && strcmp(c, code) == 0)
            return e;
    }
    return NULL;
}

static bool
real_is(const json_t *v, double want)
{
    return json_is_real(v) && fabs(json_real_value(v) - want) < 1e-9;
}

static void
test_categories(void)
{
    /* By count, highest first, as the statement returns them. */
    HotspotRow cats[] = {
        {"A", "甲", NULL, 15, 12}, /* average 4.0, growth 2.75 */
        {"B", "乙", NULL, 12, 0},  /* new: growth null, first by growth */
        {"C", NULL, NULL, 11, 2},  /* average 0.7, growth 15.5; no name */
        {"D", "丁", NULL, 10, 30}, /* average 10.0, growth 0 */
        {"E", "戊", NULL, 10, 45}, /* average 15.0, growth -0.3333 */
        {"F", "己", NULL, 10, 45}, /* the same as E: keeps its place after E */
        {"G", "庚", NULL, 9, 1},   /* grew most but has fewer than 10 tickets */
        {"H", "辛", NULL, 0, 6},   /* tickets only in the months before: left out */
    };
    HotspotRows lists[HOTSPOT__COUNT] = {
        {cats, sizeof cats / sizeof cats[0]}, {NULL, 0}, {NULL, 0}};
    char buf[128];
    json_t *doc = report_hotspots_json("2025-03", 10, lists), *e;

    CHECK(doc != NULL);
    if (doc == NULL)
        return;
    CHECK_STR(json_string_value(json_object_get(doc, "month")), "2025-03");
    CHECK_INT(json_integer_value(json_object_get(doc, "top")), 10);
    CHECK_STR(codes(doc, "categories", buf, sizeof buf), "A,B,C,D,E,F,G");
    CHECK_STR(codes(doc, "categories_growth", buf, sizeof buf), "B,C,A,D,E,F");
    e = entry(doc, "categories", "A");
    CHECK(e != NULL && json_integer_value(json_object_get(e, "count")) == 15);
    CHECK(e != NULL && real_is(json_object_get(e, "previous_average"), 4.0));
    CHECK(e != NULL && real_is(json_object_get(e, "growth"), 2.75));
    CHECK_STR(json_string_value(json_object_get(e, "name")), "甲");
    e = entry(doc, "categories", "B");
    CHECK(e != NULL && json_is_null(json_object_get(e, "growth")));
    CHECK(e != NULL && real_is(json_object_get(e, "previous_average"), 0.0));
    e = entry(doc, "categories", "C");
    CHECK(e != NULL && json_is_null(json_object_get(e, "name")));
    CHECK(e != NULL && real_is(json_object_get(e, "previous_average"), 0.7));
    CHECK(e != NULL && real_is(json_object_get(e, "growth"), 15.5));
    e = entry(doc, "categories", "E");
    CHECK(e != NULL && real_is(json_object_get(e, "growth"), -0.3333));
    e = entry(doc, "categories", "G");
    CHECK(e != NULL && real_is(json_object_get(e, "growth"), 26.0));
    /* Every list is there, empty when it has no rows. */
    CHECK(json_is_array(json_object_get(doc, "areas")) &&
          json_array_size(json_object_get(doc, "areas")) == 0);
    CHECK(json_is_array(json_object_get(doc, "areas_growth")));
    CHECK(json_is_array(json_object_get(doc, "addresses")));
    CHECK(json_object_get(doc, "addresses_growth") == NULL);
    json_decref(doc);

    /* top cuts both lists; the growth list skips what is under the minimum. */
    doc = report_hotspots_json("2025-03", 2, lists);
    CHECK(doc != NULL);
    if (doc == NULL)
        return;
    CHECK_STR(codes(doc, "categories", buf, sizeof buf), "A,B");
    CHECK_STR(codes(doc, "categories_growth", buf, sizeof buf), "B,C");
    json_decref(doc);
}

static void
test_addresses(void)
{
    HotspotRow areas[] = {{"610104002", "红庙坡街道", NULL, 18, 0}};
    HotspotRow addresses[] = {
        {"610104002", "红庙坡街道", "白家口 5 号楼", 18, 0},
        {NULL, NULL, "无地区的地址", 12, 3}, /* a ticket without an area */
    };
    HotspotRows lists[HOTSPOT__COUNT] = {{NULL, 0}, {areas, 1}, {addresses, 2}};
    json_t *doc = report_hotspots_json("2025-03", 10, lists), *list, *a;
    char buf[64];

    CHECK(doc != NULL);
    if (doc == NULL)
        return;
    CHECK_STR(codes(doc, "areas", buf, sizeof buf), "610104002");
    CHECK_STR(codes(doc, "areas_growth", buf, sizeof buf), "610104002");
    list = json_object_get(doc, "addresses");
    CHECK_INT(json_array_size(list), 2);
    a = json_array_get(list, 0);
    CHECK_STR(json_string_value(json_object_get(a, "address")), "白家口 5 号楼");
    CHECK_STR(json_string_value(json_object_get(json_object_get(a, "area"), "code")), "610104002");
    CHECK_STR(json_string_value(json_object_get(json_object_get(a, "area"), "name")), "红庙坡街道");
    CHECK(json_object_get(a, "code") == NULL);
    a = json_array_get(list, 1);
    CHECK(json_is_null(json_object_get(json_object_get(a, "area"), "code")));
    CHECK(real_is(json_object_get(a, "previous_average"), 1.0));
    CHECK(real_is(json_object_get(a, "growth"), 11.0));
    json_decref(doc);
}

int
main(void)
{
    RUN(test_top_parse);
    RUN(test_categories);
    RUN(test_addresses);
    return CHECK_DONE();
}
