/*
 * codec.c — jansson codecs for the API's request bodies and error body.
 */
#include "json/codec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mask.h"
#include "core/timeutil.h"
#include "core/validate.h"

Err
codec_parse_object(const char *buf, size_t len, bool allow_empty, json_t **out, ErrInfo *ei)
{
    json_error_t je;
    json_t *root = NULL;

    *out = NULL;
    if (len == 0 && allow_empty) {
        *out = json_object();
        return ERR_OK;
    }
    if (!validate_utf8(buf, len))
        return err_set(ei, ERR_INVALID_JSON, NULL, "the body is not valid UTF-8 text");
    root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
    if (root == NULL)
        return err_set(ei, ERR_INVALID_JSON, NULL, "invalid JSON at line %d column %d: %s", je.line,
                       je.column, je.text);
    if (!json_is_object(root)) {
        json_decref(root);
        return err_set(ei, ERR_INVALID_JSON, NULL, "the body must be a JSON object");
    }
    *out = root;
    return ERR_OK;
}

/* An optional string member: absent or null leaves *out NULL. */
static Err
get_string(json_t *obj, const char *key, const char *path, const char **out, ErrInfo *ei)
{
    json_t *v = json_object_get(obj, key);

    *out = NULL;
    if (v == NULL || json_is_null(v))
        return ERR_OK;
    if (!json_is_string(v))
        return err_set(ei, ERR_INVALID, path, "%s must be a string", path);
    *out = json_string_value(v);
    return ERR_OK;
}

static Err
get_bool(json_t *obj, const char *key, const char *path, bool *out, bool *present, ErrInfo *ei)
{
    json_t *v = json_object_get(obj, key);

    if (present)
        *present = false;
    if (v == NULL || json_is_null(v))
        return ERR_OK;
    if (!json_is_boolean(v))
        return err_set(ei, ERR_INVALID, path, "%s must be true or false", path);
    *out = json_is_true(v);
    if (present)
        *present = true;
    return ERR_OK;
}

/* Refuses members of obj not named in allowed (NULL-terminated). */
static Err
check_members(json_t *obj, const char *const *allowed, const char *prefix, ErrInfo *ei)
{
    const char *key;
    json_t *v;

    json_object_foreach(obj, key, v)
    {
        bool ok = false;

        for (const char *const *a = allowed; *a; a++)
            if (strcmp(*a, key) == 0)
                ok = true;
        if (!ok) {
            char path[64];

            /* The field names the member in full ("caller.age"), as the other
             * errors of nested members do ("caller.phone"). */
            snprintf(path, sizeof path, "%s%s", prefix, key);
            return err_set(ei, ERR_INVALID, path, "unknown field %s%s", prefix, key);
        }
    }
    return ERR_OK;
}

static Err
get_enum(json_t *obj, const char *key, int (*parse)(const char *), int *out, ErrInfo *ei)
{
    const char *s;
    Err rc = get_string(obj, key, key, &s, ei);

    if (rc != ERR_OK || s == NULL)
        return rc;
    *out = parse(s);
    if (*out < 0)
        return err_set(ei, ERR_INVALID, key, "unknown %s \"%.40s\"", key, s);
    return ERR_OK;
}

