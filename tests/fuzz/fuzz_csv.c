/*
 * fuzz_csv.c — `minhu-admin import` files: csv_next over the whole input
 * with the header looked up as the importer does (csv_find, csv_field).
 */
#include "fuzz.h"

#include "core/csv.h"
#include "core/validate.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char work[64 * 1024];
    static const char *const names[] = {"code", "name", "kind", "parent", "limit"};
    CsvReader r;
    ErrInfo ei;
    CsvStep st;
    size_t records = 0, last_line = 0;

    err_clear(&ei);
    csv_init(&r, (const char *) data, size, work, sizeof work);
    while ((st = csv_next(&r, &ei)) == CSV_RECORD) {
        FUZZ_CHECK(r.nfields >= 1 && r.nfields <= CSV_MAX_FIELDS);
        FUZZ_CHECK(r.record_line > last_line);
        last_line = r.record_line;
        for (size_t i = 0; i < r.nfields; i++) {
            FUZZ_CHECK(strlen(r.fields[i].text) == r.fields[i].len);
            FUZZ_CHECK(validate_utf8(r.fields[i].text, r.fields[i].len));
        }
        FUZZ_CHECK(csv_field(&r, r.nfields) == NULL);
        if (records++ == 0)
            for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
                (void) csv_find(&r, names[i]);
        FUZZ_CHECK(records <= size + 1); /* each record consumes input */
    }
    if (st == CSV_ERROR)
        FUZZ_CHECK(ei.code == ERR_INVALID && r.error_line >= 1);
    return 0;
}
