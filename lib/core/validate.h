/*
 * validate.h — the validation rules of input fields, shared by every parser
 * (JSON API, CSV import, Open311 forms).  Pure C.
 */
#ifndef MINHU_CORE_VALIDATE_H
#define MINHU_CORE_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..len) is well-formed UTF-8 without NUL bytes. */
bool validate_utf8(const char *s, size_t len);

/* Number of code points in a valid UTF-8 string. */
size_t validate_utf8_chars(const char *s);

/* A unit or category code: 1–32 of [A-Za-z0-9_.-]. */
bool validate_code(const char *s);

/* A phone number: optional +, then 5–20 digits, single '-' or ' ' separators. */
bool validate_phone(const char *s);

/* A canonical lower- or upper-case UUID text (8-4-4-4-12 hex). */
bool validate_uuid(const char *s);

/* A ticket number: 8–20 digits. */
bool validate_ticket_number(const char *s);

/* A query code: exactly 6 digits. */
bool validate_query_code(const char *s);

#endif