Err
codec_intake_decode(json_t *root, Intake *in, ErrInfo *ei)
{
    static const char *const fields[] = {"channel",     "nature",  "urgency",         "category",
                                         "area",        "address", "location",        "title",
                                         "description", "caller",  "callback_wanted", NULL};
    static const char *const caller_fields[] = {"name", "phone", "anonymous", "confidential", NULL};
    int v;
    json_t *caller, *loc;
    Err rc;

    intake_init(in);
    if ((rc = check_members(root, fields, "", ei)) != ERR_OK)
        return rc;
    if (json_object_get(root, "channel") == NULL)
        return err_set(ei, ERR_MISSING, "channel", "channel is required");
    if (json_object_get(root, "nature") == NULL)
        return err_set(ei, ERR_MISSING, "nature", "nature is required");
    v = -1;
    if ((rc = get_enum(root, "channel", channel_parse, &v, ei)) != ERR_OK)
        return rc;
    if (v < 0)
        return err_set(ei, ERR_MISSING, "channel", "channel is required");
    in->channel = (Channel) v;
    v = -1;
    if ((rc = get_enum(root, "nature", nature_parse, &v, ei)) != ERR_OK)
        return rc;
    if (v < 0)
        return err_set(ei, ERR_MISSING, "nature", "nature is required");
    in->nature = (Nature) v;
    v = URG_NORMAL;
    if ((rc = get_enum(root, "urgency", urgency_parse, &v, ei)) != ERR_OK)
        return rc;
    in->urgency = (Urgency) v;
    if ((rc = get_string(root, "category", "category", &in->category, ei)) != ERR_OK ||
        (rc = get_string(root, "area", "area", &in->area, ei)) != ERR_OK ||
        (rc = get_string(root, "address", "address", &in->address, ei)) != ERR_OK ||
        (rc = get_string(root, "title", "title", &in->title, ei)) != ERR_OK ||
        (rc = get_string(root, "description", "description", &in->description, ei)) != ERR_OK ||
        (rc = get_bool(root, "callback_wanted", "callback_wanted", &in->callback_wanted, NULL,
                       ei)) != ERR_OK)
        return rc;

    loc = json_object_get(root, "location");
    if (loc != NULL && !json_is_null(loc)) {
        static const char *const loc_fields[] = {"lat", "lon", NULL};
        json_t *lat, *lon;

        if (!json_is_object(loc))
            return err_set(ei, ERR_INVALID, "location", "location must be an object");
        if ((rc = check_members(loc, loc_fields, "location.", ei)) != ERR_OK)
            return rc;
        lat = json_object_get(loc, "lat");
        lon = json_object_get(loc, "lon");
        if (!json_is_number(lat) || !json_is_number(lon))
            return err_set(ei, ERR_INVALID, "location", "location needs numeric lat and lon");
        in->has_location = true;
        in->lat = json_number_value(lat);
        in->lon = json_number_value(lon);
    }

    caller = json_object_get(root, "caller");
    if (caller != NULL && !json_is_null(caller)) {
        if (!json_is_object(caller))
            return err_set(ei, ERR_INVALID, "caller", "caller must be an object");
        if ((rc = check_members(caller, caller_fields, "caller.", ei)) != ERR_OK)
            return rc;
        if ((rc = get_string(caller, "name", "caller.name", &in->caller_name, ei)) != ERR_OK ||
            (rc = get_string(caller, "phone", "caller.phone", &in->caller_phone, ei)) != ERR_OK ||
            (rc = get_bool(caller, "anonymous", "caller.anonymous", &in->anonymous, NULL, ei)) !=
                ERR_OK ||
            (rc = get_bool(caller, "confidential", "caller.confidential", &in->confidential, NULL,
                           ei)) != ERR_OK)
            return rc;
    }
    return intake_validate(in, ei);
}

/* What each action's body may carry (api-contract §3 "Action bodies"). */
typedef struct ActionShape {
    const char *text; /* the text member: "note", "reason", "result" or NULL */
    bool unit, units, until, callback, into;
} ActionShape;

static ActionShape
action_shape(Action a)
{
    ActionShape s = {NULL, false, false, false, false, false};

    switch (a) {
    case ACT_DISPATCH:
        s.unit = true;
        break;
    case ACT_APPROVE_RETURN:
        s.unit = true;
        break;
    case ACT_WHISTLE:
        s.units = true;
        break;
    case ACT_NOTE:
    case ACT_ASSIST_REPLY:
        s.text = "note";
        break;
    case ACT_REQUEST_RETURN:
    case ACT_SUSPEND:
    case ACT_REOPEN:
    case ACT_CANCEL:
    case ACT_REJECT:
    case ACT_FLAG_UNREASONABLE:
        s.text = "reason";
        break;
    case ACT_REQUEST_EXTENSION:
        s.text = "reason";
        s.until = true;
        break;
    case ACT_REPLY:
    case ACT_ANSWER:
        s.text = "result";
        break;
    case ACT_CALLBACK:
        s.callback = true;
        break;
    case ACT_MERGE:
        s.into = true;
        break;
    default:
        break;
    }
    return s;
}

#define ACTION_TEXT_MAX 4000

