/*
 * mask.c — masking of callers' names and phone numbers.
 */
#include "core/mask.h"

#include <stdio.h>
#include <string.h>

#include "core/validate.h"

CallerView
mask_caller_view(Role role, bool confidential, bool anonymous)
{
    if (anonymous)
        return CALLER_HIDDEN;
    switch (role) {
    case ROLE_OPERATOR:
    case ROLE_ADMIN:
        return CALLER_FULL;
    case ROLE_UNIT:
    case ROLE_LEADER:
    case ROLE_CHANNEL:
        return confidential ? CALLER_HIDDEN : CALLER_MASKED;
    default:
        return CALLER_HIDDEN; /* no role: the public, who never see a caller */
    }
}

char *
mask_phone(const char *phone, char *out, size_t len)
{
    char digits[64];
    const char *d = digits;
    size_t n = 0;

    if (len == 0)
        return out;
    for (const char *p = phone ? phone : ""; *p && n < sizeof digits - 1; p++)
        if (*p >= '0' && *p <= '9')
            digits[n++] = *p;
    digits[n] = '\0';
    /* China's country code is no part of what is shown: +86 138... is 138... */
    if (phone != NULL && phone[0] == '+' && strncmp(d, "86", 2) == 0) {
        d += 2;
        n -= 2;
    } else if (strncmp(d, "0086", 4) == 0) {
        d += 4;
        n -= 4;
    }
    /* At least four digits stay hidden, whatever the length. */
    if (n < 8)
        snprintf(out, len, "****");
    else if (n < 11)
        snprintf(out, len, "****%s", d + n - 4);
    else
        snprintf(out, len, "%.3s****%s", d, d + n - 4);
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
    if (strlen(name) < n || !validate_utf8(name, n))
        n = 0; /* a broken first character is not copied */
    snprintf(out, len, "%.*s某", (int) n, name);
    return out;
}
