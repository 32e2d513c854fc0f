/*
 * mask.c — masking of callers' names and phone numbers.
 */
#include "core/mask.h"

#include <stdio.h>
#include <string.h>

CallerView
mask_caller_view(Role role, bool confidential, bool anonymous)
{
    if (anonymous)
        return CALLER_HIDDEN;
    if (role == ROLE_OPERATOR || role == ROLE_ADMIN)
        return CALLER_FULL;
    if (confidential)
        return CALLER_HIDDEN;
    return CALLER_MASKED;
}

char *
mask_phone(const char *phone, char *out, size_t len)
{
    char digits[64];
    size_t n = 0;

    if (len == 0)
        return out;
    for (const char *p = phone ? phone : ""; *p && n < sizeof digits - 1; p++)
        if (*p >= '0' && *p <= '9')
            digits[n++] = *p;
    digits[n] = '\0';
    if (n < 8)
        snprintf(out, len, "****");
    else
        snprintf(out, len, "%.3s****%s", digits, digits + n - 4);
    return out;
}

/* Length in bytes of the UTF-8 sequence starting with byte c (1 when invalid). */
static size_t
utf8_len(unsigned char c)
{
    if (c >= 0xF0 && c <= 0xF4)
        return 4;
    if (c >= 0xE0)
        return c <= 0xEF ? 3 : 1;
    if (c >= 0xC2)
        return 2;
    return 1;
}

char *
mask_name(const char *name, char *out, size_t len)
{
    size_t n;

    if (len == 0)
        return out;
    if (name == NULL || name[0] == '\0') {
        out[0] = '\0';
        return out;
    }
    n = utf8_len((unsigned char) name[0]);
    if (strlen(name) < n)
        n = 1;
    snprintf(out, len, "%.*s某", (int) n, name);
    return out;
}
