/*
 * intake.h — a new appeal as received, and the rules it must satisfy
 * (api-contract.md §3 "Intake body").  Shared by the JSON API and Open311.
 * Pure C; all strings borrowed from the decoded request.
 */
#ifndef MINHU_CORE_INTAKE_H
#define MINHU_CORE_INTAKE_H

#include <stdbool.h>

#include "core/err.h"
#include "core/ticket.h"

#define INTAKE_DESCRIPTION_MAX 4000 /* characters */
#define INTAKE_TITLE_MAX 200
#define INTAKE_ADDRESS_MAX 500
#define INTAKE_NAME_MAX 50

typedef struct Intake {
    Channel channel;
    Nature nature;
    Urgency urgency;
    const char *category;
    const char *area; /* NULL when not given */
    const char *address;
    bool has_location;
    double lat, lon;
    const char *title;
    const char *description;
    const char *caller_name;
    const char *caller_phone;
    bool anonymous;
    bool confidential;
    bool callback_wanted;
} Intake;

/* Defaults: urgency normal, callback wanted, everything else empty. */
void intake_init(Intake *in);

/*
 * Checks the rules that do not need the database: lengths, formats,
 * phone required unless anonymous, no caller data on anonymous appeals,
 * location ranges.  ERR_MISSING / ERR_INVALID with the field's path
 * ("caller.phone").
 */
Err intake_validate(const Intake *in, ErrInfo *ei);

#endif