static Err
check_action_text(const char *s, const char *field, ErrInfo *ei)
{
    if (s == NULL)
        return ERR_OK;
    if (validate_utf8_chars(s) > ACTION_TEXT_MAX)
        return err_set(ei, ERR_INVALID, field, "%s is longer than %d characters", field,
                       ACTION_TEXT_MAX);
    return ERR_OK;
}

Err
codec_action_decode(Action a, json_t *root, ActionInput *in, ErrInfo *ei)
{
    ActionShape s = action_shape(a);
    const char *allowed[10];
    size_t n = 0;
    const char *note = NULL;
    json_t *v;
    Err rc;

    action_input_init(in, a);
    allowed[n++] = "expected_version";
    /* Actions that need a reason or a result take that member, not a note. */
    if (s.text == NULL || strcmp(s.text, "note") == 0)
        allowed[n++] = "note";
    else
        allowed[n++] = s.text;
    if (s.unit)
        allowed[n++] = "unit";
    if (s.units)
        allowed[n++] = "units";
    if (s.until)
        allowed[n++] = "until";
    if (s.into)
        allowed[n++] = "into";
    if (s.callback) {
        allowed[n++] = "contacted";
        allowed[n++] = "resolved";
        allowed[n++] = "satisfaction";
        allowed[n++] = "reopen";
    }
    allowed[n] = NULL;
    if ((rc = check_members(root, allowed, "", ei)) != ERR_OK)
        return rc;

    v = json_object_get(root, "expected_version");
    if (v != NULL && !json_is_null(v)) {
        if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > INT32_MAX)
            return err_set(ei, ERR_INVALID, "expected_version",
                           "expected_version must be a positive integer");
        in->expected_version = (int32_t) json_integer_value(v);
    }
    if ((rc = get_string(root, "note", "note", &note, ei)) != ERR_OK ||
        (rc = check_action_text(note, "note", ei)) != ERR_OK)
        return rc;
    in->text = note;
    if (s.text && strcmp(s.text, "note") != 0) {
        const char *t;

        if ((rc = get_string(root, s.text, s.text, &t, ei)) != ERR_OK ||
            (rc = check_action_text(t, s.text, ei)) != ERR_OK)
            return rc;
        /* A note never stands in for a missing reason or result: a result is
         * shown to the resident, and a note is internal. */
        in->text = t;
    }
    if (s.unit) {
        if ((rc = get_string(root, "unit", "unit", &in->unit, ei)) != ERR_OK)
            return rc;
        if (in->unit != NULL && !validate_code(in->unit))
            return err_set(ei, ERR_INVALID, "unit", "invalid unit code");
    }
    if (s.units) {
        json_t *arr = json_object_get(root, "units");
        size_t i;

        if (arr == NULL || json_is_null(arr))
            return err_set(ei, ERR_MISSING, "units", "whistle needs units");
        if (!json_is_array(arr) || json_array_size(arr) == 0 ||
            json_array_size(arr) > TICKET_MAX_ASSISTS)
            return err_set(ei, ERR_INVALID, "units", "units must be a list of 1 to %d unit codes",
                           TICKET_MAX_ASSISTS);
        json_array_foreach(arr, i, v)
        {
            if (!json_is_string(v) || !validate_code(json_string_value(v)))
                return err_set(ei, ERR_INVALID, "units", "invalid unit code in units");
            in->units[in->n_units++] = json_string_value(v);
        }
    }
    if (s.until) {
        const char *u;

        if ((rc = get_string(root, "until", "until", &u, ei)) != ERR_OK)
            return rc;
        if (u != NULL && !time_parse(u, &in->until))
            return err_set(ei, ERR_INVALID, "until", "until must be an RFC 3339 time with offset");
    }
    if (s.into) {
        if ((rc = get_string(root, "into", "into", &in->merge_into_id, ei)) != ERR_OK)
            return rc;
        if (in->merge_into_id == NULL)
            return err_set(ei, ERR_MISSING, "into", "merge needs into (a ticket number)");
        if (!validate_ticket_number(in->merge_into_id))
            return err_set(ei, ERR_INVALID, "into", "into must be a ticket number");
    }
    if (s.callback) {
        bool has_c, has_r, has_reopen;
        json_t *sat = json_object_get(root, "satisfaction");

        if ((rc = get_bool(root, "contacted", "contacted", &in->cb_contacted, &has_c, ei)) !=
                ERR_OK ||
            (rc = get_bool(root, "resolved", "resolved", &in->cb_resolved, &has_r, ei)) != ERR_OK ||
            (rc = get_bool(root, "reopen", "reopen", &in->reopen, &has_reopen, ei)) != ERR_OK)
            return rc;
        if (sat != NULL && !json_is_null(sat)) {
            if (!json_is_integer(sat) || json_integer_value(sat) < 1 || json_integer_value(sat) > 5)
                return err_set(ei, ERR_INVALID, "satisfaction",
                               "satisfaction must be an integer from 1 to 5");
            in->cb_satisfaction = (int) json_integer_value(sat);
        }
        if (has_c || has_r || in->cb_satisfaction != 0) {
            if (!has_c)
                return err_set(ei, ERR_MISSING, "contacted", "callback needs contacted");
            if (!has_r)
                return err_set(ei, ERR_MISSING, "resolved", "callback needs resolved");
            if (in->cb_satisfaction == 0)
                return err_set(ei, ERR_MISSING, "satisfaction", "callback needs satisfaction");
            in->cb_has_answers = true;
        }
    }
    in->variant = workflow_input_variant(in);
    return ERR_OK;
}

