/*
 * open311.c — Open311 GeoReport v2: forms, field mapping, filters, status
 * mapping, UTC datetimes and the XML writer (see open311.h).
 *
 * Decides and formats only: the server (server/open311.c) reads the request,
 * asks the database and sends what this module produces.
 */
#include "core/open311.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "core/validate.h"

#define MEDIA_URL_MAX 2000
#define PAGE_MAX 1000000L

/* ---------------------------------------------------------------- formats */

Open311Format
open311_split_format(const char *seg, char *base, size_t len)
{
    const char *dot = seg ? strrchr(seg, '.') : NULL;
    size_t n;
    Open311Format f;

    if (dot == NULL || dot == seg)
        return OPEN311_NONE;
    if (strcmp(dot, ".json") == 0)
        f = OPEN311_JSON;
    else if (strcmp(dot, ".xml") == 0)
        f = OPEN311_XML;
    else
        return OPEN311_NONE;
    n = (size_t) (dot - seg);
    if (n >= len)
        return OPEN311_NONE;
    memcpy(base, seg, n);
    base[n] = '\0';
    return f;
}

Open311Format
open311_path_format(const char *path)
{
    const char *last = path ? strrchr(path, '/') : NULL;
    size_t n;

    last = last ? last + 1 : path;
    if (last == NULL)
        return OPEN311_XML;
    n = strlen(last);
    if (n > 5 && strcmp(last + n - 5, ".json") == 0)
        return OPEN311_JSON;
    return OPEN311_XML;
}

int
open311_http_status(Err e)
{
    switch (e) {
    case ERR_NOT_FOUND:
        return 404;
    case ERR_UNAUTHORIZED:
    case ERR_FORBIDDEN:
        return 403;
    default:
        return 400;
    }
}

const char *
open311_status(TicketStatus s)
{
    return status_is_final(s) ? "closed" : "open";
}

size_t
open311_status_names(bool open, bool closed, const char **out, size_t max)
{
    size_t n = 0;

    for (int s = ST_NONE + 1; s < ST__COUNT && n < max; s++)
        if (status_is_final((TicketStatus) s) ? closed : open)
            out[n++] = status_name((TicketStatus) s);
    return n;
}

const char *
open311_status_notes(TicketStatus s, const char *result, const char *merged_into, char *buf,
                     size_t len)
{
    if ((s == ST_REPLIED || s == ST_CLOSED || s == ST_ANSWERED) && result != NULL && result[0])
        return result;
    if (s == ST_MERGED && merged_into != NULL) {
        snprintf(buf, len, "已合并至工单 %s 一并办理", merged_into);
        return buf;
    }
    return status_label_zh(s);
}

const char *
open311_service_notice(TicketStatus s, const char *agency, int64_t reply_due, char *buf, size_t len)
{
    char when[40];

    if (status_is_final(s) || s == ST_NONE || s >= ST__COUNT)
        return NULL;
    if (s == ST_PENDING_DISPATCH) {
        snprintf(buf, len, "已受理，12345 热线正在派单");
        return buf;
    }
    if (s == ST_REPLIED) {
        snprintf(buf, len, "%s已答复办理结果，12345 热线将回访核实", agency ? agency : "承办单位");
        return buf;
    }
    if (reply_due == TS_NONE) {
        snprintf(buf, len, "由%s办理", agency ? agency : "承办单位");
        return buf;
    }
    time_format(reply_due, when, sizeof when); /* "2026-11-22T11:17:25.123+08:00" */
    when[10] = ' ';
    when[16] = '\0';
    snprintf(buf, len, "由%s办理，应于 %s（北京时间）前答复", agency ? agency : "承办单位", when);
    return buf;
}

/* ------------------------------------------------------------------ forms */

