/*
 * render.c — report documents as text, CSV and HTML.
 *
 * Every report becomes one or more tables (title, headers, cells as text);
 * text aligns them by display width (textwidth.h), CSV writes one table with
 * a UTF-8 BOM, HTML writes them all with the charts of the ranking.  The HTML
 * page is self-contained: inline CSS and SVG, no script, no network.
 */
#include "report/report.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/textwidth.h"
#include "core/ticket.h"

/* ------------------------------------------------------------ tables */

#define TABLE_MAX_COLS 24

typedef struct Table {
    const char *title; /* borrowed, static or from the document */
    int ncols;
    const char *headers[TABLE_MAX_COLS];
    bool right[TABLE_MAX_COLS]; /* right-aligned (numbers) */
    char **cells;               /* owned: nrows * ncols strings, each owned */
    size_t nrows, cap;
    const char *note; /* a line under the table, borrowed; may be NULL */
    char note_buf[512];
} Table;

static void
table_init(Table *t, const char *title)
{
    memset(t, 0, sizeof *t);
    t->title = title;
}

static void
table_col(Table *t, const char *header, bool right)
{
    if (t->ncols < TABLE_MAX_COLS) {
        t->headers[t->ncols] = header;
        t->right[t->ncols] = right;
        t->ncols++;
    }
}

static void
table_free(Table *t)
{
    for (size_t i = 0; i < t->nrows * (size_t) t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    t->cells = NULL;
    t->nrows = t->cap = 0;
}

/* Starts a row; false when out of memory. */
static bool
table_row(Table *t)
{
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        char **c = realloc(t->cells, cap * (size_t) t->ncols * sizeof *c);

        if (c == NULL)
            return false;
        t->cells = c;
        t->cap = cap;
    }
    for (int i = 0; i < t->ncols; i++)
        t->cells[t->nrows * (size_t) t->ncols + (size_t) i] = NULL;
    t->nrows++;
    return true;
}

/* Sets cell col of the last row to a copy of s (NULL is ""). */
static void
table_set(Table *t, int col, const char *s)
{
    char **cell = &t->cells[(t->nrows - 1) * (size_t) t->ncols + (size_t) col];

    free(*cell);
    *cell = strdup(s ? s : "");
}

static void table_setf(Table *t, int col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
table_setf(Table *t, int col, const char *fmt, ...)
{
    char buf[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    table_set(t, col, buf);
}

static const char *
cell(const Table *t, size_t row, int col)
{
    const char *s = t->cells[row * (size_t) t->ncols + (size_t) col];

    return s ? s : "";
}

/* ------------------------------------------------------------ values */

static const char *
str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s ? s : "";
}

static bool
is_num(const json_t *v)
{
    return json_is_number(v);
}

static double
num(const json_t *v)
{
    return json_number_value(v);
}

/* "99.10%" for a fraction, "-" for null. */
static void
fmt_rate(char *buf, size_t len, const json_t *v)
{
    if (is_num(v))
        snprintf(buf, len, "%.2f%%", num(v) * 100.0 + 1e-9);
    else
        snprintf(buf, len, "-");
}

static void
fmt_fixed(char *buf, size_t len, const json_t *v, int decimals)
{
    if (is_num(v))
        snprintf(buf, len, "%.*f", decimals, num(v) + (num(v) >= 0 ? 1e-9 : -1e-9));
    else
        snprintf(buf, len, "-");
}

static void
fmt_int(char *buf, size_t len, const json_t *v)
{
    if (json_is_integer(v))
        snprintf(buf, len, "%lld", (long long) json_integer_value(v));
    else if (is_num(v))
        snprintf(buf, len, "%.0f", num(v));
    else
        snprintf(buf, len, "-");
}

/* "↑2", "↓1", "—" (same), "" (none). */
static void
fmt_change(char *buf, size_t len, const json_t *v)
{
    long long c;

    if (!json_is_integer(v)) {
        snprintf(buf, len, "-");
        return;
    }
    c = json_integer_value(v);
    if (c > 0)
        snprintf(buf, len, "\xE2\x86\x91%lld", c);
    else if (c < 0)
        snprintf(buf, len, "\xE2\x86\x93%lld", -c);
    else
        snprintf(buf, len, "=");
}

/* The Chinese label of a ticket status (已结案, ...); the name when unknown. */
static const char *
status_zh(const char *name)
{
    int st = status_parse(name);

    return st > 0 ? status_label_zh((TicketStatus) st) : name;
}

static const char *
reason_label(const char *r)
{
    static const struct {
        const char *code, *label;
    } labels[] = {
        {"not_responded", "未及时响应"},
        {"unresolved", "未解决"},
        {"unsatisfied", "不满意"},
        {"reopened", "重办"},
        {"returned", "退单"},
        {"overdue_accept", "签收超时"},
        {"overdue_contact", "联系超时"},
        {"overdue_reply", "办结超时"},
        {"overdue_assist", "协办超时"},
    };

    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(r, labels[i].code) == 0)
            return labels[i].label;
    return r;
}

/* The reasons of a ticket in Chinese, joined with "、". */
static void
fmt_reasons(char *buf, size_t len, const json_t *reasons)
{
    size_t i, used = 0;
    json_t *r;

    buf[0] = '\0';
    json_array_foreach(reasons, i, r)
    {
        int w = snprintf(buf + used, len - used, "%s%s", i ? "、" : "",
                         reason_label(json_string_value(r) ? json_string_value(r) : ""));

        if (w < 0 || (size_t) w >= len - used)
            break;
        used += (size_t) w;
    }
}

