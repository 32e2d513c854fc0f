/*
 * test_csv.c — the CSV reader: quoting, line ends, line numbers, UTF-8, limits
 * and header lookup, on inline text and on the files in data/csv_*.csv.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/csv.h"

static char work[8192];

/* Reads MINHU_TEST_DATA/name into a new malloc'd buffer; NULL on failure. */
static char *
read_data(const char *name, size_t *len)
{
    char path[512];
    FILE *f = NULL;
    char *buf = NULL;
    long size;

    snprintf(path, sizeof path, "%s/%s", MINHU_TEST_DATA, name);
    f = fopen(path, "rb");
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0)
        goto done;
    buf = malloc((size_t) size + 1);
    if (buf == NULL)
        goto done;
    if (fread(buf, 1, (size_t) size, f) != (size_t) size) {
        free(buf);
        buf = NULL;
        goto done;
    }
    *len = (size_t) size;
done:
    if (f != NULL)
        fclose(f);
    if (buf == NULL)
        fprintf(stderr, "could not read \"%s\"\n", path);
    return buf;
}

static void
start(CsvReader *r, const char *text)
{
    csv_init(r, text, strlen(text), work, sizeof work);
}

static void
test_simple(void)
{
    CsvReader r;
    ErrInfo ei;

    start(&r, "a,b,c\n1,2,3\n");
    CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
    CHECK_INT(r.nfields, 3);
    CHECK_INT(r.record_line, 1);
    CHECK_STR(csv_field(&r, 0), "a");
    CHECK_STR(csv_field(&r, 2), "c");
    CHECK(csv_field(&r, 3) == NULL);
    CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
    CHECK_INT(r.record_line, 2);
    CHECK_STR(csv_field(&r, 1), "2");
    CHECK_INT(r.fields[1].len, 1);
    CHECK_INT(csv_next(&r, &ei), CSV_END);
    CHECK_INT(csv_next(&r, &ei), CSV_END);
}

static void
test_no_trailing_newline(void)
{
    CsvReader r;
    ErrInfo ei;

    start(&r, "a,b\n1,2");
    CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
    CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
    CHECK_STR(csv_field(&r, 1), "2");
    CHECK_INT(csv_next(&r, &ei), CSV_END);

    start(&r, "");
    CHECK_INT(csv_next(&r, &ei), CSV_END);
    start(&r, "\n\r\n\n");
    CHECK_INT(csv_next(&r, &ei), CSV_END);
}

static void
test_empty_fields(void)
{
    CsvReader r;
    ErrInfo ei;

    start(&r, ",x,,\n\"\",\n");
    CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
    CHECK_INT(r.nfields, 4);
    CHECK_STR(csv_field(&r, 0), "");
    CHECK_STR(csv_field(&r, 1), "x");
    CHECK_STR(csv_field(&r, 2), "");
    CHECK_STR(csv_field(&r, 3), "");
    CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
    CHECK_INT(r.nfields, 2);
    CHECK_STR(csv_field(&r, 0), "");
    CHECK_STR(csv_field(&r, 1), "");
    CHECK_INT(csv_next(&r, &ei), CSV_END);
}

static void
test_blank_lines_skipped(void)
{
    CsvReader r;
    ErrInfo ei;

    start(&r, "h\n\n\r\nv\n\n");
    CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
    CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
    CHECK_STR(csv_field(&r, 0), "v");
    CHECK_INT(r.record_line, 4);
    CHECK_INT(csv_next(&r, &ei), CSV_END);
}

static void
test_quotes(void)
{
    CsvReader r;
    ErrInfo ei;

    start(&r, "\"a,b\",\"say \"\"hi\"\"\",\"\"\"\"\r\n");
    CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
    CHECK_INT(r.nfields, 3);
    CHECK_STR(csv_field(&r, 0), "a,b");
    CHECK_STR(csv_field(&r, 1), "say \"hi\"");
    CHECK_STR(csv_field(&r, 2), "\"");
    CHECK_INT(csv_next(&r, &ei), CSV_END);
}

static void
test_crlf(void)
{
    CsvReader r;
    ErrInfo ei;

    start(&r, "a,b\r\n1,2\r\n3,\r\n");
    CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
    CHECK_STR(csv_field(&r, 1), "b");
    CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
    CHECK_STR(csv_field(&r, 1), "2");
    CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
    CHECK_INT(r.record_line, 3);
    CHECK_INT(r.nfields, 2);
    CHECK_STR(csv_field(&r, 1), "");
    CHECK_INT(csv_next(&r, &ei), CSV_END);
}

static void
test_embedded_newlines(void)
{
    CsvReader r;
    ErrInfo ei;

    start(&r, "h1,h2\n\"one\ntwo\nthree\",x\nnext,y\n\"a\r\nb\",z");
    CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
    CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
    CHECK_INT(r.record_line, 2);
    CHECK_STR(csv_field(&r, 0), "one\ntwo\nthree");
    CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
    CHECK_INT(r.record_line, 5);
    CHECK_STR(csv_field(&r, 0), "next");
    CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
    CHECK_INT(r.record_line, 6);
    CHECK_STR(csv_field(&r, 0), "a\r\nb");
    CHECK_INT(csv_next(&r, &ei), CSV_END);
    CHECK_INT(r.line, 7);
}