static int
hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes s[0..n) in place; returns the new length, or -1 on a bad escape. */
static long
form_unescape(char *s, size_t n)
{
    size_t i = 0, o = 0;

    while (i < n) {
        if (s[i] == '%') {
            int hi, lo;

            if (i + 2 >= n)
                return -1;
            hi = hex_value(s[i + 1]);
            lo = hex_value(s[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            s[o++] = (char) (hi * 16 + lo);
            i += 3;
        } else {
            s[o++] = s[i] == '+' ? ' ' : s[i];
            i++;
        }
    }
    return (long) o;
}

/* No C0 control characters (and no DEL); a value may hold tab, CR and LF. */
static bool
form_text_ok(const char *s, size_t n, bool is_value)
{
    if (!validate_utf8(s, n))
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char) s[i];

        if (c == 0x7f || (c < 0x20 && !(is_value && (c == '\t' || c == '\n' || c == '\r'))))
            return false;
    }
    return true;
}

Err
open311_form_parse(char *buf, size_t len, Open311Form *f, ErrInfo *ei)
{
    char *p = buf, *end = buf + len;

    f->n = 0;
    buf[len] = '\0';
    while (p < end) {
        char *amp = memchr(p, '&', (size_t) (end - p));
        char *stop = amp ? amp : end;
        char *eq, *key = p, *val;
        long kl, vl;

        if (stop == p) {
            p++;
            continue;
        }
        eq = memchr(p, '=', (size_t) (stop - p));
        val = eq ? eq + 1 : stop;
        kl = form_unescape(key, (size_t) ((eq ? eq : stop) - key));
        vl = form_unescape(val, (size_t) (stop - val));
        if (kl < 0 || vl < 0) {
            if (kl >= 0)
                key[kl] = '\0';
            return err_set(ei, ERR_INVALID, kl >= 0 ? key : NULL,
                           "the form has a malformed %%-escape");
        }
        key[kl] = '\0';
        val[vl] = '\0';
        if (kl == 0)
            return err_set(ei, ERR_INVALID, NULL, "the form has a parameter without a name");
        if (!form_text_ok(key, (size_t) kl, false))
            return err_set(ei, ERR_INVALID, NULL, "a parameter name is not valid UTF-8 text");
        if (!form_text_ok(val, (size_t) vl, true))
            return err_set(ei, ERR_INVALID, key, "%.40s is not valid UTF-8 text", key);
        if (f->n == OPEN311_FORM_MAX)
            return err_set(ei, ERR_INVALID, NULL, "the form has more than %d parameters",
                           OPEN311_FORM_MAX);
        f->pair[f->n].key = key;
        f->pair[f->n].value = val;
        f->n++;
        p = amp ? amp + 1 : end;
    }
    return ERR_OK;
}

bool
open311_attribute_key(const char *key, char *code, size_t len, bool *multi)
{
    static const char prefix[] = "attribute[";
    const char *start, *close;
    size_t n;

    if (strncmp(key, prefix, sizeof prefix - 1) != 0)
        return false;
    start = key + sizeof prefix - 1;
    close = strchr(start, ']');
    if (close == NULL)
        return false;
    if (close[1] == '\0')
        *multi = false;
    else if (strcmp(close + 1, "[]") == 0)
        *multi = true;
    else
        return false;
    n = (size_t) (close - start);
    if (n == 0 || n >= len)
        return false;
    memcpy(code, start, n);
    code[n] = '\0';
    return validate_code(code);
}

static const struct {
    const char *key;
    size_t offset;
} post_fields[] = {
    {"api_key", offsetof(Open311Post, api_key)},
    {"jurisdiction_id", offsetof(Open311Post, jurisdiction_id)},
    {"service_code", offsetof(Open311Post, service_code)},
    {"lat", offsetof(Open311Post, lat)},
    {"long", offsetof(Open311Post, lon)},
    {"address_string", offsetof(Open311Post, address_string)},
    {"address_id", offsetof(Open311Post, address_id)},
    {"email", offsetof(Open311Post, email)},
    {"device_id", offsetof(Open311Post, device_id)},
    {"account_id", offsetof(Open311Post, account_id)},
    {"first_name", offsetof(Open311Post, first_name)},
    {"last_name", offsetof(Open311Post, last_name)},
    {"phone", offsetof(Open311Post, phone)},
    {"description", offsetof(Open311Post, description)},
    {"media_url", offsetof(Open311Post, media_url)},
};