/* The number of tickets behind a black-listed unit's score (the list may
 * hold only the first of them). */
static size_t
tickets_total(const json_t *entry)
{
    json_t *n = json_object_get(entry, "tickets_total");

    return json_is_integer(n) ? (size_t) json_integer_value(n)
                              : json_array_size(json_object_get(entry, "tickets"));
}

/* "共 N 件：未响应 a 件、…" — the counts by reason of a black-listed unit,
 * and how many of its tickets the list leaves out. */
static void
fmt_counts(char *buf, size_t len, const json_t *entry, size_t shown)
{
    const char *reason;
    json_t *n;
    size_t used = 0, total = tickets_total(entry);
    bool first = true;
    int w = snprintf(buf, len, "共 %zu 件", total);

    if (w < 0 || (size_t) w >= len)
        return;
    used = (size_t) w;
    json_object_foreach(json_object_get(entry, "reasons"), reason, n)
    {
        w = snprintf(buf + used, len - used, "%s%s %lld 件", first ? "：" : "、",
                     reason_label(reason), (long long) json_integer_value(n));
        first = false;
        if (w < 0 || (size_t) w >= len - used)
            return;
        used += (size_t) w;
    }
    if (shown < total)
        snprintf(buf + used, len - used, "。列出扣分原因最多的 %zu 件，全部见 CSV 或 --tickets all",
                 shown);
}

/* ------------------------------------------------------------ the tables of each report */

static const char *const overdue_keys[] = {"accept", "contact", "reply", "assist"};

static bool
ranking_table(const json_t *doc, Table *t)
{
    json_t *u;
    size_t i;

    table_init(t, "三率考核排名");
    table_col(t, "排名", true);
    table_col(t, "单位代码", false);
    table_col(t, "单位", false);
    table_col(t, "样本量", true);
    table_col(t, "受理量", true);
    table_col(t, "响应率", true);
    table_col(t, "解决率", true);
    table_col(t, "满意率", true);
    table_col(t, "综合得分", true);
    table_col(t, "名次变化", true);
    table_col(t, "签收超时", true);
    table_col(t, "联系超时", true);
    table_col(t, "办结超时", true);
    table_col(t, "协办超时", true);
    table_col(t, "退单", true);
    table_col(t, "退单率", true);
    table_col(t, "重办", true);
    table_col(t, "重办率", true);
    table_col(t, "延期", true);
    table_col(t, "办理时长中位数(小时)", true);
    table_col(t, "标记", false);
    json_array_foreach(json_object_get(doc, "units"), i, u)
    {
        char b[64];
        json_t *od = json_object_get(u, "overdue");
        int c = 0;

        if (!table_row(t))
            return false;
        fmt_int(b, sizeof b, json_object_get(u, "rank"));
        table_set(t, c++, b);
        table_set(t, c++, str(json_object_get(u, "unit"), "code"));
        table_set(t, c++, str(json_object_get(u, "unit"), "name"));
        fmt_int(b, sizeof b, json_object_get(u, "population"));
        table_set(t, c++, b);
        fmt_int(b, sizeof b, json_object_get(u, "volume"));
        table_set(t, c++, b);
        fmt_rate(b, sizeof b, json_object_get(u, "response_rate"));
        table_set(t, c++, b);
        fmt_rate(b, sizeof b, json_object_get(u, "resolution_rate"));
        table_set(t, c++, b);
        fmt_rate(b, sizeof b, json_object_get(u, "satisfaction_rate"));
        table_set(t, c++, b);
        fmt_fixed(b, sizeof b, json_object_get(u, "score"), 2);
        table_set(t, c++, b);
        fmt_change(b, sizeof b, json_object_get(u, "rank_change"));
        table_set(t, c++, b);
        for (int k = 0; k < 4; k++) {
            fmt_int(b, sizeof b, json_object_get(od, overdue_keys[k]));
            table_set(t, c++, b);
        }
        fmt_int(b, sizeof b, json_object_get(u, "returns"));
        table_set(t, c++, b);
        fmt_rate(b, sizeof b, json_object_get(u, "return_rate"));
        table_set(t, c++, b);
        fmt_int(b, sizeof b, json_object_get(u, "reopens"));
        table_set(t, c++, b);
        fmt_rate(b, sizeof b, json_object_get(u, "reopen_rate"));
        table_set(t, c++, b);
        fmt_int(b, sizeof b, json_object_get(u, "extensions"));
        table_set(t, c++, b);
        fmt_fixed(b, sizeof b, json_object_get(u, "median_handling_hours"), 1);
        table_set(t, c++, b);
        table_setf(t, c++, "%s%s%s", json_is_true(json_object_get(u, "red")) ? "红榜" : "",
                   json_is_true(json_object_get(u, "black")) ? "黑榜" : "",
                   json_is_true(json_object_get(u, "interview")) ? " 约谈" : "");
    }
    return true;
}

