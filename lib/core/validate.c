/*
 * validate.c — field validation rules.
 */
#include "core/validate.h"

#include <string.h>

bool
validate_utf8(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *) s;
    size_t i = 0;

    while (i < len) {
        unsigned char c = p[i];
        size_t n;
        unsigned cp;

        if (c == 0)
            return false;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (len - i <= n)
            return false;
        for (size_t k = 1; k <= n; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += n + 1;
    }
    return true;
}

size_t
validate_utf8_chars(const char *s)
{
    size_t n = 0;

    for (const unsigned char *p = (const unsigned char *) s; *p; p++)
        if ((*p & 0xC0) != 0x80)
            n++;
    return n;
}

bool
validate_code(const char *s)
{
    size_t n = 0;

    if (s == NULL)
        return false;
    for (; s[n]; n++) {
        char c = s[n];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return false;
    }
    return n >= 1 && n <= 32;
}

bool
validate_phone(const char *s)
{
    size_t digits = 0;
    bool prev_sep = true;

    if (s == NULL)
        return false;
    if (*s == '+')
        s++;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9') {
            digits++;
            prev_sep = false;
        } else if ((*s == '-' || *s == ' ') && !prev_sep) {
            prev_sep = true;
        } else {
            return false;
        }
    }
    return digits >= 5 && digits <= 20 && !prev_sep;
}

static bool
is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool
validate_uuid(const char *s)
{
    if (s == NULL || strlen(s) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return false;
        } else if (!is_hex(s[i])) {
            return false;
        }
    }
    return true;
}

static bool
all_digits(const char *s, size_t min, size_t max)
{
    size_t n = 0;

    if (s == NULL)
        return false;
    for (; s[n]; n++)
        if (s[n] < '0' || s[n] > '9')
            return false;
    return n >= min && n <= max;
}

bool
validate_ticket_number(const char *s)
{
    return all_digits(s, 8, 20);
}

bool
validate_query_code(const char *s)
{
    return all_digits(s, 6, 6);
}