Err
open311_post_decode(const Open311Form *f, Open311Post *p, ErrInfo *ei)
{
    memset(p, 0, sizeof *p);
    for (size_t i = 0; i < f->n; i++) {
        const char *key = f->pair[i].key, *value = f->pair[i].value;
        char code[40];
        bool multi, known = false;

        for (size_t k = 0; k < sizeof post_fields / sizeof post_fields[0]; k++) {
            const char **slot;

            if (strcmp(key, post_fields[k].key) != 0)
                continue;
            known = true;
            slot = (const char **) (void *) ((char *) p + post_fields[k].offset);
            if (value[0] == '\0')
                break; /* empty is absent */
            if (*slot != NULL)
                return err_set(ei, ERR_INVALID, key, "%s is given more than once", key);
            *slot = value;
            break;
        }
        if (known)
            continue;
        if (!open311_attribute_key(key, code, sizeof code, &multi))
            return err_set(ei, ERR_INVALID, key, "unknown parameter %.40s", key);
        if (multi)
            return err_set(ei, ERR_INVALID, key, "attribute %s takes a single value", code);
        if (value[0] == '\0')
            continue;
        for (size_t a = 0; a < p->n_attrs; a++)
            if (strcmp(p->attr[a].code, code) == 0)
                return err_set(ei, ERR_INVALID, key, "%.40s is given more than once", key);
        if (p->n_attrs == OPEN311_ATTRS_MAX)
            return err_set(ei, ERR_INVALID, key, "more than %d attributes", OPEN311_ATTRS_MAX);
        memcpy(p->attr[p->n_attrs].code, code, sizeof code);
        p->attr[p->n_attrs].value = value;
        p->n_attrs++;
    }
    return ERR_OK;
}

/* ------------------------------------------------------------- attributes */

static const Open311AttrValue nature_values[] = {
    {"complaint", "投诉"},  {"help", "求助"},   {"report", "举报"}, {"consultation", "咨询"},
    {"suggestion", "建议"}, {"praise", "表扬"}, {"other", "其他"},
};

static const Open311Attribute attributes[] = {
    {"nature", "singlevaluelist", false, "诉求性质：投诉、求助、举报、咨询、建议、表扬或其他",
     "不填时按投诉受理", nature_values, sizeof nature_values / sizeof nature_values[0]},
};

const Open311Attribute *
open311_attributes(size_t *n)
{
    *n = sizeof attributes / sizeof attributes[0];
    return attributes;
}

Err
open311_attribute_apply(Intake *in, const char *code, const char *value, ErrInfo *ei)
{
    char field[64];

    snprintf(field, sizeof field, "attribute[%.40s]", code);
    if (strcmp(code, "nature") == 0) {
        int n = nature_parse(value);

        if (n < 0)
            return err_set(ei, ERR_INVALID, field,
                           "%s must be one of the keys in the service definition", field);
        in->nature = (Nature) n;
        return ERR_OK;
    }
    return err_set(ei, ERR_INVALID, field, "unknown attribute %.40s", code);
}

/* ----------------------------------------------------------------- fields */

static bool
is_ascii(const char *s)
{
    for (; s && *s; s++)
        if ((unsigned char) *s >= 0x80)
            return false;
    return true;
}

char *
open311_caller_name(const char *first, const char *last, char *out, size_t len)
{
    if (first == NULL && last == NULL)
        snprintf(out, len, "%s", "");
    else if (first == NULL || last == NULL)
        snprintf(out, len, "%s", first ? first : last);
    else if (is_ascii(first) && is_ascii(last))
        snprintf(out, len, "%s %s", first, last);
    else
        snprintf(out, len, "%s%s", last, first);
    return out;
}

bool
open311_media_url_ok(const char *s)
{
    size_t n = strlen(s);

    if (n > MEDIA_URL_MAX)
        return false;
    if (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0)
        return false;
    if (n <= (s[4] == 's' ? 8u : 7u))
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char) s[i] <= 0x20 || (unsigned char) s[i] >= 0x7f)
            return false;
    return true;
}

bool
open311_parse_degrees(const char *s, double min, double max, double *out)
{
    const char *p = s;
    size_t digits = 0;
    char *end;
    double v;

    if (*p == '+' || *p == '-')
        p++;
    for (; *p >= '0' && *p <= '9'; p++)
        digits++;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            digits++;
    if (digits == 0 || digits > 20 || *p != '\0')
        return false;
    v = strtod(s, &end);
    if (*end != '\0' || v < min || v > max)
        return false;
    *out = v;
    return true;
}