/* The red and black lists (with 约谈) as one table. */
static bool
lists_table(const json_t *doc, Table *t)
{
    static const char *const which[] = {"red", "black"};
    json_t *acc = json_object_get(doc, "accountability");

    table_init(t, "红黑榜");
    table_col(t, "榜单", false);
    table_col(t, "排名", true);
    table_col(t, "单位代码", false);
    table_col(t, "单位", false);
    table_col(t, "综合得分", true);
    table_col(t, "上月排名", true);
    table_col(t, "约谈", false);
    table_col(t, "扣分工单", true);
    for (int w = 0; w < 2; w++) {
        json_t *e;
        size_t i;

        json_array_foreach(json_object_get(acc, which[w]), i, e)
        {
            char b[64];

            if (!table_row(t))
                return false;
            table_set(t, 0, w == 0 ? "红榜" : "黑榜");
            fmt_int(b, sizeof b, json_object_get(e, "rank"));
            table_set(t, 1, b);
            table_set(t, 2, str(json_object_get(e, "unit"), "code"));
            table_set(t, 3, str(json_object_get(e, "unit"), "name"));
            fmt_fixed(b, sizeof b, json_object_get(e, "score"), 2);
            table_set(t, 4, b);
            fmt_int(b, sizeof b, json_object_get(e, "previous_rank"));
            table_set(t, 5, b);
            table_set(t, 6, json_is_true(json_object_get(e, "interview")) ? "约谈" : "");
            if (w == 1)
                table_setf(t, 7, "%zu", tickets_total(e));
        }
    }
    return true;
}

/* The tickets behind one black-listed unit (limit: rows shown, 0 = all). */
static bool
tickets_table(const json_t *entry, Table *t, size_t limit, bool with_unit)
{
    json_t *tk, *tickets = json_object_get(entry, "tickets");
    size_t i, shown = json_array_size(tickets);

    table_init(t, str(json_object_get(entry, "unit"), "name"));
    if (with_unit) {
        table_col(t, "单位代码", false);
        table_col(t, "单位", false);
        table_col(t, "排名", true);
        table_col(t, "综合得分", true);
        table_col(t, "约谈", false);
    }
    table_col(t, "工单号", false);
    table_col(t, "类别", false);
    table_col(t, "状态", false);
    table_col(t, "标题", false);
    table_col(t, "扣分原因", false);
    json_array_foreach(tickets, i, tk)
    {
        char b[512];
        int c = 0;

        if (limit > 0 && i >= limit)
            break;
        if (!table_row(t))
            return false;
        if (with_unit) {
            table_set(t, c++, str(json_object_get(entry, "unit"), "code"));
            table_set(t, c++, str(json_object_get(entry, "unit"), "name"));
            fmt_int(b, sizeof b, json_object_get(entry, "rank"));
            table_set(t, c++, b);
            fmt_fixed(b, sizeof b, json_object_get(entry, "score"), 2);
            table_set(t, c++, b);
            table_set(t, c++, json_is_true(json_object_get(entry, "interview")) ? "约谈" : "");
        }
        table_set(t, c++, str(tk, "number"));
        table_set(t, c++, str(json_object_get(tk, "category"), "name"));
        table_set(t, c++, status_zh(str(tk, "status")));
        table_set(t, c++, str(tk, "title"));
        fmt_reasons(b, sizeof b, json_object_get(tk, "reasons"));
        table_set(t, c++, b);
    }
    fmt_counts(t->note_buf, sizeof t->note_buf, entry, limit > 0 && shown > limit ? limit : shown);
    t->note = t->note_buf;
    return true;
}

/* One hotspot list: doc[key] is an array of {code?, name, address?, count,
 * previous_average, growth}. */
static bool
hot_table(const json_t *doc, const char *key, const char *title, bool address, Table *t)
{
    json_t *e;
    size_t i;

    table_init(t, title);
    table_col(t, "序号", true);
    if (address) {
        table_col(t, "区域", false);
        table_col(t, "地址", false);
    } else {
        table_col(t, "代码", false);
        table_col(t, "名称", false);
    }
    table_col(t, "本月件数", true);
    table_col(t, "前三月月均", true);
    table_col(t, "增长", true);
    json_array_foreach(json_object_get(doc, key), i, e)
    {
        char b[64];

        if (!table_row(t))
            return false;
        table_setf(t, 0, "%zu", i + 1);
        if (address) {
            table_set(t, 1, str(json_object_get(e, "area"), "name"));
            table_set(t, 2, str(e, "address"));
        } else {
            table_set(t, 1, str(e, "code"));
            table_set(t, 2, str(e, "name"));
        }
        fmt_int(b, sizeof b, json_object_get(e, "count"));
        table_set(t, 3, b);
        fmt_fixed(b, sizeof b, json_object_get(e, "previous_average"), 1);
        table_set(t, 4, b);
        fmt_rate(b, sizeof b, json_object_get(e, "growth"));
        table_set(t, 5, is_num(json_object_get(e, "growth")) ? b : "新增");
    }
    return true;
}

static bool
overdue_table(const json_t *doc, Table *t)
{
    json_t *e;
    size_t i;

    table_init(t, "超期未办结工单");
    table_col(t, "工单号", false);
    table_col(t, "状态", false);
    table_col(t, "承办单位", false);
    table_col(t, "类别", false);
    table_col(t, "紧急程度", false);
    table_col(t, "超时环节", false);
    table_col(t, "时限", false);
    table_col(t, "已超(小时)", true);
    table_col(t, "标题", false);
    json_array_foreach(json_object_get(doc, "tickets"), i, e)
    {
        char b[64];

        if (!table_row(t))
            return false;
        table_set(t, 0, str(e, "number"));
        table_set(t, 1, status_zh(str(e, "status")));
        table_set(t, 2, str(json_object_get(e, "unit"), "name"));
        table_set(t, 3, str(json_object_get(e, "category"), "name"));
        table_set(t, 4, str(e, "urgency"));
        table_set(t, 5, str(e, "clock"));
        table_set(t, 6, str(e, "due"));
        snprintf(b, sizeof b, "%.1f",
                 (double) json_integer_value(json_object_get(e, "overdue_minutes")) / 60.0);
        table_set(t, 7, b);
        table_set(t, 8, str(e, "title"));
    }
    return true;
}