static char *
dump_new(json_t *obj)
{
    char *s = NULL;

    if (obj != NULL && json_object_size(obj) > 0)
        s = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    return s;
}

char *
codec_event_data(const ActionInput *in, const char *merge_into_number)
{
    json_t *o = json_object();
    char buf[40];

    if (o == NULL)
        return NULL;
    if (in->unit)
        json_object_set_new(o, "unit", json_string(in->unit));
    if (in->n_units > 0) {
        json_t *a = json_array();

        for (size_t i = 0; i < in->n_units; i++)
            json_array_append_new(a, json_string(in->units[i]));
        json_object_set_new(o, "units", a);
    }
    if (in->until != TS_NONE)
        json_object_set_new(o, "until", json_string(time_format(in->until, buf, sizeof buf)));
    if (in->action == ACT_CALLBACK) {
        if (in->cb_has_answers) {
            json_object_set_new(o, "contacted", json_boolean(in->cb_contacted));
            json_object_set_new(o, "resolved", json_boolean(in->cb_resolved));
            json_object_set_new(o, "satisfaction", json_integer(in->cb_satisfaction));
        }
        json_object_set_new(o, "reopen", json_boolean(in->reopen));
    }
    if (merge_into_number)
        json_object_set_new(o, "into", json_string(merge_into_number));
    return dump_new(o);
}

char *
codec_intake_event_data(const Intake *in, int64_t rule_id)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "channel", channel_name(in->channel), "nature",
                          nature_name(in->nature), "urgency", urgency_name(in->urgency), "category",
                          in->category ? in->category : "");

    if (o != NULL && rule_id > 0)
        json_object_set_new(o, "rule", json_integer(rule_id));
    return dump_new(o);
}

/*
 * Copies s into buf[len] with every byte that does not start a valid UTF-8
 * character replaced by '?': a message or field may quote what the client
 * sent (a query parameter, cut at a byte count), and jansson refuses a
 * string that is not UTF-8, which would drop it from the body.
 */
static const char *
utf8_text(const char *s, char *buf, size_t len)
{
    size_t o = 0, n = strlen(s);

    if (validate_utf8(s, n))
        return s;
    for (size_t i = 0; i < n && o + 4 < len;) {
        unsigned char c = (unsigned char) s[i];
        size_t k = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;

        if (k > 0 && i + k <= n && validate_utf8(s + i, k)) {
            memcpy(buf + o, s + i, k);
            o += k;
            i += k;
        } else {
            buf[o++] = '?';
            i++;
        }
    }
    buf[o] = '\0';
    return buf;
}

char *
codec_error_body(const ErrInfo *ei)
{
    json_t *err = json_object(), *root = json_object();
    char *s, msg[sizeof ei->message], field[sizeof ei->field];

    json_object_set_new(err, "code", json_string(err_code_name(ei->code)));
    json_object_set_new(err, "message",
                        json_string(ei->message[0] ? utf8_text(ei->message, msg, sizeof msg)
                                                   : err_code_name(ei->code)));
    if (ei->field[0])
        json_object_set_new(err, "field", json_string(utf8_text(ei->field, field, sizeof field)));
    json_object_set_new(root, "error", err);
    s = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    return s;
}