static void
test_bom(void)
{
    CsvReader r;
    ErrInfo ei;

    start(&r, "\xEF\xBB\xBF"
              "code,name\n");
    CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
    CHECK_STR(csv_field(&r, 0), "code");
    CHECK_INT(csv_find(&r, "code"), 0);

    /* a BOM anywhere else is an ordinary character (U+FEFF) */
    start(&r, "x\n\xEF\xBB\xBFy\n");
    CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
    CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
    CHECK_STR(csv_field(&r, 0), "\xEF\xBB\xBFy");
}

static void
test_unterminated_quote(void)
{
    CsvReader r;
    ErrInfo ei;

    start(&r, "a,b\n1,2\n3,\"open\nstill open\nand more");
    CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
    CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
    CHECK_INT(csv_next(&r, &ei), CSV_ERROR);
    CHECK_INT(r.error_line, 3);
    CHECK_INT(ei.code, ERR_INVALID);
    CHECK_STR(ei.message, "unterminated quoted field 2");
}

static void
test_bad_quoting(void)
{
    CsvReader r;
    ErrInfo ei;

    start(&r, "a,b\n\"x\"y,2\n");
    CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
    CHECK_INT(csv_next(&r, &ei), CSV_ERROR);
    CHECK_INT(r.error_line, 2);
    CHECK_STR(ei.message, "unexpected text after the closing quote of field 1");

    start(&r, "a,b\nok,5\"\n");
    CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
    CHECK_INT(csv_next(&r, &ei), CSV_ERROR);
    CHECK_INT(r.error_line, 2);
    CHECK_STR(ei.message, "quote inside unquoted field 2 (quote the whole field)");

    start(&r, "a\rb\n");
    CHECK_INT(csv_next(&r, &ei), CSV_ERROR);
    CHECK_INT(r.error_line, 1);
    CHECK_STR(ei.message, "carriage return inside unquoted field 1");
}

static void
test_invalid_utf8(void)
{
    CsvReader r;
    ErrInfo ei;

    start(&r, "a,b\n\xe4\xb8\xad,\xe4\xb8\n");
    CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
    CHECK_INT(csv_next(&r, &ei), CSV_ERROR);
    CHECK_INT(r.error_line, 2);
    CHECK_STR(ei.message, "field 2: invalid byte sequence for encoding \"UTF8\": 0xe4 0xb8");

    /* overlong, surrogate, past U+10FFFF, lone continuation byte */
    start(&r, "\xc0\xaf");
    CHECK_INT(csv_next(&r, &ei), CSV_ERROR);
    start(&r, "\xed\xa0\x80");
    CHECK_INT(csv_next(&r, &ei), CSV_ERROR);
    start(&r, "\xf4\x90\x80\x80");
    CHECK_INT(csv_next(&r, &ei), CSV_ERROR);
    start(&r, "x\x80");
    CHECK_INT(csv_next(&r, &ei), CSV_ERROR);
    CHECK_STR(ei.message, "field 1: invalid byte sequence for encoding \"UTF8\": 0x80");

    /* the largest code point and a 4-byte emoji are fine */
    start(&r, "\xf4\x8f\xbf\xbf,\xf0\x9f\x98\x80");
    CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
    CHECK_INT(r.nfields, 2);
}

static void
test_nul_byte(void)
{
    static const char text[] = "a,b\nx,y\0z\n";
    CsvReader r;
    ErrInfo ei;

    csv_init(&r, text, sizeof text - 1, work, sizeof work);
    CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
    CHECK_INT(csv_next(&r, &ei), CSV_ERROR);
    CHECK_INT(r.error_line, 2);
    CHECK_STR(ei.message, "field 2: invalid byte sequence for encoding \"UTF8\": 0x00");
}

