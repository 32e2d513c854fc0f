/*
 * mask.h — what of a caller each role may see (domain.md §6).
 *
 * The centre (operator, admin) sees name and phone; everyone else sees the
 * surname and a masked phone, or nothing at all for confidential tickets;
 * anonymous tickets carry no caller.  Pure C; writes into caller buffers.
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

/* The view role gets of a ticket's caller. */
CallerView mask_caller_view(Role role, bool confidential, bool anonymous);

/*
 * Writes the masked phone into out (len >= 32 is always enough): the first
 * three and last four digits kept, the middle replaced by ****; numbers
 * with fewer than 8 digits become "****".  Returns out.
 */
char *mask_phone(const char *phone, char *out, size_t len);

/* Writes the surname (first character) followed by 某 into out (len >= 16). */
char *mask_name(const char *name, char *out, size_t len);

#endif