/* ------------------------------------------------------------ text */

static bool
text_table(FILE *out, const Table *t)
{
    size_t width[TABLE_MAX_COLS];
    char buf[1024];

    for (int c = 0; c < t->ncols; c++) {
        width[c] = textwidth(t->headers[c]);
        for (size_t r = 0; r < t->nrows; r++) {
            size_t w = textwidth(cell(t, r, c));

            if (w > width[c])
                width[c] = w;
        }
        if (width[c] > 60)
            width[c] = 60;
    }
    if (t->title != NULL && t->title[0] != '\0')
        fprintf(out, "\n%s\n", t->title);
    for (size_t r = 0; r <= t->nrows; r++) {
        for (int c = 0; c < t->ncols; c++) {
            const char *s = r == 0 ? t->headers[c] : cell(t, r - 1, c);

            /* every line of a table has the same display width */
            textwidth_pad(buf, sizeof buf, s, width[c], t->right[c]);
            fprintf(out, "%s%s", c ? "  " : "", buf);
        }
        fputc('\n', out);
        if (r == 0) {
            size_t total = 0;

            for (int c = 0; c < t->ncols; c++)
                total += width[c] + (c ? 2 : 0);
            for (size_t k = 0; k < total; k++)
                fputc('-', out);
            fputc('\n', out);
        }
    }
    if (t->nrows == 0)
        fprintf(out, "（无）\n");
    if (t->note != NULL)
        fprintf(out, "%s\n", t->note);
    return !ferror(out);
}

/* ------------------------------------------------------------ csv */

static void
csv_field(FILE *out, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

/* One table; rows end in CRLF (RFC 4180).  with_bom: the UTF-8 BOM first. */
static bool
csv_table(FILE *out, const Table *t, bool with_header)
{
    if (with_header) {
        for (int c = 0; c < t->ncols; c++) {
            if (c)
                fputc(',', out);
            csv_field(out, t->headers[c]);
        }
        fputs("\r\n", out);
    }
    for (size_t r = 0; r < t->nrows; r++) {
        for (int c = 0; c < t->ncols; c++) {
            if (c)
                fputc(',', out);
            csv_field(out, cell(t, r, c));
        }
        fputs("\r\n", out);
    }
    return !ferror(out);
}

static void
csv_bom(FILE *out)
{
    fputs("\xEF\xBB\xBF", out);
}

/* ------------------------------------------------------------ html */

static void
html_text(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", out);
            break;
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        case '\'':
            fputs("&#39;", out);
            break;
        default:
            fputc(*s, out);
        }
    }
}

static const char html_style[] =
    "<style>\n"
    "body{font-family:\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"Microsoft YaHei\","
    "\"PingFang SC\",sans-serif;margin:24px;color:#222;font-size:13px}\n"
    "h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:22px 0 8px;"
    "border-bottom:2px solid #b22;padding-bottom:3px}h3{font-size:14px;margin:14px 0 6px}\n"
    ".meta{color:#555;margin-bottom:10px}\n"
    "table{border-collapse:collapse;margin:4px 0 10px;font-size:12px}\n"
    "th,td{border:1px solid #bbb;padding:3px 6px;white-space:nowrap}\n"
    "th{background:#f1f1f1}td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    "tr.red td{background:#fdecea}tr.black td{background:#e6e6e6}\n"
    ".tag{display:inline-block;padding:0 4px;border-radius:3px;color:#fff;font-size:11px}\n"
    ".tag.red{background:#c62828}.tag.black{background:#333}.tag.iv{background:#e65100}\n"
    ".charts{display:flex;flex-wrap:wrap;gap:12px}.chart{break-inside:avoid}\n"
    ".note{color:#666;font-size:11px}\n"
    "@page{size:A4 landscape;margin:10mm}\n"
    "@media print{body{margin:0;font-size:10px}table{font-size:9px}th,td{padding:1px 3px}"
    "h2{break-after:avoid}section{break-inside:auto}tr{break-inside:avoid}"
    ".chart{break-inside:avoid}}\n"
    "</style>\n";

static void
html_head(FILE *out, const char *title)
{
    fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>", out);
    html_text(out, title);
    fputs("</title>\n", out);
    fputs(html_style, out);
    fputs("</head>\n<body>\n", out);
}

static void
html_table(FILE *out, const Table *t, int mark_col)
{
    fputs("<table>\n<thead><tr>", out);
    for (int c = 0; c < t->ncols; c++) {
        fputs("<th>", out);
        html_text(out, t->headers[c]);
        fputs("</th>", out);
    }
    fputs("</tr></thead>\n<tbody>\n", out);
    for (size_t r = 0; r < t->nrows; r++) {
        const char *mark = mark_col >= 0 ? cell(t, r, mark_col) : "";

        if (strstr(mark, "红榜") != NULL)
            fputs("<tr class=\"red\">", out);
        else if (strstr(mark, "黑榜") != NULL)
            fputs("<tr class=\"black\">", out);
        else
            fputs("<tr>", out);
        for (int c = 0; c < t->ncols; c++) {
            fputs(t->right[c] ? "<td class=\"n\">" : "<td>", out);
            html_text(out, cell(t, r, c));
            fputs("</td>", out);
        }
        fputs("</tr>\n", out);
    }
    fputs("</tbody>\n</table>\n", out);
    if (t->nrows == 0)
        fputs("<p class=\"note\">（无）</p>\n", out);
    if (t->note != NULL) {
        fputs("<p class=\"note\">", out);
        html_text(out, t->note);
        fputs("</p>\n", out);
    }
}

/* Horizontal bars of the units' scores, in ranking order. */
static void
html_score_bars(FILE *out, const json_t *doc)
{
    json_t *units = json_object_get(doc, "units"), *u;
    size_t i, n = 0;
    double lo = 100.0;
    const int label_w = 170, bar_w = 520, row_h = 20, top = 22;
    int height;

    json_array_foreach(units, i, u)
    {
        if (!is_num(json_object_get(u, "score")))
            continue;
        n++;
        if (num(json_object_get(u, "score")) < lo)
            lo = num(json_object_get(u, "score"));
    }
    if (n == 0) {
        fputs("<p class=\"note\">本月无可计分单位。</p>\n", out);
        return;
    }
    /* Start the axis a little under the lowest score, at a multiple of 10. */
    lo = floor((lo - 5.0) / 10.0) * 10.0;
    if (lo < 0)
        lo = 0;
    if (lo > 90)
        lo = 90;
    height = top + (int) n * row_h + 24;
    fprintf(out,
            "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
            "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"综合得分\">\n",
            label_w + bar_w + 60, height, label_w + bar_w + 60, height);
    for (int g = 0; g <= 5; g++) {
        double v = lo + (100.0 - lo) * g / 5.0;
        double x = label_w + bar_w * g / 5.0;

        fprintf(out,
                "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
                "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\" "
                "fill=\"#666\">%.0f</text>\n",
                x, top - 4, x, height - 20, x, height - 6, v);
    }
    n = 0;
    json_array_foreach(units, i, u)
    {
        double s, w;
        int y = top + (int) n * row_h;
        const char *fill = "#4a78b5";

        if (!is_num(json_object_get(u, "score")))
            continue;
        s = num(json_object_get(u, "score"));
        w = bar_w * (s - lo) / (100.0 - lo);
        if (w < 1)
            w = 1;
        if (json_is_true(json_object_get(u, "red")))
            fill = "#c62828";
        else if (json_is_true(json_object_get(u, "black")))
            fill = "#333333";
        else if (!json_is_integer(json_object_get(u, "rank")))
            fill = "#b0b0b0";
        fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">", label_w - 6,
                y + 14);
        html_text(out, str(json_object_get(u, "unit"), "name"));
        fprintf(out,
                "</text><rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>"
                "<text x=\"%.1f\" y=\"%d\" font-size=\"11\">%.2f</text>\n",
                label_w, y + 3, w, row_h - 6, fill, label_w + w + 4, y + 14, s + 1e-9);
        n++;
    }
    fputs("</svg>\n", out);
}

