/*
 * mask.h — what of a caller each role may see (domain.md §6).
 *
 * The centre (operator, admin) sees name and phone; units, leaders and
 * channels see the surname and a masked phone, or nothing at all for
 * confidential tickets; without a role (the public) nothing; anonymous
 * tickets carry no caller.  Pure C; writes into caller buffers.
 */
#ifndef MINHU_CORE_MASK_H
#define MINHU_CORE_MASK_H

#include <stdbool.h>
#include <stddef.h>

#include "core/ticket.h"

typedef enum CallerView {
    CALLER_FULL = 0, /* name and phone as given */
    CALLER_MASKED,   /* surname + 某, phone 138****8000 */
    CALLER_HIDDEN,   /* neither name nor phone */
} CallerView;

/* The view role gets of a ticket's caller; CALLER_HIDDEN for an unknown role. */
CallerView mask_caller_view(Role role, bool confidential, bool anonymous);

/*
 * Writes the masked phone into out (len >= 32 is always enough), from its
 * digits alone, China's country code (+86, 0086) dropped: 11 digits or more
 * keep the first three and the last four ("138****8000", "010****5678"),
 * 8 to 10 digits only the last four ("****6666"), fewer become "****"; at
 * least four digits are always hidden.  phone may be NULL.  Returns out.
 */
char *mask_phone(const char *phone, char *out, size_t len);

/* Writes the surname (first character) followed by 某 into out (len >= 16);
 * "" for a NULL or empty name, "某" alone when the first character is not
 * valid UTF-8.  Returns out. */
char *mask_name(const char *name, char *out, size_t len);

#endif