void
codec_mask_ticket(json_t *ticket, Role role)
{
    json_t *caller = json_object_get(ticket, "caller");
    CallerView view;
    char buf[64];

    if (!json_is_object(caller))
        return;
    view = mask_caller_view(role, json_is_true(json_object_get(caller, "confidential")),
                            json_is_true(json_object_get(caller, "anonymous")));
    if (view == CALLER_FULL)
        return;
    if (view == CALLER_HIDDEN) {
        json_object_set_new(caller, "name", json_null());
        json_object_set_new(caller, "phone", json_null());
        return;
    }
    if (json_is_string(json_object_get(caller, "name")))
        json_object_set_new(
            caller, "name",
            json_string(
                mask_name(json_string_value(json_object_get(caller, "name")), buf, sizeof buf)));
    if (json_is_string(json_object_get(caller, "phone")))
        json_object_set_new(
            caller, "phone",
            json_string(
                mask_phone(json_string_value(json_object_get(caller, "phone")), buf, sizeof buf)));
}

/* ------------------------------------------------------- ticket text */

/* Index just past the JSON string starting at s[i] == '"', or 0 when unterminated. */
static size_t
text_skip_string(const char *s, size_t len, size_t i)
{
    for (i++; i < len;) {
        const char *q = memchr(s + i, '"', len - i);
        size_t j, b;

        if (q == NULL)
            return 0;
        j = (size_t) (q - s);
        /* The quote ends the string unless an odd run of backslashes escapes it. */
        for (b = j; b > i && s[b - 1] == '\\'; b--)
            ;
        if ((j - b) % 2 == 0)
            return j + 1;
        i = j + 1;
    }
    return 0;
}

