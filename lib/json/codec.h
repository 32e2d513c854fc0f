/*
 * codec.h — JSON requests to core structs, and the one error body.
 *
 * Decoders validate shape and types and refuse unknown fields (400
 * invalid_field); the domain rules are core's (intake_validate,
 * workflow_apply).  Decoded strings are *borrowed* from the json_t the
 * caller passed: keep it alive while the struct is in use.
 */
#ifndef MINHU_JSON_CODEC_H
#define MINHU_JSON_CODEC_H

#include <jansson.h>
#include <stddef.h>

#include "core/err.h"
#include "core/intake.h"
#include "core/ticket.h"
#include "core/workflow.h"

/*
 * Parses buf[0..len) as one JSON object (duplicate keys refused, NUL bytes
 * refused).  On ERR_OK *out is a new reference; ERR_INVALID_JSON otherwise.
 * An empty body parses as {} when allow_empty.
 */
Err codec_parse_object(const char *buf, size_t len, bool allow_empty, json_t **out, ErrInfo *ei);

/* Decodes an intake body (api-contract §3) and runs intake_validate(). */
Err codec_intake_decode(json_t *root, Intake *out, ErrInfo *ei);

/* Decodes the body of action a (api-contract §3 "Action bodies") into in. */
Err codec_action_decode(Action a, json_t *root, ActionInput *in, ErrInfo *ei);

/*
 * The event data of an accepted action (unit, units, until, callback
 * answers, merge target) as a new JSON text to free(), or NULL when the
 * action carries none.
 */
char *codec_event_data(const ActionInput *in, const char *merge_into_number);

/*
 * The intake event's data: channel, nature, urgency, category, and the
 * routing rule that dispatched it (rule_id > 0).  New text, free().
 */
char *codec_intake_event_data(const Intake *in, int64_t rule_id);

/* The contract's error body for ei, as a new text to free(). */
char *codec_error_body(const ErrInfo *ei);

/* Masks ticket["caller"] in place for role (domain.md §6). */
void codec_mask_ticket(json_t *ticket, Role role);

/*
 * A ticket's JSON text from the database (a JSON object, len bytes), as role
 * may see it, plus "query_code" when query_code is not NULL: the same
 * document as parsing it, codec_mask_ticket() and adding the member, but
 * without parsing more than the caller object — the text is copied, not
 * re-encoded.  Returns a new text to free() and its length in *out_len, or
 * NULL when text is not a JSON object it can read (the caller then takes
 * the slow path, which reports the error).
 */
char *codec_ticket_text(const char *text, size_t len, Role role, const char *query_code,
                        size_t *out_len);

/*
 * Copies into buf[size] the value of the top-level member key (a plain
 * name) of the JSON object text when it is a string without escapes that
 * fits; false otherwise (absent, another type, escapes, or not an object).
 */
bool codec_text_string(const char *text, size_t len, const char *key, char *buf, size_t size);

/*
 * The JSON object text with the member key (a plain name): value (a string,
 * encoded here) added at its end, the rest copied as it is.  Returns a new
 * text to free() and its length in *out_len, or NULL when text is not an
 * object this scan can read.
 */
char *codec_text_add_string(const char *text, size_t len, const char *key, const char *value,
                            size_t *out_len);

#endif
