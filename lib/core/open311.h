/*
 * open311.h — the pure parts of the Open311 GeoReport v2 endpoint
 * (docs/open311.md): the form body of POST requests, its mapping onto an
 * Intake, the query filters of GET requests, the open/closed status mapping,
 * W3C datetimes in UTC, the HTTP status of an error, and an XML writer.
 *
 * Pure C: no I/O, no clock (callers pass `now`).  The form parser works in
 * place on the caller's buffer and every string it yields is *borrowed* from
 * that buffer; the XML writer is the one part that allocates.
 */
#ifndef MINHU_CORE_OPEN311_H
#define MINHU_CORE_OPEN311_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/intake.h"
#include "core/ticket.h"

/* The response format, from the resource's extension. */
typedef enum Open311Format { OPEN311_NONE = 0, OPEN311_XML, OPEN311_JSON } Open311Format;

/*
 * Splits a path segment "requests.json" into its base ("requests", written
 * to base[len]) and format.  OPEN311_NONE when the extension is neither
 * .json nor .xml, the base is empty, or it does not fit.
 */
Open311Format open311_split_format(const char *seg, char *base, size_t len);

/* The format an answer (an error included) under path takes: that of the last
 * segment's extension, else XML, the format the specification requires. */
Open311Format open311_path_format(const char *path);

/* The HTTP status the specification gives an error: 404 for what does not
 * exist, 403 for a missing or wrong api_key, 400 for everything else. */
int open311_http_status(Err e);

/* "closed" for our final statuses (domain.md §2), "open" for the others. */
const char *open311_status(TicketStatus s);

/*
 * Writes into out[0..max) the names of our statuses that map to the wanted
 * Open311 statuses, in table order; returns how many.
 */
size_t open311_status_names(bool open, bool closed, const char **out, size_t max);

/*
 * status_notes of a request (what status alone does not say): the public
 * result once the unit has replied (replied, closed, answered), the ticket
 * a merged one went into, else our status's label (已派单待签收, 不予受理, …).
 * result and merged_into may be NULL.  Returns the text (buf or static).
 */
const char *open311_status_notes(TicketStatus s, const char *result, const char *merged_into,
                                 char *buf, size_t len);

/*
 * service_notice of a request: what happens next and by when (reply_due in
 * Beijing time, the residents' clock), written into buf.  NULL for a final
 * status (nothing more will happen).  agency may be NULL; reply_due TS_NONE.
 */
const char *open311_service_notice(TicketStatus s, const char *agency, int64_t reply_due, char *buf,
                                   size_t len);

/* ------------------------------------------------------------------ forms */

#define OPEN311_FORM_MAX 64  /* pairs in one body */
#define OPEN311_ATTRS_MAX 16 /* attribute[...] pairs in one body */

typedef struct Open311Pair {
    const char *key, *value; /* borrowed from the parsed buffer */
} Open311Pair;

typedef struct Open311Form {
    size_t n;
    Open311Pair pair[OPEN311_FORM_MAX];
} Open311Form;

/*
 * Parses an application/x-www-form-urlencoded body in place: pairs split on
 * '&', key and value on the first '=', '+' is a space and %XX a byte.  Keys
 * and values must decode to UTF-8 without NUL or control characters (a value
 * may hold tabs and line breaks).  Empty pairs ("a=1&&b=2") are skipped.
 * buf[len] must be writable (it becomes NUL).  ERR_INVALID naming the key on
 * a bad escape, bad UTF-8 or more than OPEN311_FORM_MAX pairs.
 */
Err open311_form_parse(char *buf, size_t len, Open311Form *f, ErrInfo *ei);

/*
 * "attribute[CODE]" → CODE (into code[len]) with *multi false;
 * "attribute[CODE][]" → CODE with *multi true (a multivaluelist answer).
 * False when key is not of that form or CODE is not a valid code.
 */
bool open311_attribute_key(const char *key, char *code, size_t len, bool *multi);

/* A POST requests body, sorted into its fields (all borrowed; NULL when
 * absent or empty: the specification treats an empty parameter as absent). */
typedef struct Open311Post {
    const char *api_key, *jurisdiction_id, *service_code;
    const char *lat, *lon; /* the "long" parameter */
    const char *address_string, *address_id;
    const char *email, *device_id, *account_id;
    const char *first_name, *last_name, *phone;
    const char *description, *media_url;
    size_t n_attrs;
    struct {
        char code[40];
        const char *value;
    } attr[OPEN311_ATTRS_MAX];
} Open311Post;

/*
 * Sorts form f into p.  ERR_INVALID naming the parameter when it is unknown,
 * given twice, or an attribute is given twice (or as a list: no attribute of
 * ours is a multivaluelist).
 */
Err open311_post_decode(const Open311Form *f, Open311Post *p, ErrInfo *ei);

/*
 * Fills in (intake_init first) from p: channel open311, category =
 * service_code, location from lat/long (both or neither), address_string
 * and address_id (our area code), the caller (phone given: name and phone,
 * a callback wanted; no phone: anonymous), description, and the attributes
 * (open311_attribute_apply).  name_buf[name_len] holds the caller's name
 * (open311_caller_name).  Errors name the Open311 parameter.  The service's
 * existence and intake_validate() are the caller's.
 */
