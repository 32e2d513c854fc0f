/*
 * err.c — error codes, their contract names and HTTP statuses.
 */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    int status;
} err_table[ERR__COUNT] = {
    [ERR_OK] = {"ok", 200},
    [ERR_INVALID_JSON] = {"invalid_json", 400},
    [ERR_INVALID] = {"invalid_field", 400},
    [ERR_MISSING] = {"missing_field", 400},
    [ERR_UNAUTHORIZED] = {"unauthorized", 401},
    [ERR_FORBIDDEN] = {"forbidden", 403},
    [ERR_NOT_FOUND] = {"not_found", 404},
    [ERR_METHOD] = {"method_not_allowed", 405},
    [ERR_CONFLICT] = {"version_conflict", 409},
    [ERR_IDEMPOTENCY] = {"idempotency_conflict", 409},
    [ERR_TOO_LARGE] = {"payload_too_large", 413},
    [ERR_MEDIA_TYPE] = {"unsupported_media_type", 415},
    [ERR_ILLEGAL] = {"illegal_transition", 422},
    [ERR_RATE_LIMITED] = {"rate_limited", 429},
    [ERR_INTERNAL] = {"internal", 500},
    [ERR_UNAVAILABLE] = {"unavailable", 503},
};

Err
err_set(ErrInfo *ei, Err code, const char *field, const char *fmt, ...)
{
    va_list ap;

    if (ei == NULL)
        return code;
    ei->code = code;
    snprintf(ei->field, sizeof ei->field, "%s", field ? field : "");
    va_start(ap, fmt);
    vsnprintf(ei->message, sizeof ei->message, fmt, ap);
    va_end(ap);
    return code;
}

void
err_clear(ErrInfo *ei)
{
    if (ei == NULL)
        return;
    ei->code = ERR_OK;
    ei->message[0] = '\0';
    ei->field[0] = '\0';
}

const char *
err_code_name(Err err)
{
    if ((unsigned) err >= ERR__COUNT)
        return "internal";
    return err_table[err].name;
}

int
err_http_status(Err err)
{
    if ((unsigned) err >= ERR__COUNT)
        return 500;
    return err_table[err].status;
}
