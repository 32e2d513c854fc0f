/*
 * model.c — report documents as JSON (the contract's ranking shape and its
 * accountability extension, the hotspots).
 */
#include "report/report.h"

#include <stdlib.h>
#include <string.h>

int
report_format_parse(const char *name)
{
    static const char *const names[] = {"text", "csv", "json", "html"};

    for (int i = 0; name != NULL && i < 4; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

bool
report_kind_rankable(const char *kind)
{
    return kind != NULL && (strcmp(kind, "district") == 0 || strcmp(kind, "street") == 0 ||
                            strcmp(kind, "department") == 0 || strcmp(kind, "enterprise") == 0);
}

const char *
report_kind_label(const char *kind)
{
    static const struct {
        const char *kind, *label;
    } labels[] = {{"district", "区"},
                  {"street", "街道（乡镇）"},
                  {"department", "部门"},
                  {"enterprise", "公共服务企业"}};

    for (size_t i = 0; kind != NULL && i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(kind, labels[i].kind) == 0)
            return labels[i].label;
    return kind ? kind : "";
}

bool
report_month_valid(const char *s)
{
    int month;

    if (s == NULL || strlen(s) != 7 || s[4] != '-' || s[0] != '2')
        return false;
    for (int i = 0; i < 7; i++)
        if (i != 4 && (s[i] < '0' || s[i] > '9'))
            return false;
    month = (s[5] - '0') * 10 + (s[6] - '0');
    return month >= 1 && month <= 12;
}

/* A fraction in ten-thousandths as a JSON number; null when undefined. */
static json_t *
fraction(bool defined, int tenthousandths)
{
    return defined ? json_real(tenthousandths / 10000.0) : json_null();
}

static json_t *
unit_ref(const RankUnit *x)
{
    return json_pack("{s:s, s:s, s:s}", "code", x->code ? x->code : "", "name",
                     x->name ? x->name : "", "kind", x->kind ? x->kind : "");
}

static json_t *
unit_json(const RankUnit *x)
{
    json_t *o = json_object(), *od = json_object();

    if (o == NULL || od == NULL) {
        json_decref(o);
        json_decref(od);
        return NULL;
    }
    json_object_set_new(o, "rank", x->rank > 0 ? json_integer(x->rank) : json_null());
    json_object_set_new(o, "unit", unit_ref(x));
    json_object_set_new(o, "population", json_integer(x->cur.population));
    json_object_set_new(o, "volume", json_integer(x->volume));
    json_object_set_new(o, "response_rate", fraction(x->scored, x->rate_response));
    json_object_set_new(o, "resolution_rate", fraction(x->scored, x->rate_resolution));
    json_object_set_new(o, "satisfaction_rate", fraction(x->scored, x->rate_satisfaction));
    json_object_set_new(o, "score", x->scored ? json_real(x->score / 100.0) : json_null());
    for (int i = 0; i < RANK_OVERDUE__COUNT; i++)
        json_object_set_new(od, rank_overdue_name((RankOverdue) i), json_integer(x->overdue[i]));
    json_object_set_new(o, "overdue", od);
    json_object_set_new(o, "returns", json_integer(x->returns));
    json_object_set_new(o, "return_rate",
                        fraction(x->volume > 0, ranking_rate(x->returns, x->volume)));
    json_object_set_new(o, "reopens", json_integer(x->reopens));
    json_object_set_new(o, "reopen_rate",
                        fraction(x->volume > 0, ranking_rate(x->reopens, x->volume)));
    json_object_set_new(o, "extensions", json_integer(x->extensions));
    json_object_set_new(o, "median_handling_hours",
                        x->median_tenths >= 0 ? json_real(x->median_tenths / 10.0) : json_null());
    json_object_set_new(o, "rank_change",
                        x->has_rank_change ? json_integer(x->rank_change) : json_null());
    json_object_set_new(o, "previous_rank",
                        x->prev_rank > 0 ? json_integer(x->prev_rank) : json_null());
    json_object_set_new(o, "red", json_boolean(x->red));
    json_object_set_new(o, "black", json_boolean(x->black));
    json_object_set_new(o, "interview", json_boolean(x->interview));
    return o;
}

json_t *
report_ranking_json(const char *month, const char *kind, const RankSettings *s, const RankUnit *u,
                    size_t n, const size_t *order)
{
    json_t *doc = NULL, *units = NULL, *red = NULL, *black = NULL, *interview = NULL;
    json_t *ok = NULL;

    doc = json_object();
    units = json_array();
    red = json_array();
    black = json_array();
    interview = json_array();
    if (doc == NULL || units == NULL || red == NULL || black == NULL || interview == NULL)
        goto done;
    json_object_set_new(doc, "month", json_string(month));
    json_object_set_new(doc, "kind", json_string(kind));
    json_object_set_new(doc, "weights",
                        json_pack("{s:f, s:f, s:f}", "response", s->w.response / 10000.0,
                                  "resolution", s->w.resolution / 10000.0, "satisfaction",
                                  s->w.satisfaction / 10000.0));
    json_object_set_new(doc, "basic_satisfied_counts", json_boolean(s->count_basic));
    json_object_set_new(doc, "min_population", json_integer(s->min_population));
    json_object_set_new(doc, "list_size", json_integer(s->list_size));
    for (size_t k = 0; k < n; k++) {
        const RankUnit *x = &u[order ? order[k] : k];
        json_t *o = unit_json(x);

        if (o == NULL || json_array_append_new(units, o) != 0)
            goto done;
        if (x->red)
            json_array_append_new(red, json_string(x->code));
        if (x->black)
            json_array_append_new(black, json_string(x->code));
        if (x->interview)
            json_array_append_new(interview, json_string(x->code));
    }
    json_object_set(doc, "units", units);
    json_object_set(doc, "red_list", red);
    json_object_set(doc, "black_list", black);
    json_object_set(doc, "interview", interview);
    ok = doc;
    doc = NULL;
done:
    json_decref(doc);
    json_decref(units);
    json_decref(red);
    json_decref(black);
    json_decref(interview);
    return ok;
}

/* The ranking entry of code in doc's units, borrowed; NULL when absent. */
static json_t *
find_unit(const json_t *doc, const char *code)
{
    json_t *units = json_object_get(doc, "units"), *it;
    size_t i;

    json_array_foreach(units, i, it)
    {
        const char *c = json_string_value(json_object_get(json_object_get(it, "unit"), "code"));

        if (c != NULL && strcmp(c, code) == 0)
            return it;
    }
    return NULL;
}

static json_t *
listed(const json_t *entry, json_t *behind, bool with_tickets)
{
    json_t *o = json_object();
    const char *code = json_string_value(json_object_get(json_object_get(entry, "unit"), "code"));

    if (o == NULL)
        return NULL;
    json_object_set(o, "unit", json_object_get(entry, "unit"));
    json_object_set(o, "rank", json_object_get(entry, "rank"));
    json_object_set(o, "score", json_object_get(entry, "score"));
    json_object_set(o, "previous_rank", json_object_get(entry, "previous_rank"));
    json_object_set(o, "interview", json_object_get(entry, "interview"));
    if (with_tickets) {
        json_t *b = code ? json_object_get(behind, code) : NULL;

        if (b != NULL) {
            json_object_update(o, b);
        } else {
            json_object_set_new(o, "tickets_total", json_integer(0));
            json_object_set_new(o, "reasons", json_object());
            json_object_set_new(o, "tickets", json_array());
        }
    }
    return o;
}

bool
report_accountability_add(json_t *doc, json_t *behind)
{
    json_t *red = json_array(), *black = json_array(), *code;
    size_t i;
    bool ok = false;

    if (red == NULL || black == NULL)
        goto done;
    json_array_foreach(json_object_get(doc, "red_list"), i, code)
    {
        json_t *e = find_unit(doc, json_string_value(code));

        if (e != NULL && json_array_append_new(red, listed(e, behind, false)) != 0)
            goto done;
    }
    json_array_foreach(json_object_get(doc, "black_list"), i, code)
    {
        json_t *e = find_unit(doc, json_string_value(code));

        if (e != NULL && json_array_append_new(black, listed(e, behind, true)) != 0)
            goto done;
    }
    json_object_set_new(doc, "accountability", json_pack("{s:O, s:O}", "red", red, "black", black));
    ok = true;
done:
    json_decref(red);
    json_decref(black);
    return ok;
}

int
report_count_parse(const char *s, int max)
{
    int v = 0;

    if (s == NULL || *s == '\0')
        return -1;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (*s - '0');
        if (v > max)
            return -1;
    }
    return v >= 1 ? v : -1;
}

int
report_hot_top_parse(const char *s)
{
    return report_count_parse(s, REPORT_HOT_TOP_MAX);
}

/* An entry of a hotspot list, with what the growth list is ordered by. */
typedef struct HotEntry {
    json_t *json;  /* borrowed from the list being built */
    double growth; /* over the previous months' average; 1e300 when they had none */
    int count;
    size_t index; /* its place by volume, which ties in growth and count keep */
} HotEntry;

static int
hot_by_growth(const void *x, const void *y)
{
    const HotEntry *a = x, *b = y;

    if (a->growth != b->growth)
        return a->growth > b->growth ? -1 : 1;
    if (a->count != b->count)
        return b->count - a->count;
    return a->index < b->index ? -1 : a->index > b->index;
}

/* The JSON of one row (new reference), or NULL when out of memory. */
static json_t *
hot_entry(const HotspotRow *x, HotspotList list)
{
    double avg = x->previous / 3.0;
    json_t *e;

    if (list == HOTSPOT_ADDRESSES)
        e = json_pack("{s:{s:s?, s:s?}, s:s}", "area", "code", x->code, "name", x->name, "address",
                      x->address ? x->address : "");
    else
        e = json_pack("{s:s, s:s?}", "code", x->code ? x->code : "", "name", x->name);
    if (e == NULL)
        return NULL;
    json_object_set_new(e, "count", json_integer(x->count));
    /* One decimal for the average, four for the growth, rounded half away from zero. */
    json_object_set_new(e, "previous_average", json_real(((int) (avg * 10 + 0.5)) / 10.0));
    json_object_set_new(
        e, "growth",
        avg > 0
            ? json_real(((long) ((x->count - avg) / avg * 10000 + (x->count >= avg ? 0.5 : -0.5))) /
                        10000.0)
            : json_null());
    return e;
}

/*
 * Adds list's entries to doc: by volume (the rows' order) and, but for
 * addresses, by growth (highest first; only entries with at least
 * REPORT_HOT_GROWTH_MIN tickets), top of each.  Rows without a ticket in the
 * month are left out.  Returns false when out of memory.
 */
static bool
hot_list(json_t *doc, HotspotList list, const HotspotRows *in, int top)
{
    static const char *const keys[HOTSPOT__COUNT][2] = {
        [HOTSPOT_CATEGORIES] = {"categories", "categories_growth"},
        [HOTSPOT_AREAS] = {"areas", "areas_growth"},
        [HOTSPOT_ADDRESSES] = {"addresses", NULL},
    };
    json_t *all = json_array(), *byvol = json_array(), *bygrowth = json_array();
    HotEntry *e = calloc(in->n + 1, sizeof *e);
    size_t n = 0, most = top > 0 ? (size_t) top : 0;
    bool ok = false;

    if (all == NULL || byvol == NULL || bygrowth == NULL || e == NULL)
        goto done;
    for (size_t i = 0; i < in->n; i++) {
        const HotspotRow *x = &in->rows[i];
        double avg = x->previous / 3.0;
        json_t *j;

        if (x->count == 0)
            continue; /* tickets in the months before only */
        j = hot_entry(x, list);
        if (j == NULL || json_array_append_new(all, j) != 0)
            goto done;
        e[n].json = j;
        e[n].growth = avg > 0 ? (x->count - avg) / avg : 1e300;
        e[n].count = x->count;
        e[n].index = n;
        n++;
    }
    for (size_t i = 0; i < n && i < most; i++)
        if (json_array_append(byvol, e[i].json) != 0)
            goto done;
    if (json_object_set(doc, keys[list][0], byvol) != 0)
        goto done;
    if (keys[list][1] != NULL) {
        qsort(e, n, sizeof *e, hot_by_growth);
        for (size_t i = 0, k = 0; i < n && k < most; i++)
            if (e[i].count >= REPORT_HOT_GROWTH_MIN) {
                if (json_array_append(bygrowth, e[i].json) != 0)
                    goto done;
                k++;
            }
        if (json_object_set(doc, keys[list][1], bygrowth) != 0)
            goto done;
    }
    ok = true;
done:
    json_decref(all);
    json_decref(byvol);
    json_decref(bygrowth);
    free(e);
    return ok;
}

json_t *
report_hotspots_json(const char *month, int top, const HotspotRows lists[HOTSPOT__COUNT])
{
    json_t *doc = json_pack("{s:s, s:i}", "month", month, "top", top), *ok = NULL;

    if (doc == NULL)
        goto done;
    for (int l = 0; l < HOTSPOT__COUNT; l++)
        if (!hot_list(doc, (HotspotList) l, &lists[l], top))
            goto done;
    ok = doc;
    doc = NULL;
done:
    json_decref(doc);
    return ok;
}

char *
report_json_text(const json_t *doc, bool pretty)
{
    size_t flags = JSON_REAL_PRECISION(10) | (pretty ? JSON_INDENT(2) : JSON_COMPACT);
    char *s = json_dumps(doc, flags), *out;
    size_t n;

    if (s == NULL || !pretty)
        return s;
    n = strlen(s);
    out = realloc(s, n + 2);
    if (out == NULL) {
        free(s);
        return NULL;
    }
    out[n] = '\n';
    out[n + 1] = '\0';
    return out;
}
