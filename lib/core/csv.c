/*
 * csv.c — the RFC 4180 reader: one pass over the input per record, fields
 * unquoted into the caller's work buffer, UTF-8 checked field by field.
 *
 * Line numbers count LF bytes, so a line break inside a quoted field moves
 * the line of everything after it, as an editor would show it.
 */
#include "core/csv.h"

#include <string.h>

void
csv_init(CsvReader *r, const char *buf, size_t len, char *work, size_t work_size)
{
    memset(r, 0, sizeof *r);
    r->buf = buf;
    r->len = len;
    r->line = 1;
    r->work = work;
    r->work_size = work_size;
    r->max_fields = CSV_MAX_FIELDS;
    r->max_field = CSV_MAX_FIELD;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        r->pos = 3;
}

/*
 * The offset of the first byte of s[0..len) that does not belong to a
 * well-formed UTF-8 sequence (NUL counts as ill-formed), or len.  *bad_len is
 * how many bytes from there make up the faulty sequence, for the message.
 */
static size_t
csv_utf8_check(const unsigned char *s, size_t len, size_t *bad_len)
{
    size_t i = 0;

    while (i < len) {
        unsigned char c = s[i];
        size_t n;
        unsigned lo = 0x80, hi = 0xBF; /* range of the second byte */

        if (c >= 0x01 && c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            n = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 3;
            if (c == 0xE0)
                lo = 0xA0; /* overlong */
            else if (c == 0xED)
                hi = 0x9F; /* surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 4;
            if (c == 0xF0)
                lo = 0x90; /* overlong */
            else if (c == 0xF4)
                hi = 0x8F; /* past U+10FFFF */
        } else {
            *bad_len = 1;
            return i;
        }
        for (size_t k = 1; k < n; k++) {
            unsigned b = i + k < len ? s[i + k] : 0;
            unsigned min = k == 1 ? lo : 0x80, max = k == 1 ? hi : 0xBF;

            if (b < min || b > max) {
                *bad_len = i + k < len ? k + 1 : k;
                return i;
            }
        }
        i += n;
    }
    *bad_len = 0;
    return len;
}

/* Sets the error for an ill-formed sequence in field f (0-based), the way
 * PostgreSQL names it, and the line of the faulty byte. */
static void
csv_utf8_error(CsvReader *r, size_t f, size_t field_line, size_t bad, size_t bad_len, ErrInfo *ei)
{
    const unsigned char *s = (const unsigned char *) r->fields[f].text;
    char hex[4 * 5 + 1];
    size_t used = 0;
    size_t line = field_line;

    for (size_t i = 0; i < bad; i++)
        if (s[i] == '\n')
            line++;
    for (size_t i = 0; i < bad_len && i < 4; i++) {
        static const char digits[] = "0123456789abcdef";

        if (i > 0)
            hex[used++] = ' ';
        hex[used++] = '0';
        hex[used++] = 'x';
        hex[used++] = digits[s[bad + i] >> 4];
        hex[used++] = digits[s[bad + i] & 0x0F];
    }
    hex[used] = '\0';
    r->error_line = line;
    err_set(ei, ERR_INVALID, "", "field %zu: invalid byte sequence for encoding \"UTF8\": %s",
            f + 1, hex);
}

/*
 * Appends byte c to the field being decoded (which started at work offset
 * start), within the limits.  Returns 0, or -1 with the error set.
 */
static int
csv_put(CsvReader *r, size_t *w, size_t start, char c, ErrInfo *ei)
{
    if (*w - start >= r->max_field) {
        r->error_line = r->line;
        err_set(ei, ERR_INVALID, "", "field %zu is too long (at most %zu bytes)", r->nfields + 1,
                r->max_field);
        return -1;
    }
    /* keep one byte for this field's NUL */
    if (*w + 1 >= r->work_size) {
        r->error_line = r->line;
        err_set(ei, ERR_INVALID, "", "record is too long (at most %zu bytes)", r->work_size);
        return -1;
    }
    r->work[(*w)++] = c;
    return 0;
}

/* True when the input at pos ends a line: LF, or CR LF. */
static int
csv_at_eol(const CsvReader *r)
{
    if (r->pos >= r->len)
        return 0;
    if (r->buf[r->pos] == '\n')
        return 1;
    return r->buf[r->pos] == '\r' && r->pos + 1 < r->len && r->buf[r->pos + 1] == '\n';
}

/* Moves past the line end at pos (csv_at_eol was true). */
static void
csv_skip_eol(CsvReader *r)
{
    r->pos += r->buf[r->pos] == '\r' ? 2 : 1;
    r->line++;
}