Err
open311_post_intake(const Open311Post *p, Intake *in, char *name_buf, size_t name_len, ErrInfo *ei)
{
    Err rc;

    intake_init(in);
    in->channel = CH_OPEN311;
    in->nature = NATURE_COMPLAINT;
    if (p->service_code == NULL)
        return err_set(ei, ERR_MISSING, "service_code", "service_code is required");
    if (!validate_code(p->service_code))
        return err_set(ei, ERR_NOT_FOUND, "service_code", "service_code %.40s not found",
                       p->service_code);
    in->category = p->service_code;

    if ((p->lat == NULL) != (p->lon == NULL))
        return err_set(ei, ERR_MISSING, p->lat ? "long" : "lat",
                       "lat and long must be sent together");
    if (p->lat != NULL) {
        if (!open311_parse_degrees(p->lat, -90, 90, &in->lat))
            return err_set(ei, ERR_INVALID, "lat", "lat must be a WGS84 latitude, -90 to 90");
        if (!open311_parse_degrees(p->lon, -180, 180, &in->lon))
            return err_set(ei, ERR_INVALID, "long", "long must be a WGS84 longitude, -180 to 180");
        in->has_location = true;
    }
    if (p->address_string != NULL) {
        if (validate_utf8_chars(p->address_string) > INTAKE_ADDRESS_MAX)
            return err_set(ei, ERR_INVALID, "address_string",
                           "address_string is longer than %d characters", INTAKE_ADDRESS_MAX);
        in->address = p->address_string;
    }
    if (p->address_id != NULL) {
        if (!validate_code(p->address_id))
            return err_set(ei, ERR_INVALID, "address_id",
                           "address_id must be an area code (docs/open311.md)");
        in->area = p->address_id;
    }
    if (!in->has_location && in->address == NULL && in->area == NULL)
        return err_set(ei, ERR_MISSING, "lat",
                       "a location is required: lat and long, address_string or address_id");

    if (p->phone != NULL) {
        if (!validate_phone(p->phone))
            return err_set(ei, ERR_INVALID, "phone", "invalid phone number");
        in->caller_phone = p->phone;
        if (p->first_name != NULL || p->last_name != NULL) {
            size_t chars = (p->first_name ? validate_utf8_chars(p->first_name) : 0) +
                           (p->last_name ? validate_utf8_chars(p->last_name) : 0);

            if (chars + 1 > INTAKE_NAME_MAX)
                return err_set(ei, ERR_INVALID, p->last_name ? "last_name" : "first_name",
                               "first_name and last_name are longer than %d characters",
                               INTAKE_NAME_MAX - 1);
            in->caller_name = open311_caller_name(p->first_name, p->last_name, name_buf, name_len);
        }
    } else {
        /* No phone: nobody to call back (domain.md §6: no caller on such appeals). */
        in->anonymous = true;
        in->callback_wanted = false;
    }

    if (p->description != NULL && validate_utf8_chars(p->description) > INTAKE_DESCRIPTION_MAX)
        return err_set(ei, ERR_INVALID, "description", "description is longer than %d characters",
                       INTAKE_DESCRIPTION_MAX);
    in->description = p->description;
    if (p->media_url != NULL && !open311_media_url_ok(p->media_url))
        return err_set(ei, ERR_INVALID, "media_url", "media_url must be an http or https URL");
    for (size_t i = 0; i < p->n_attrs; i++)
        if ((rc = open311_attribute_apply(in, p->attr[i].code, p->attr[i].value, ei)) != ERR_OK)
            return rc;
    return ERR_OK;
}

/* ---------------------------------------------------------------- queries */

void
open311_query_init(Open311Query *q)
{
    memset(q, 0, sizeof *q);
    q->start = q->end = TS_NONE;
    q->open = q->closed = true;
    q->page = 1;
    q->page_size = OPEN311_LIMIT;
}