static size_t
text_skip_space(const char *s, size_t len, size_t i)
{
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

/* Index just past the JSON value starting at s[i], or 0 when malformed. */
static size_t
text_skip_value(const char *s, size_t len, size_t i)
{
    int depth = 0;

    if (i >= len)
        return 0;
    if (s[i] == '"')
        return text_skip_string(s, len, i);
    if (s[i] != '{' && s[i] != '[') {
        while (i < len && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' &&
               s[i] != '\n' && s[i] != '\t' && s[i] != '\r')
            i++;
        return i;
    }
    for (; i < len; i++) {
        if (s[i] == '"') {
            i = text_skip_string(s, len, i);
            if (i == 0)
                return 0;
            i--;
        } else if (s[i] == '{' || s[i] == '[') {
            depth++;
        } else if (s[i] == '}' || s[i] == ']') {
            if (--depth == 0)
                return i + 1;
        }
    }
    return 0;
}

/*
 * Finds the value of the top-level member key (a plain name, no escapes) of
 * the JSON object text: [*from, *to), both 0 when absent; *open and *close
 * are the indexes of the object's braces.  False when text is not an object
 * this scan can read.  The scan stops at the member (the first, should the
 * key repeat): what follows it is taken to be well formed, as the
 * database's JSON is.
 */
static bool
text_member(const char *s, size_t len, const char *key, size_t *from, size_t *to, size_t *open,
            size_t *close)
{
    size_t i = text_skip_space(s, len, 0), klen = strlen(key);

    *from = *to = 0;
    if (i >= len || s[i] != '{')
        return false;
    *open = i;
    i = text_skip_space(s, len, i + 1);
    if (i < len && s[i] == '}') {
        *close = i;
        return text_skip_space(s, len, i + 1) == len;
    }
    for (;;) {
        size_t k = i, kend, v, end;

        if (i >= len || s[i] != '"' || (kend = text_skip_string(s, len, i)) == 0)
            return false;
        if (memchr(s + k, '\\', kend - k) != NULL)
            return false; /* an escaped key could spell the member: take the slow path */
        i = text_skip_space(s, len, kend);
        if (i >= len || s[i] != ':')
            return false;
        v = text_skip_space(s, len, i + 1);
        if ((end = text_skip_value(s, len, v)) == 0 || end == v)
            return false;
        if (kend - k == klen + 2 && memcmp(s + k + 1, key, klen) == 0) {
            size_t j = len;

            /* Found: the object's closing brace is its last non-space byte
             * (the rest, most of a ticket, need not be scanned). */
            while (j > end &&
                   (s[j - 1] == ' ' || s[j - 1] == '\t' || s[j - 1] == '\n' || s[j - 1] == '\r'))
                j--;
            if (j <= end || s[j - 1] != '}')
                return false;
            *from = v;
            *to = end;
            *close = j - 1;
            return true;
        }
        i = text_skip_space(s, len, end);
        if (i < len && s[i] == ',') {
            i = text_skip_space(s, len, i + 1);
            continue;
        }
        if (i < len && s[i] == '}' && text_skip_space(s, len, i + 1) == len) {
            *close = i;
            return true;
        }
        return false;
    }
}

char *
codec_ticket_text(const char *text, size_t len, Role role, const char *query_code, size_t *out_len)
{
    size_t from, to, open, close, clen = 0, qlen = 0, n;
    char *caller_text = NULL, *out = NULL, q[64] = "";
    json_t *ticket = NULL, *caller = NULL;

    if (!text_member(text, len, "caller", &from, &to, &open, &close))
        goto done;
    if (to > from && text[from] == '{') {
        /* Only the caller object is parsed, masked and encoded again. */
        caller = json_loadb(text + from, to - from, 0, NULL);
        ticket = json_object();
        if (caller == NULL || ticket == NULL || json_object_set(ticket, "caller", caller) != 0)
            goto done;
        codec_mask_ticket(ticket, role);
        caller_text = json_dumps(json_object_get(ticket, "caller"), JSON_COMPACT);
        if (caller_text == NULL)
            goto done;
        clen = strlen(caller_text);
    } else {
        from = to = close; /* no caller object: nothing to mask */
    }
    if (query_code != NULL) {
        int w = snprintf(q, sizeof q, "%s\"query_code\":\"%s\"",
                         text_skip_space(text, len, open + 1) == close ? "" : ",", query_code);

        if (w < 0 || (size_t) w >= sizeof q)
            goto done;
        qlen = (size_t) w;
    }
    /* text[0, from) + caller + text[to, close) + q + text[close, len) */
    n = from + clen + (close - to) + qlen + (len - close);
    out = malloc(n + 1);
    if (out == NULL)
        goto done;
    memcpy(out, text, from);
    if (clen > 0)
        memcpy(out + from, caller_text, clen);
    memcpy(out + from + clen, text + to, close - to);
    memcpy(out + from + clen + (close - to), q, qlen);
    memcpy(out + n - (len - close), text + close, len - close);
    out[n] = '\0';
    *out_len = n;
done:
    free(caller_text);
    json_decref(caller);
    json_decref(ticket);
    return out;
}

bool
codec_text_string(const char *text, size_t len, const char *key, char *buf, size_t size)
{
    size_t from, to, open, close, n;

    if (!text_member(text, len, key, &from, &to, &open, &close) || to - from < 2 ||
        text[from] != '"')
        return false;
    n = to - from - 2;
    if (n + 1 > size || memchr(text + from + 1, '\\', n) != NULL)
        return false;
    memcpy(buf, text + from + 1, n);
    buf[n] = '\0';
    return true;
}

char *
codec_text_add_string(const char *text, size_t len, const char *key, const char *value,
                      size_t *out_len)
{
    size_t from, to, open, close, vlen, klen = strlen(key), n, at;
    json_t *v = json_string(value);
    char *vtext = v ? json_dumps(v, JSON_ENCODE_ANY) : NULL, *out = NULL;
    bool empty;

    if (vtext == NULL || !text_member(text, len, key, &from, &to, &open, &close))
        goto done;
    empty = text_skip_space(text, len, open + 1) == close;
    vlen = strlen(vtext);
    n = close + (empty ? 0 : 1) + klen + 3 + vlen + (len - close);
    out = malloc(n + 1);
    if (out == NULL)
        goto done;
    memcpy(out, text, close);
    at = close;
    if (!empty)
        out[at++] = ',';
    out[at++] = '"';
    memcpy(out + at, key, klen);
    at += klen;
    out[at++] = '"';
    out[at++] = ':';
    memcpy(out + at, vtext, vlen);
    at += vlen;
    memcpy(out + at, text + close, len - close);
    out[n] = '\0';
    *out_len = n;
done:
    free(vtext);
    json_decref(v);
    return out;
}