Err open311_post_intake(const Open311Post *p, Intake *in, char *name_buf, size_t name_len,
                        ErrInfo *ei);

/*
 * The service attributes every service carries (GET service definition):
 * code, datatype, required, descriptions, and for list datatypes the values.
 */
typedef struct Open311AttrValue {
    const char *key, *name;
} Open311AttrValue;

typedef struct Open311Attribute {
    const char *code;
    const char *datatype; /* string, number, datetime, text, singlevaluelist, ... */
    bool required;
    const char *description;
    const char *datatype_description;
    const Open311AttrValue *values; /* n_values entries, for the list datatypes */
    size_t n_values;
} Open311Attribute;

/* The attribute table (static, borrowed); *n gets its length. */
const Open311Attribute *open311_attributes(size_t *n);

/* Applies attribute code = value to in; ERR_INVALID naming attribute[code]
 * when the code is unknown or the value is not one of its keys. */
Err open311_attribute_apply(Intake *in, const char *code, const char *value, ErrInfo *ei);

/*
 * The caller's name from first and last (either may be NULL): "Jane Smith"
 * when both are ASCII, else family name first without a space ("王" + "小明"
 * → "王小明").  "" when both are NULL.  Returns out.
 */
char *open311_caller_name(const char *first, const char *last, char *out, size_t len);

/* An http:// or https:// URL of at most 2000 printable ASCII bytes. */
bool open311_media_url_ok(const char *s);

/* A decimal degree in [min, max] (no hex, no inf/nan, nothing trailing). */
bool open311_parse_degrees(const char *s, double min, double max, double *out);

/* ---------------------------------------------------------------- queries */

#define OPEN311_SPAN_MS (INT64_C(90) * 86400000) /* the specification's 90 days */
#define OPEN311_LIMIT 1000                       /* and its first 1000 requests */

/* The filters of GET requests, decoded (strings borrowed). */
typedef struct Open311Query {
    const char *jurisdiction_id;
    const char *ids;           /* service_request_id: comma list, overrides the rest */
    const char *service_codes; /* comma list */
    int64_t start, end;        /* requested_datetime range, TS_NONE when not given */
    bool open, closed;         /* wanted statuses; both when status is not given */
    long page, page_size;      /* the widely implemented paging extension */
} Open311Query;

/* Every filter absent: all statuses, page 1 of OPEN311_LIMIT. */
void open311_query_init(Open311Query *q);

/* One query parameter into q; ERR_INVALID naming it when its value is bad or
 * the parameter is unknown (api_key is accepted and ignored). */
Err open311_query_param(Open311Query *q, const char *key, const char *value, ErrInfo *ei);

/*
 * Applies the defaults against now: no dates → the 90 days up to now; only
 * start_date → 90 days from it; only end_date → the 90 days before it.
 * ERR_INVALID when start is after end or they span more than 90 days.
 */
Err open311_query_finish(Open311Query *q, int64_t now, ErrInfo *ei);

/*
 * Splits the comma list s (at most len bytes, copied into buf[len]) into
 * out[0..max); each item must satisfy valid.  Returns the count, or -1 when
 * an item is empty or invalid, or there are more than max.
 */
int open311_split_list(const char *s, char *buf, size_t len, const char **out, size_t max,
                       bool (*valid)(const char *));

/*
 * Parses a W3C datetime (www.w3.org/TR/NOTE-datetime): "YYYY-MM-DD" (that
 * day's start in Asia/Shanghai, the service's zone), "YYYY-MM-DDThh:mmTZD",
 * or with seconds and a fraction; TZD is "Z" or "+hh:mm"/"-hh:mm" (a space
 * for the '+' too: an unescaped '+' in a query string decodes to one).
 */
bool open311_parse_datetime(const char *s, int64_t *ms);

/* Formats ms in UTC as "2026-11-22T03:17:25Z" (len >= 21).  Returns buf. */
char *open311_format_datetime(int64_t ms, char *buf, size_t len);

/* ------------------------------------------------------------------- XML */

/*
 * A growing XML document: the declaration, then elements.  Text is escaped
 * (& < > " ' and CR); characters XML 1.0 cannot hold (C0 controls other than
 * tab and line feed) become U+FFFD.  Element names are the caller's
 * constants.  On allocation failure the writer stops and open311_xml_end
 * returns NULL.
 */
typedef struct Open311Xml {
    char *buf; /* owned */
    size_t len, cap;
    bool failed;
} Open311Xml;

void open311_xml_begin(Open311Xml *x);
void open311_xml_open(Open311Xml *x, const char *name);
void open311_xml_close(Open311Xml *x, const char *name);
/* <name>text</name>, or <name/> when text is NULL. */
void open311_xml_leaf(Open311Xml *x, const char *name, const char *text);
/* The document as a new NUL-terminated text to free() (its length in *len),
 * or NULL after a failure; x is empty afterwards either way. */
char *open311_xml_end(Open311Xml *x, size_t *len);

/* The element of each item of a container (the Spark convention's arrays):
 * services → service, service_requests → request, attributes → attribute,
 * values → value, endpoints → endpoint, formats → format, errors → error;
 * "item" for any other. */
const char *open311_xml_item(const char *container);

#endif