static bool
parse_long(const char *v, long min, long max, long *out)
{
    char *end;
    long n;

    if (*v < '0' || *v > '9' || strlen(v) > 9)
        return false;
    n = strtol(v, &end, 10);
    if (*end != '\0' || n < min || n > max)
        return false;
    *out = n;
    return true;
}

Err
open311_query_param(Open311Query *q, const char *key, const char *value, ErrInfo *ei)
{
    if (strcmp(key, "api_key") == 0 || value[0] == '\0')
        return ERR_OK; /* reads need no key; an empty parameter is an absent one */
    if (strcmp(key, "jurisdiction_id") == 0) {
        q->jurisdiction_id = value;
    } else if (strcmp(key, "service_request_id") == 0) {
        q->ids = value;
    } else if (strcmp(key, "service_code") == 0) {
        q->service_codes = value;
    } else if (strcmp(key, "start_date") == 0 || strcmp(key, "end_date") == 0) {
        if (!open311_parse_datetime(value, key[0] == 's' ? &q->start : &q->end))
            return err_set(ei, ERR_INVALID, key,
                           "%s must be a W3C datetime, e.g. 2010-01-01T00:00:00Z", key);
    } else if (strcmp(key, "status") == 0) {
        const char *p = value;

        q->open = q->closed = false;
        while (true) {
            const char *comma = strchr(p, ',');
            size_t n = comma ? (size_t) (comma - p) : strlen(p);

            if (n == 4 && strncmp(p, "open", 4) == 0)
                q->open = true;
            else if (n == 6 && strncmp(p, "closed", 6) == 0)
                q->closed = true;
            else
                return err_set(ei, ERR_INVALID, "status", "status must be open, closed or both");
            if (comma == NULL)
                break;
            p = comma + 1;
        }
    } else if (strcmp(key, "page") == 0) {
        if (!parse_long(value, 1, PAGE_MAX, &q->page))
            return err_set(ei, ERR_INVALID, "page", "page must be 1 to %ld", PAGE_MAX);
    } else if (strcmp(key, "page_size") == 0) {
        if (!parse_long(value, 1, OPEN311_LIMIT, &q->page_size))
            return err_set(ei, ERR_INVALID, "page_size", "page_size must be 1 to %d",
                           OPEN311_LIMIT);
    } else {
        return err_set(ei, ERR_INVALID, key, "unknown parameter %.40s", key);
    }
    return ERR_OK;
}

Err
open311_query_finish(Open311Query *q, int64_t now, ErrInfo *ei)
{
    if (q->ids != NULL)
        return ERR_OK; /* "This overrides all other arguments." */
    if (q->start == TS_NONE && q->end == TS_NONE)
        q->start = now - OPEN311_SPAN_MS;
    else if (q->end == TS_NONE)
        q->end = q->start + OPEN311_SPAN_MS;
    else if (q->start == TS_NONE)
        q->start = q->end - OPEN311_SPAN_MS;
    else if (q->start > q->end)
        return err_set(ei, ERR_INVALID, "start_date", "start_date is after end_date");
    else if (q->end - q->start > OPEN311_SPAN_MS)
        return err_set(ei, ERR_INVALID, "end_date",
                       "start_date and end_date may not span more than 90 days");
    return ERR_OK;
}