/* A 12-month line chart of the three rates of one series of the trend. */
static void
html_trend_chart(FILE *out, const json_t *months, const json_t *series, const char *title)
{
    static const struct {
        const char *key, *label, *color;
    } lines[] = {{"response", "响应率", "#1565c0"},
                 {"resolution", "解决率", "#2e7d32"},
                 {"satisfaction", "满意率", "#c62828"}};
    const int w = 330, h = 190, left = 36, right = 8, top = 26, bottom = 34;
    size_t nm = json_array_size(months);
    double lo = 1.0;

    for (size_t l = 0; l < 3; l++) {
        json_t *v;
        size_t i;

        json_array_foreach(json_object_get(series, lines[l].key), i, v)
        {
            if (is_num(v) && num(v) < lo)
                lo = num(v);
        }
    }
    lo = floor(lo * 10.0 - 0.5) / 10.0;
    if (lo < 0)
        lo = 0;
    if (lo > 0.9)
        lo = 0.9;
    fprintf(out,
            "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
            "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n"
            "<text x=\"%d\" y=\"14\" font-size=\"12\" font-weight=\"bold\">",
            w, h, w, h, left);
    html_text(out, title);
    fputs("</text>\n", out);
    for (int g = 0; g <= 4; g++) {
        double v = lo + (1.0 - lo) * g / 4.0;
        double y = top + (h - top - bottom) * (1.0 - (double) g / 4.0);

        fprintf(out,
                "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e3e3e3\"/>"
                "<text x=\"%d\" y=\"%.1f\" font-size=\"9\" text-anchor=\"end\" "
                "fill=\"#666\">%.0f%%</text>\n",
                left, y, w - right, y, left - 3, y + 3, v * 100.0);
    }
    for (size_t i = 0; i < nm; i++) {
        double x = left + (nm > 1 ? (w - left - right) * (double) i / (double) (nm - 1) : 0);
        const char *m = json_string_value(json_array_get(months, i));

        if (m != NULL && (nm - 1 - i) % 2 == 0)
            fprintf(out,
                    "<text x=\"%.1f\" y=\"%d\" font-size=\"9\" text-anchor=\"middle\" "
                    "fill=\"#666\">%s</text>\n",
                    x, h - bottom + 12, m + 2);
    }
    for (size_t l = 0; l < 3; l++) {
        json_t *vals = json_object_get(series, lines[l].key);
        bool pen = false;

        fprintf(out, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" d=\"", lines[l].color);
        for (size_t i = 0; i < nm; i++) {
            json_t *v = json_array_get(vals, i);
            double x = left + (nm > 1 ? (w - left - right) * (double) i / (double) (nm - 1) : 0);
            double y;

            if (!is_num(v)) {
                pen = false;
                continue;
            }
            y = top + (h - top - bottom) * (1.0 - (num(v) - lo) / (1.0 - lo));
            fprintf(out, "%s%.1f %.1f ", pen ? "L" : "M", x, y);
            pen = true;
        }
        fputs("\"/>\n", out);
        fprintf(out,
                "<rect x=\"%zu\" y=\"%d\" width=\"10\" height=\"3\" fill=\"%s\"/>"
                "<text x=\"%zu\" y=\"%d\" font-size=\"10\">%s</text>\n",
                (size_t) left + l * 90, h - 12, lines[l].color, (size_t) left + l * 90 + 13, h - 8,
                lines[l].label);
    }
    fputs("</svg>\n", out);
}

