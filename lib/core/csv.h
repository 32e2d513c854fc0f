/*
 * csv.h — an RFC 4180 CSV reader over a buffer in memory.
 *
 * The caller hands over the whole text and a work buffer, then pulls one
 * record at a time with csv_next.  Accepted: an optional UTF-8 byte order
 * mark at the very start, LF or CRLF line ends, fields in double quotes
 * (which may hold commas, doubled quotes and line breaks), a last line with
 * or without its line end.  Lines that are completely empty are skipped.
 * Every field must be valid UTF-8 without NUL bytes.  Refused, with the
 * physical line where the fault is: an unterminated quoted field, text after
 * a closing quote, a quote inside an unquoted field, a carriage return that
 * does not end a line, invalid UTF-8, and records past the limits below.
 *
 * What this module must not do: open files or do any other I/O, allocate, or
 * know what the columns mean (header names are looked up by the caller).
 */
#ifndef MINHU_CORE_CSV_H
#define MINHU_CORE_CSV_H

#include <stddef.h>

#include "core/err.h"

/* Most fields a record may have; CsvReader.max_fields may lower it. */
#define CSV_MAX_FIELDS 64

/* Default longest field, in bytes after unquoting. */
#define CSV_MAX_FIELD 4096

/* csv_find's answer for a name that heads more than one column. */
#define CSV_DUPLICATE (-2)

/* One field of the current record: NUL-terminated text of len bytes. */
typedef struct CsvField {
    const char *text; /* borrowed from the reader's work buffer */
    size_t len;
} CsvField;

typedef enum CsvStep {
    CSV_RECORD, /* a record is in nfields/fields */
    CSV_END,    /* no more records */
    CSV_ERROR,  /* ei and error_line say what is wrong; call csv_next no more */
} CsvStep;

typedef struct CsvReader {
    /* The input; borrowed, must outlive the reader. */
    const char *buf;
    size_t len;
    size_t pos;  /* next byte to read */
    size_t line; /* physical line of buf[pos], from 1 */

    /* Where decoded fields are stored; borrowed from the caller.  A record
     * whose fields (each plus its NUL) do not fit is refused. */
    char *work;
    size_t work_size;

    /* Limits, set by csv_init to the defaults; a caller may lower them
     * before the first csv_next. */
    size_t max_fields; /* at most CSV_MAX_FIELDS */
    size_t max_field;  /* bytes */

    /* The current record, valid until the next csv_next. */
    size_t record_line; /* physical line where the record starts */
    size_t nfields;
    CsvField fields[CSV_MAX_FIELDS];

    /* After CSV_ERROR: the physical line at fault. */
    size_t error_line;
} CsvReader;

/*
 * Prepares r to read buf[0..len), skipping a UTF-8 byte order mark, with
 * work[0..work_size) as the place where fields are decoded.  buf and work are
 * borrowed; neither is freed.  A record needs, in work, the bytes of its
 * fields plus one per field.
 */
void csv_init(CsvReader *r, const char *buf, size_t len, char *work, size_t work_size);

/*
 * Reads the next record.  Returns CSV_RECORD with r->nfields fields (at
 * least one) in r->fields and r->record_line set; CSV_END when the input is
 * exhausted; CSV_ERROR with ei set (ERR_INVALID, a message in PostgreSQL's
 * style without the line) and r->error_line the physical line of the fault.
 * The previous record's fields are overwritten.
 */
CsvStep csv_next(CsvReader *r, ErrInfo *ei);

/* The text of field i of the current record (borrowed), or NULL when the
 * record has no field i. */
const char *csv_field(const CsvReader *r, size_t i);

/*
 * Where name heads a column in the current record (read the header first):
 * its index, -1 when no field equals name exactly, CSV_DUPLICATE when more
 * than one does.
 */
int csv_find(const CsvReader *r, const char *name);

#endif
