/*
 * fuzz_sla.c — SLA limits and rows as `minhu-admin import sla` reads them:
 * sla_limit_parse (what parses formats canonically and parses back to an
 * equal limit) and sla_rule_parse on the input split at commas.
 */
#include "fuzz.h"

#include "core/sla.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size), *t = fuzz_cstr(data, size), *p;
    const char *cell[4] = {t, "*", "reply", "1 day"};
    char text[SLA_LIMIT_TEXT_LEN];
    SlaLimit lim, back;
    SlaRule rule;
    ErrInfo ei;

    err_clear(&ei);
    if (sla_limit_parse(s, &lim, &ei) == ERR_OK) {
        FUZZ_CHECK(sla_limit_format(&lim, text, sizeof text));
        FUZZ_CHECK(sla_limit_parse(text, &back, &ei) == ERR_OK && sla_limit_equal(&lim, &back));
    }
    for (int i = 1; i < 4 && (p = strchr(cell[i - 1], ',')) != NULL; i++) {
        *p = '\0';
        cell[i] = p + 1;
    }
    (void) sla_rule_parse(cell[0], cell[1], cell[2], cell[3], &rule, &ei);
    free(t);
    free(s);
    return 0;
}