static void
html_trends(FILE *out, const json_t *doc)
{
    json_t *trend = json_object_get(doc, "trend"), *months = json_object_get(trend, "months");
    json_t *units = json_object_get(trend, "units"), *code;
    size_t i;

    if (!json_is_array(months) || json_array_size(months) == 0) {
        fputs("<p class=\"note\">无趋势数据。</p>\n", out);
        return;
    }
    fputs("<div class=\"charts\">\n", out);
    html_trend_chart(out, months, json_object_get(trend, "city"), "全市");
    json_array_foreach(json_object_get(doc, "black_list"), i, code)
    {
        const char *c = json_string_value(code);
        const char *name = c;
        json_t *u;
        size_t k;

        json_array_foreach(json_object_get(doc, "units"), k, u)
        {
            if (c != NULL && strcmp(str(json_object_get(u, "unit"), "code"), c) == 0)
                name = str(json_object_get(u, "unit"), "name");
        }
        if (c != NULL && json_object_get(units, c) != NULL)
            html_trend_chart(out, months, json_object_get(units, c), name);
    }
    fputs("</div>\n", out);
}

static void
html_ranking_meta(FILE *out, const json_t *doc)
{
    json_t *w = json_object_get(doc, "weights");

    fputs("<p class=\"meta\">权重：响应率 ", out);
    fprintf(out, "%.2f，解决率 %.2f，满意率 %.2f；", num(json_object_get(w, "response")),
            num(json_object_get(w, "resolution")), num(json_object_get(w, "satisfaction")));
    fprintf(out,
            "基本满意%s计入满意率；样本量不足 %lld 件的单位不参与排名；红黑榜各 %lld 名。</p>\n",
            json_is_true(json_object_get(doc, "basic_satisfied_counts")) ? "" : "不",
            (long long) json_integer_value(json_object_get(doc, "min_population")),
            (long long) json_integer_value(json_object_get(doc, "list_size")));
}

/* ------------------------------------------------------------ per report */

static void
text_heading(FILE *out, const json_t *doc, const char *what)
{
    json_t *w = json_object_get(doc, "weights");

    fprintf(out, "%s %s %s\n", str(doc, "month"), report_kind_label(str(doc, "kind")), what);
    fprintf(
        out,
        "权重 响应率 %.2f / 解决率 %.2f / 满意率 %.2f；基本满意%s计入；样本量不足 %lld 件不排名\n",
        num(json_object_get(w, "response")), num(json_object_get(w, "resolution")),
        num(json_object_get(w, "satisfaction")),
        json_is_true(json_object_get(doc, "basic_satisfied_counts")) ? "" : "不",
        (long long) json_integer_value(json_object_get(doc, "min_population")));
}

static void
text_codes(FILE *out, const json_t *doc, const char *key, const char *label)
{
    json_t *c;
    size_t i;

    fprintf(out, "%s：", label);
    if (json_array_size(json_object_get(doc, key)) == 0)
        fputs("无", out);
    json_array_foreach(json_object_get(doc, key), i, c)
    {
        const char *code = json_string_value(c);
        json_t *u;
        size_t k;

        json_array_foreach(json_object_get(doc, "units"), k, u)
        {
            if (code != NULL && strcmp(str(json_object_get(u, "unit"), "code"), code) == 0)
                fprintf(out, "%s%s", i ? "、" : "", str(json_object_get(u, "unit"), "name"));
        }
    }
    fputc('\n', out);
}