int
open311_split_list(const char *s, char *buf, size_t len, const char **out, size_t max,
                   bool (*valid)(const char *))
{
    size_t n = 0;
    char *p;

    if (strlen(s) >= len)
        return -1;
    strcpy(buf, s);
    p = buf;
    while (true) {
        char *comma = strchr(p, ',');

        if (comma)
            *comma = '\0';
        if (*p == '\0' || !valid(p) || n == max)
            return -1;
        out[n++] = p;
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    return (int) n;
}

bool
open311_parse_datetime(const char *s, int64_t *ms)
{
    size_t n = strlen(s);
    int64_t day;
    char fixed[48];

    /* "…T08:00:00+08:00" sent unescaped in a query string arrives with a
     * space for the '+'. */
    if (n > 16 && n < sizeof fixed && s[n - 6] == ' ' && s[n - 3] == ':') {
        memcpy(fixed, s, n + 1);
        fixed[n - 6] = '+';
        s = fixed;
    }
    if (n == 10) {
        if (!time_parse_date(s, &day))
            return false;
        *ms = day * CALENDAR_MS_PER_DAY - CST_OFFSET_MS;
        return true;
    }
    /* "YYYY-MM-DDThh:mmTZD": the seconds are optional in the W3C profile. */
    if (n >= 17 && n < 40 && s[13] == ':' && s[16] != ':') {
        char buf[48];

        snprintf(buf, sizeof buf, "%.16s:00%s", s, s + 16);
        return time_parse(buf, ms);
    }
    return time_parse(s, ms);
}

char *
open311_format_datetime(int64_t ms, char *buf, size_t len)
{
    int64_t day = ms / CALENDAR_MS_PER_DAY, rem;
    int y, m, d;

    if (ms % CALENDAR_MS_PER_DAY < 0)
        day--;
    rem = ms - day * CALENDAR_MS_PER_DAY;
    calendar_civil_from_days(day, &y, &m, &d);
    snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, (int) (rem / 3600000),
             (int) (rem / 60000 % 60), (int) (rem / 1000 % 60));
    return buf;
}

/* -------------------------------------------------------------------- XML */

static void
xml_put(Open311Xml *x, const char *s, size_t n)
{
    if (x->failed)
        return;
    if (x->len + n + 1 > x->cap) {
        size_t cap = x->cap ? x->cap : 1024;
        char *nb;

        while (cap < x->len + n + 1)
            cap *= 2;
        nb = realloc(x->buf, cap);
        if (nb == NULL) {
            x->failed = true;
            return;
        }
        x->buf = nb;
        x->cap = cap;
    }
    memcpy(x->buf + x->len, s, n);
    x->len += n;
    x->buf[x->len] = '\0';
}

static void
xml_puts(Open311Xml *x, const char *s)
{
    xml_put(x, s, strlen(s));
}

void
open311_xml_begin(Open311Xml *x)
{
    memset(x, 0, sizeof *x);
    xml_puts(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
}

void
open311_xml_open(Open311Xml *x, const char *name)
{
    xml_puts(x, "<");
    xml_puts(x, name);
    xml_puts(x, ">");
}

void
open311_xml_close(Open311Xml *x, const char *name)
{
    xml_puts(x, "</");
    xml_puts(x, name);
    xml_puts(x, ">");
}

static void
xml_text(Open311Xml *x, const char *s)
{
    const char *run = s;

    for (; *s; s++) {
        const char *rep = NULL;
        unsigned char c = (unsigned char) *s;

        switch (c) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&apos;";
            break;
        case '\r':
            rep = "&#13;"; /* a parser would fold a raw CR into LF */
            break;
        default:
            if (c < 0x20 && c != '\t' && c != '\n')
                rep = "\xEF\xBF\xBD"; /* U+FFFD: XML 1.0 cannot hold C0 controls */
            break;
        }
        if (rep == NULL)
            continue;
        xml_put(x, run, (size_t) (s - run));
        xml_puts(x, rep);
        run = s + 1;
    }
    xml_put(x, run, (size_t) (s - run));
}

void
open311_xml_leaf(Open311Xml *x, const char *name, const char *text)
{
    if (text == NULL) {
        xml_puts(x, "<");
        xml_puts(x, name);
        xml_puts(x, "/>");
        return;
    }
    open311_xml_open(x, name);
    xml_text(x, text);
    open311_xml_close(x, name);
}

char *
open311_xml_end(Open311Xml *x, size_t *len)
{
    char *out = NULL;

    xml_puts(x, "\n");
    if (!x->failed) {
        out = x->buf;
        *len = x->len;
    } else {
        free(x->buf);
    }
    memset(x, 0, sizeof *x);
    return out;
}

const char *
open311_xml_item(const char *container)
{
    static const struct {
        const char *container, *item;
    } items[] = {
        {"services", "service"}, {"service_requests", "request"}, {"attributes", "attribute"},
        {"values", "value"},     {"endpoints", "endpoint"},       {"formats", "format"},
        {"errors", "error"},
    };

    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
        if (strcmp(items[i].container, container) == 0)
            return items[i].item;
    return "item";
}