/*
 * Decodes a quoted field; pos is on its opening quote.  Leaves pos past the
 * closing quote.  Returns 0 or -1 with the error set.
 */
static int
csv_quoted(CsvReader *r, size_t *w, size_t start, ErrInfo *ei)
{
    size_t open_line = r->line;

    r->pos++;
    for (;;) {
        char c;

        if (r->pos >= r->len) {
            r->error_line = open_line;
            err_set(ei, ERR_INVALID, "", "unterminated quoted field %zu", r->nfields + 1);
            return -1;
        }
        c = r->buf[r->pos];
        if (c == '"') {
            if (r->pos + 1 < r->len && r->buf[r->pos + 1] == '"') {
                r->pos += 2;
                if (csv_put(r, w, start, '"', ei) < 0)
                    return -1;
                continue;
            }
            r->pos++;
            break;
        }
        if (csv_put(r, w, start, c, ei) < 0)
            return -1;
        if (c == '\n')
            r->line++;
        r->pos++;
    }
    if (r->pos < r->len && r->buf[r->pos] != ',' && !csv_at_eol(r)) {
        r->error_line = r->line;
        err_set(ei, ERR_INVALID, "", "unexpected text after the closing quote of field %zu",
                r->nfields + 1);
        return -1;
    }
    return 0;
}

/*
 * Decodes an unquoted field up to the next comma, line end or end of input.
 * Returns 0 or -1 with the error set.
 */
static int
csv_unquoted(CsvReader *r, size_t *w, size_t start, ErrInfo *ei)
{
    while (r->pos < r->len && r->buf[r->pos] != ',' && !csv_at_eol(r)) {
        char c = r->buf[r->pos];

        if (c == '"') {
            r->error_line = r->line;
            err_set(ei, ERR_INVALID, "", "quote inside unquoted field %zu (quote the whole field)",
                    r->nfields + 1);
            return -1;
        }
        if (c == '\r') {
            r->error_line = r->line;
            err_set(ei, ERR_INVALID, "", "carriage return inside unquoted field %zu",
                    r->nfields + 1);
            return -1;
        }
        if (csv_put(r, w, start, c, ei) < 0)
            return -1;
        r->pos++;
    }
    return 0;
}

CsvStep
csv_next(CsvReader *r, ErrInfo *ei)
{
    CsvStep rc = CSV_ERROR;
    size_t w = 0;

    r->nfields = 0;
    while (csv_at_eol(r))
        csv_skip_eol(r);
    if (r->pos >= r->len) {
        rc = CSV_END;
        goto done;
    }
    r->record_line = r->line;
    for (;;) {
        size_t start = w;
        size_t field_line = r->line;
        size_t bad, bad_len;

        if (r->nfields >= r->max_fields || r->nfields >= CSV_MAX_FIELDS) {
            r->error_line = r->line;
            err_set(ei, ERR_INVALID, "", "too many fields (at most %zu)",
                    r->max_fields < CSV_MAX_FIELDS ? r->max_fields : (size_t) CSV_MAX_FIELDS);
            goto done;
        }
        if (r->pos < r->len && r->buf[r->pos] == '"') {
            if (csv_quoted(r, &w, start, ei) < 0)
                goto done;
        } else if (csv_unquoted(r, &w, start, ei) < 0) {
            goto done;
        }
        if (w >= r->work_size) {
            /* an empty field right after a record that filled the buffer */
            r->error_line = r->line;
            err_set(ei, ERR_INVALID, "", "record is too long (at most %zu bytes)", r->work_size);
            goto done;
        }
        r->work[w] = '\0';
        r->fields[r->nfields].text = r->work + start;
        r->fields[r->nfields].len = w - start;
        w++;
        bad = csv_utf8_check((const unsigned char *) r->work + start, w - 1 - start, &bad_len);
        if (bad < w - 1 - start) {
            csv_utf8_error(r, r->nfields, field_line, bad, bad_len, ei);
            goto done;
        }
        r->nfields++;
        if (r->pos >= r->len)
            break;
        if (csv_at_eol(r)) {
            csv_skip_eol(r);
            break;
        }
        r->pos++; /* the comma */
    }
    rc = CSV_RECORD;
done:
    if (rc == CSV_ERROR)
        r->nfields = 0;
    return rc;
}

const char *
csv_field(const CsvReader *r, size_t i)
{
    if (i >= r->nfields)
        return NULL;
    return r->fields[i].text;
}

int
csv_find(const CsvReader *r, const char *name)
{
    int found = -1;

    for (size_t i = 0; i < r->nfields; i++) {
        if (strcmp(r->fields[i].text, name) != 0)
            continue;
        if (found >= 0)
            return CSV_DUPLICATE;
        found = (int) i;
    }
    return found;
}