static Err
render_ranking(FILE *out, const json_t *doc, ReportKind k, ReportFormat f, ErrInfo *ei)
{
    Err rc = ERR_INTERNAL;
    Table rank, lists, tix;
    json_t *black = json_object_get(json_object_get(doc, "accountability"), "black"), *e;
    size_t i;
    bool acc = k == REPORT_KIND_ACCOUNTABILITY;
    char title[160];

    table_init(&rank, NULL);
    table_init(&lists, NULL);
    table_init(&tix, NULL);
    if (!ranking_table(doc, &rank) || (acc && !lists_table(doc, &lists))) {
        err_set(ei, ERR_INTERNAL, NULL, "out of memory");
        goto done;
    }
    snprintf(title, sizeof title, "%s %s 三率考核%s", str(doc, "month"),
             report_kind_label(str(doc, "kind")), acc ? "问责清单" : "排名");
    switch (f) {
    case REPORT_FORMAT_TEXT:
        text_heading(out, doc, acc ? "三率考核问责清单" : "三率考核排名");
        text_table(out, &rank);
        fputc('\n', out);
        text_codes(out, doc, "red_list", "红榜");
        text_codes(out, doc, "black_list", "黑榜");
        text_codes(out, doc, "interview", "约谈");
        if (acc) {
            text_table(out, &lists);
            json_array_foreach(black, i, e)
            {
                table_free(&tix);
                if (!tickets_table(e, &tix, REPORT_TICKETS_SHOWN, false))
                    goto oom;
                text_table(out, &tix);
            }
        }
        break;
    case REPORT_FORMAT_CSV:
        csv_bom(out);
        if (!acc) {
            csv_table(out, &rank, true);
            break;
        }
        /* One row per (black-listed unit, ticket); red units one row each. */
        {
            Table all;
            json_t *red = json_object_get(json_object_get(doc, "accountability"), "red");

            table_init(&all, NULL);
            table_col(&all, "榜单", false);
            table_col(&all, "单位代码", false);
            table_col(&all, "单位", false);
            table_col(&all, "排名", true);
            table_col(&all, "综合得分", true);
            table_col(&all, "约谈", false);
            table_col(&all, "工单号", false);
            table_col(&all, "类别", false);
            table_col(&all, "状态", false);
            table_col(&all, "标题", false);
            table_col(&all, "扣分原因", false);
            for (int w = 0; w < 2; w++) {
                json_array_foreach(w == 0 ? red : black, i, e)
                {
                    json_t *tk, *tickets = json_object_get(e, "tickets");
                    size_t j, n = w == 0 ? 1 : json_array_size(tickets);

                    for (j = 0; j < (n ? n : 1); j++) {
                        char b[512];

                        tk = json_array_get(tickets, j);
                        if (!table_row(&all)) {
                            table_free(&all);
                            goto oom;
                        }
                        table_set(&all, 0, w == 0 ? "红榜" : "黑榜");
                        table_set(&all, 1, str(json_object_get(e, "unit"), "code"));
                        table_set(&all, 2, str(json_object_get(e, "unit"), "name"));
                        fmt_int(b, sizeof b, json_object_get(e, "rank"));
                        table_set(&all, 3, b);
                        fmt_fixed(b, sizeof b, json_object_get(e, "score"), 2);
                        table_set(&all, 4, b);
                        table_set(&all, 5,
                                  json_is_true(json_object_get(e, "interview")) ? "约谈" : "");
                        if (w == 1 && tk != NULL) {
                            table_set(&all, 6, str(tk, "number"));
                            table_set(&all, 7, str(json_object_get(tk, "category"), "name"));
                            table_set(&all, 8, status_zh(str(tk, "status")));
                            table_set(&all, 9, str(tk, "title"));
                            fmt_reasons(b, sizeof b, json_object_get(tk, "reasons"));
                            table_set(&all, 10, b);
                        }
                    }
                }
            }
            csv_table(out, &all, true);
            table_free(&all);
        }
        break;
    case REPORT_FORMAT_HTML:
        html_head(out, title);
        fputs("<h1>", out);
        html_text(out, title);
        fputs("</h1>\n", out);
        html_ranking_meta(out, doc);
        fputs("<section><h2>排名</h2>\n", out);
        html_table(out, &rank, rank.ncols - 1);
        fputs("</section>\n<section><h2>综合得分</h2>\n", out);
        html_score_bars(out, doc);
        fputs("</section>\n<section><h2>近 12 个月三率趋势（全市与黑榜单位）</h2>\n", out);
        html_trends(out, doc);
        fputs("</section>\n<section><h2>红黑榜</h2>\n", out);
        if (acc) {
            html_table(out, &lists, 0);
        } else {
            Table l;

            table_init(&l, NULL);
            table_col(&l, "榜单", false);
            table_col(&l, "单位", false);
            table_col(&l, "约谈", false);
            json_array_foreach(json_object_get(doc, "units"), i, e)
            {
                bool red = json_is_true(json_object_get(e, "red"));
                bool blk = json_is_true(json_object_get(e, "black"));

                if (!red && !blk)
                    continue;
                if (!table_row(&l)) {
                    table_free(&l);
                    goto oom;
                }
                table_set(&l, 0, red ? "红榜" : "黑榜");
                table_set(&l, 1, str(json_object_get(e, "unit"), "name"));
                table_set(&l, 2, json_is_true(json_object_get(e, "interview")) ? "约谈" : "");
            }
            html_table(out, &l, 0);
            table_free(&l);
        }
        fputs("</section>\n", out);
        if (acc) {
            fputs("<section><h2>黑榜单位扣分工单</h2>\n", out);
            json_array_foreach(black, i, e)
            {
                table_free(&tix);
                if (!tickets_table(e, &tix, REPORT_TICKETS_SHOWN, false))
                    goto oom;
                fputs("<h3>", out);
                html_text(out, str(json_object_get(e, "unit"), "name"));
                fprintf(out, "（%zu 件）%s</h3>\n", tickets_total(e),
                        json_is_true(json_object_get(e, "interview"))
                            ? " <span class=\"tag iv\">约谈</span>"
                            : "");
                html_table(out, &tix, -1);
            }
            fputs("</section>\n", out);
        }
        fputs("</body>\n</html>\n", out);
        break;
    default:
        break;
    }
    if (ferror(out)) {
        err_set(ei, ERR_INTERNAL, NULL, "could not write the report");
        goto done;
    }
    rc = ERR_OK;
    goto done;
oom:
    err_set(ei, ERR_INTERNAL, NULL, "out of memory");
done:
    table_free(&rank);
    table_free(&lists);
    table_free(&tix);
    return rc;
}

static const struct {
    const char *key, *title;
    bool address;
} hot_lists[] = {
    {"categories", "类别：件数最多", false}, {"categories_growth", "类别：增长最快", false},
    {"areas", "区域：件数最多", false},      {"areas_growth", "区域：增长最快", false},
    {"addresses", "地址：件数最多", true},
};