static void
test_limits(void)
{
    CsvReader r;
    ErrInfo ei;
    char small[8];

    start(&r, "a,b,c\n1,2,3,4\n");
    r.max_fields = 3;
    CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
    CHECK_INT(csv_next(&r, &ei), CSV_ERROR);
    CHECK_INT(r.error_line, 2);
    CHECK_STR(ei.message, "too many fields (at most 3)");

    start(&r, "abcd,\"abcde\"\n");
    r.max_field = 4;
    CHECK_INT(csv_next(&r, &ei), CSV_ERROR);
    CHECK_STR(ei.message, "field 2 is too long (at most 4 bytes)");

    /* the work buffer bounds a record: "abc\0def\0" fits in 8, one more
     * byte does not */
    csv_init(&r, "abc,def\nabc,defg\n", 17, small, sizeof small);
    CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
    CHECK_STR(csv_field(&r, 1), "def");
    CHECK_INT(csv_next(&r, &ei), CSV_ERROR);
    CHECK_INT(r.error_line, 2);
    CHECK_STR(ei.message, "record is too long (at most 8 bytes)");

    /* an empty field that no longer fits */
    csv_init(&r, "abc,def,\n", 9, small, sizeof small);
    CHECK_INT(csv_next(&r, &ei), CSV_ERROR);

    /* CSV_MAX_FIELDS is a hard bound whatever max_fields says */
    {
        char text[2 * (CSV_MAX_FIELDS + 1) + 1];
        for (int i = 0; i < CSV_MAX_FIELDS + 1; i++) {
            text[2 * i] = 'x';
            text[2 * i + 1] = ',';
        }
        text[2 * CSV_MAX_FIELDS + 1] = '\n';
        text[2 * CSV_MAX_FIELDS + 2] = '\0';
        start(&r, text);
        r.max_fields = 1000;
        CHECK_INT(csv_next(&r, &ei), CSV_ERROR);
        text[2 * CSV_MAX_FIELDS - 1] = '\n';
        text[2 * CSV_MAX_FIELDS] = '\0';
        start(&r, text);
        CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
        CHECK_INT(r.nfields, CSV_MAX_FIELDS);
    }
}

static void
test_find(void)
{
    CsvReader r;
    ErrInfo ei;

    start(&r, "code,name,kind,parent,name2,x,x\n");
    CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
    CHECK_INT(csv_find(&r, "code"), 0);
    CHECK_INT(csv_find(&r, "parent"), 3);
    CHECK_INT(csv_find(&r, "nam"), -1);
    CHECK_INT(csv_find(&r, "Name"), -1);
    CHECK_INT(csv_find(&r, "x"), CSV_DUPLICATE);
    CHECK_INT(csv_find(&r, "population"), -1);
}

static void
test_file_units(void)
{
    CsvReader r;
    ErrInfo ei;
    size_t len = 0;
    char *buf = read_data("csv_units_bom_crlf.csv", &len);

    CHECK(buf != NULL);
    if (buf == NULL)
        return;
    csv_init(&r, buf, len, work, sizeof work);
    CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
    CHECK_INT(csv_find(&r, "code"), 0);
    CHECK_INT(csv_find(&r, "parent"), 3);
    CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
    CHECK_INT(r.record_line, 2);
    CHECK_STR(csv_field(&r, 1), "西安市, 12345 中心");
    CHECK_STR(csv_field(&r, 3), "");
    CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
    CHECK_INT(r.record_line, 3);
    CHECK_STR(csv_field(&r, 1), "莲湖区 \"老城\"");
    CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
    CHECK_INT(r.record_line, 4);
    CHECK_STR(csv_field(&r, 1), "红庙坡\r\n街道");
    CHECK_STR(csv_field(&r, 3), "610104");
    CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
    CHECK_INT(r.record_line, 7);
    CHECK_STR(csv_field(&r, 1), "白家口社区");
    CHECK_STR(csv_field(&r, 3), "610104002");
    CHECK_INT(csv_next(&r, &ei), CSV_END);
    free(buf);
}

static void
test_file_bad_utf8(void)
{
    CsvReader r;
    ErrInfo ei;
    size_t len = 0;
    char *buf = read_data("csv_bad_utf8.csv", &len);

    CHECK(buf != NULL);
    if (buf == NULL)
        return;
    csv_init(&r, buf, len, work, sizeof work);
    CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
    CHECK_INT(csv_next(&r, &ei), CSV_RECORD);
    CHECK_STR(csv_field(&r, 1), "中文");
    /* the bad byte is on the second line of a field that starts on line 3 */
    CHECK_INT(csv_next(&r, &ei), CSV_ERROR);
    CHECK_INT(r.error_line, 4);
    CHECK_STR(ei.message, "field 2: invalid byte sequence for encoding \"UTF8\": 0xc3 0x28");
    free(buf);
}

static void
test_file_unterminated(void)
{
    CsvReader r;
    ErrInfo ei;
    size_t len = 0;
    char *buf = read_data("csv_unterminated.csv", &len);
    CsvStep step;

    CHECK(buf != NULL);
    if (buf == NULL)
        return;
    csv_init(&r, buf, len, work, sizeof work);
    while ((step = csv_next(&r, &ei)) == CSV_RECORD)
        ;
    CHECK_INT(step, CSV_ERROR);
    CHECK_INT(r.error_line, 3);
    CHECK_STR(ei.message, "unterminated quoted field 3");
    free(buf);
}

int
main(void)
{
    RUN(test_simple);
    RUN(test_no_trailing_newline);
    RUN(test_empty_fields);
    RUN(test_blank_lines_skipped);
    RUN(test_quotes);
    RUN(test_crlf);
    RUN(test_embedded_newlines);
    RUN(test_bom);
    RUN(test_unterminated_quote);
    RUN(test_bad_quoting);
    RUN(test_invalid_utf8);
    RUN(test_nul_byte);
    RUN(test_limits);
    RUN(test_find);
    RUN(test_file_units);
    RUN(test_file_bad_utf8);
    RUN(test_file_unterminated);
    return CHECK_DONE();
}
