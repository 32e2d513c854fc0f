/*
 * intake.c — validation rules of a new appeal.
 */
#include "core/intake.h"

#include <math.h>
#include <string.h>

#include "core/validate.h"

void
intake_init(Intake *in)
{
    memset(in, 0, sizeof *in);
    in->channel = CH_PHONE;
    in->nature = NATURE_OTHER;
    in->urgency = URG_NORMAL;
    in->callback_wanted = true;
}

static Err
check_text(const char *s, const char *field, size_t max, ErrInfo *ei)
{
    size_t n;

    if (s == NULL)
        return ERR_OK;
    if (!validate_utf8(s, strlen(s)))
        return err_set(ei, ERR_INVALID, field, "%s is not valid UTF-8", field);
    n = validate_utf8_chars(s);
    if (n > max)
        return err_set(ei, ERR_INVALID, field, "%s is longer than %zu characters", field, max);
    return ERR_OK;
}

Err
intake_validate(const Intake *in, ErrInfo *ei)
{
    Err rc;

    if (in->category == NULL)
        return err_set(ei, ERR_MISSING, "category", "category is required");
    if (!validate_code(in->category))
        return err_set(ei, ERR_INVALID, "category", "invalid category code");
    if (in->area != NULL && !validate_code(in->area))
        return err_set(ei, ERR_INVALID, "area", "invalid area code");
    if (in->description == NULL)
        return err_set(ei, ERR_MISSING, "description", "description is required");
    if ((rc = check_text(in->description, "description", INTAKE_DESCRIPTION_MAX, ei)) != ERR_OK)
        return rc;
    if (validate_utf8_chars(in->description) == 0)
        return err_set(ei, ERR_INVALID, "description", "description is empty");
    if ((rc = check_text(in->title, "title", INTAKE_TITLE_MAX, ei)) != ERR_OK ||
        (rc = check_text(in->address, "address", INTAKE_ADDRESS_MAX, ei)) != ERR_OK ||
        (rc = check_text(in->caller_name, "caller.name", INTAKE_NAME_MAX, ei)) != ERR_OK)
        return rc;
    if (in->has_location && (!isfinite(in->lat) || !isfinite(in->lon) || in->lat < -90 ||
                             in->lat > 90 || in->lon < -180 || in->lon > 180))
        return err_set(ei, ERR_INVALID, "location", "location is out of range");
    if (in->anonymous) {
        if (in->caller_name != NULL || in->caller_phone != NULL)
            return err_set(ei, ERR_INVALID, "caller",
                           "an anonymous appeal carries no caller name or phone");
        return ERR_OK;
    }
    if (in->caller_phone == NULL)
        return err_set(ei, ERR_MISSING, "caller.phone",
                       "caller.phone is required unless anonymous");
    if (!validate_phone(in->caller_phone))
        return err_set(ei, ERR_INVALID, "caller.phone", "invalid phone number");
    return ERR_OK;
}
