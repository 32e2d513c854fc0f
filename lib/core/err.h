/*
 * err.h — the one error type of Minhu.
 *
 * Every fallible function returns an Err and fills an ErrInfo with a message
 * in PostgreSQL's style (lower case, no final period, naming the value that
 * caused it) and, for input errors, the offending field.  Exactly one function
 * (json/codec.c: codec_error_body, with err_http_status) turns it into an HTTP
 * status and the contract's error body.  Pure C, no I/O.
 */
#ifndef MINHU_CORE_ERR_H
#define MINHU_CORE_ERR_H

#include <stddef.h>

typedef enum Err {
    ERR_OK = 0,
    ERR_INVALID_JSON, /* 400 invalid_json */
    ERR_INVALID,      /* 400 invalid_field */
    ERR_MISSING,      /* 400 missing_field */
    ERR_UNAUTHORIZED, /* 401 unauthorized */
    ERR_FORBIDDEN,    /* 403 forbidden */
    ERR_NOT_FOUND,    /* 404 not_found */
    ERR_METHOD,       /* 405 method_not_allowed */
    ERR_CONFLICT,     /* 409 version_conflict */
    ERR_IDEMPOTENCY,  /* 409 idempotency_conflict */
    ERR_TOO_LARGE,    /* 413 payload_too_large */
    ERR_MEDIA_TYPE,   /* 415 unsupported_media_type */
    ERR_ILLEGAL,      /* 422 illegal_transition */
    ERR_RATE_LIMITED, /* 429 rate_limited */
    ERR_INTERNAL,     /* 500 internal */
    ERR_UNAVAILABLE,  /* 503 unavailable */
    ERR__COUNT
} Err;

typedef struct ErrInfo {
    Err code;
    char message[256];
    char field[64]; /* "" when no single field is at fault */
} ErrInfo;

/* Sets ei (when not NULL) and returns code, so callers can `return err_set(...)`. */
Err err_set(ErrInfo *ei, Err code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Clears ei to ERR_OK with empty message and field. */
void err_clear(ErrInfo *ei);

/* The contract's snake_case code for err ("invalid_field", ...). Never NULL. */
const char *err_code_name(Err err);

/* The HTTP status the contract gives err. */
int err_http_status(Err err);

#endif