static Err
render_hotspots(FILE *out, const json_t *doc, ReportFormat f, ErrInfo *ei)
{
    Table t[5];
    Err rc = ERR_INTERNAL;
    char title[128];
    size_t n = sizeof hot_lists / sizeof hot_lists[0];

    for (size_t i = 0; i < n; i++)
        table_init(&t[i], NULL);
    for (size_t i = 0; i < n; i++)
        if (!hot_table(doc, hot_lists[i].key, hot_lists[i].title, hot_lists[i].address, &t[i])) {
            err_set(ei, ERR_INTERNAL, NULL, "out of memory");
            goto done;
        }
    snprintf(title, sizeof title, "%s 每月一题：诉求热点", str(doc, "month"));
    switch (f) {
    case REPORT_FORMAT_TEXT:
        fprintf(out, "%s（增长为本月件数对前三个月月均）\n", title);
        for (size_t i = 0; i < n; i++)
            text_table(out, &t[i]);
        break;
    case REPORT_FORMAT_CSV: {
        Table all;

        table_init(&all, NULL);
        table_col(&all, "榜单", false);
        for (int c = 0; c < t[0].ncols; c++)
            table_col(&all, t[0].headers[c], t[0].right[c]);
        for (size_t i = 0; i < n; i++)
            for (size_t r = 0; r < t[i].nrows; r++) {
                if (!table_row(&all)) {
                    table_free(&all);
                    err_set(ei, ERR_INTERNAL, NULL, "out of memory");
                    goto done;
                }
                table_set(&all, 0, hot_lists[i].title);
                for (int c = 0; c < t[i].ncols; c++)
                    table_set(&all, c + 1, cell(&t[i], r, c));
            }
        csv_bom(out);
        csv_table(out, &all, true);
        table_free(&all);
        break;
    }
    case REPORT_FORMAT_HTML:
        html_head(out, title);
        fputs("<h1>", out);
        html_text(out, title);
        fputs("</h1>\n<p class=\"meta\">增长为本月件数对前三个月月均。</p>\n", out);
        for (size_t i = 0; i < n; i++) {
            fputs("<section><h2>", out);
            html_text(out, hot_lists[i].title);
            fputs("</h2>\n", out);
            html_table(out, &t[i], -1);
            fputs("</section>\n", out);
        }
        fputs("</body>\n</html>\n", out);
        break;
    default:
        break;
    }
    if (ferror(out)) {
        err_set(ei, ERR_INTERNAL, NULL, "could not write the report");
        goto done;
    }
    rc = ERR_OK;
done:
    for (size_t i = 0; i < n; i++)
        table_free(&t[i]);
    return rc;
}

static Err
render_overdue(FILE *out, const json_t *doc, ReportFormat f, ErrInfo *ei)
{
    Table t;
    Err rc = ERR_INTERNAL;
    char title[160];

    table_init(&t, NULL);
    if (!overdue_table(doc, &t)) {
        err_set(ei, ERR_INTERNAL, NULL, "out of memory");
        goto done;
    }
    snprintf(title, sizeof title, "超期未办结工单（截至 %s%s%s）", str(doc, "now"),
             json_is_string(json_object_get(doc, "unit")) ? "，单位 " : "",
             json_is_string(json_object_get(doc, "unit")) ? str(doc, "unit") : "");
    switch (f) {
    case REPORT_FORMAT_TEXT:
        fprintf(out, "%s：%zu 项\n", title, t.nrows);
        t.title = NULL;
        text_table(out, &t);
        break;
    case REPORT_FORMAT_CSV:
        csv_bom(out);
        csv_table(out, &t, true);
        break;
    case REPORT_FORMAT_HTML:
        html_head(out, title);
        fputs("<h1>", out);
        html_text(out, title);
        fprintf(out, "</h1>\n<p class=\"meta\">%zu 项</p>\n", t.nrows);
        html_table(out, &t, -1);
        fputs("</body>\n</html>\n", out);
        break;
    default:
        break;
    }
    if (ferror(out)) {
        err_set(ei, ERR_INTERNAL, NULL, "could not write the report");
        goto done;
    }
    rc = ERR_OK;
done:
    table_free(&t);
    return rc;
}

Err
report_render(FILE *out, const json_t *doc, ReportKind k, ReportFormat f, ErrInfo *ei)
{
    char *text = NULL;
    Err rc = ERR_INTERNAL;

    if (f == REPORT_FORMAT_JSON) {
        json_t *copy = json_deep_copy(doc);

        if (copy != NULL)
            json_object_del(copy, "trend"); /* for the HTML page only */
        text = copy ? report_json_text(copy, true) : NULL;
        json_decref(copy);
        if (text == NULL) {
            err_set(ei, ERR_INTERNAL, NULL, "out of memory");
            goto done;
        }
        if (fputs(text, out) == EOF) {
            err_set(ei, ERR_INTERNAL, NULL, "could not write the report");
            goto done;
        }
        rc = ERR_OK;
        goto done;
    }
    switch (k) {
    case REPORT_KIND_RANKING:
    case REPORT_KIND_ACCOUNTABILITY:
        rc = render_ranking(out, doc, k, f, ei);
        break;
    case REPORT_KIND_HOTSPOTS:
        rc = render_hotspots(out, doc, f, ei);
        break;
    case REPORT_KIND_OVERDUE:
        rc = render_overdue(out, doc, f, ei);
        break;
    default:
        err_set(ei, ERR_INTERNAL, NULL, "unknown report");
        break;
    }
done:
    free(text);
    return rc;
}
