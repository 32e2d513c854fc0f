/*
 * reference.c — the import kinds (columns, row builders, upserts, pre-commit
 * checks), the row-key bookkeeping of an import, and the token statements.
 *
 * Row builders apply the rules that need no database: code syntax, names,
 * enumerations, dates (calendar.h's own rules, so a calendar that imports is
 * a calendar the engine loads), SLA limits (sla.h's parser).  What needs the
 * database (a parent that exists, a parent chain without a cycle) is a check
 * statement run before COMMIT; the foreign keys are DEFERRABLE INITIALLY
 * DEFERRED, so rows may come in any order.
 */
#include "store/reference.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/sla.h"
#include "core/ticket.h"
#include "core/validate.h"

#define REF_NAME_MAX 100

/* ------------------------------------------------------------ validation */

/* Writes s into buf as it may appear in a message: at most 40 bytes, cut on
 * a character boundary, "..." when cut. */
static const char *
ref_shown(const char *s, char *buf, size_t size)
{
    size_t n = strlen(s);

    if (n <= 40) {
        snprintf(buf, size, "%s", s);
        return buf;
    }
    n = 40;
    while (n > 0 && ((unsigned char) s[n] & 0xC0) == 0x80)
        n--;
    snprintf(buf, size, "%.*s...", (int) n, s);
    return buf;
}

static Err
ref_check_code(const char *column, const char *s, ErrInfo *ei)
{
    char shown[48];

    if (s[0] == '\0')
        return err_set(ei, ERR_INVALID, column, "must not be empty");
    if (!validate_code(s))
        return err_set(ei, ERR_INVALID, column,
                       "invalid code \"%s\" (expected 1 to 32 of A-Z, a-z, 0-9, _ . -)",
                       ref_shown(s, shown, sizeof shown));
    return ERR_OK;
}

/* A prefix of codes, or "*" for any. */
static Err
ref_check_prefix(const char *column, const char *s, ErrInfo *ei)
{
    char shown[48];

    if (strcmp(s, "*") == 0)
        return ERR_OK;
    if (!validate_code(s))
        return err_set(ei, ERR_INVALID, column,
                       "invalid code prefix \"%s\" (expected * or 1 to 32 of A-Z, a-z, 0-9, _ . -)",
                       ref_shown(s, shown, sizeof shown));
    return ERR_OK;
}

/* 1..max characters without control characters; empty allowed when
 * may_be_empty. */
static Err
ref_check_text(const char *column, const char *s, bool may_be_empty, ErrInfo *ei)
{
    size_t chars;

    if (s[0] == '\0' && !may_be_empty)
        return err_set(ei, ERR_INVALID, column, "must not be empty");
    for (const unsigned char *p = (const unsigned char *) s; *p; p++)
        if (*p < 0x20 || *p == 0x7F)
            return err_set(ei, ERR_INVALID, column, "contains a control character (0x%02x)", *p);
    chars = validate_utf8_chars(s);
    if (chars > REF_NAME_MAX)
        return err_set(ei, ERR_INVALID, column, "is too long (%zu characters, at most %d)", chars,
                       REF_NAME_MAX);
    return ERR_OK;
}

/* value must be one of allowed[] (NULL-terminated). */
static Err
ref_check_enum(const char *column, const char *value, const char *const *allowed, ErrInfo *ei)
{
    char list[160];
    char shown[48];
    size_t used = 0;

    for (size_t i = 0; allowed[i] != NULL; i++)
        if (strcmp(value, allowed[i]) == 0)
            return ERR_OK;
    list[0] = '\0';
    for (size_t i = 0; allowed[i] != NULL && used < sizeof list; i++) {
        int w = snprintf(list + used, sizeof list - used, "%s%s", i > 0 ? ", " : "", allowed[i]);
        if (w < 0)
            break;
        used += (size_t) w;
    }
    return err_set(ei, ERR_INVALID, column, "invalid value \"%s\" (expected one of %s)",
                   ref_shown(value, shown, sizeof shown), list);
}

/* Empty, or a whole number 0..999999999 (fits integer). */
static Err
ref_check_count(const char *column, const char *s, ErrInfo *ei)
{
    size_t n = strlen(s);
    char shown[48];

    if (n == 0)
        return ERR_OK;
    if (n > 9 || strspn(s, "0123456789") != n)
        return err_set(ei, ERR_INVALID, column,
                       "invalid value \"%s\" (expected a whole number up to 999999999)",
                       ref_shown(s, shown, sizeof shown));
    return ERR_OK;
}

/* An integer -1000000..1000000, optionally signed. */
static Err
ref_check_priority(const char *column, const char *s, ErrInfo *ei)
{
    const char *digits = s[0] == '-' || s[0] == '+' ? s + 1 : s;
    size_t n = strlen(digits);
    char shown[48];

    if (n == 0 || n > 7 || strspn(digits, "0123456789") != n || atol(digits) > 1000000)
        return err_set(ei, ERR_INVALID, column,
                       "invalid value \"%s\" (expected a whole number from -1000000 to 1000000)",
                       ref_shown(s, shown, sizeof shown));
    return ERR_OK;
}

/* Writes a composite key "a|b|c" into row->keybuf. */
static void
ref_key3(StoreRefRow *row, const char *a, const char *b, const char *c)
{
    snprintf(row->keybuf, sizeof row->keybuf, "%s|%s|%s", a, b, c ? c : "");
    row->key = row->keybuf;
}

/* ------------------------------------------------------------ row builders */

static const char *const ref_unit_kinds[] = {"center", "district",   "street",     "community",
                                             "grid",   "department", "enterprise", NULL};

/* code, name, kind, parent, [population] ->
 * $1 code, $2 name, $3 kind, $4 parent, $5 population, $6 population given */
static Err
ref_build_unit(const char *const *c, StoreRefRow *row, ErrInfo *ei)
{
    if (ref_check_code("code", c[0], ei) != ERR_OK ||
        ref_check_text("name", c[1], false, ei) != ERR_OK ||
        ref_check_enum("kind", c[2], ref_unit_kinds, ei) != ERR_OK)
        return ERR_INVALID;
    if (c[3][0] != '\0') {
        if (ref_check_code("parent", c[3], ei) != ERR_OK)
            return ERR_INVALID;
        if (strcmp(c[3], c[0]) == 0)
            return err_set(ei, ERR_INVALID, "parent", "unit \"%s\" cannot be its own parent", c[0]);
    }
    if (c[4] != NULL && ref_check_count("population", c[4], ei) != ERR_OK)
        return ERR_INVALID;
    row->params[0] = c[0];
    row->params[1] = c[1];
    row->params[2] = c[2];
    row->params[3] = c[3][0] != '\0' ? c[3] : NULL;
    row->params[4] = c[4] != NULL && c[4][0] != '\0' ? c[4] : NULL;
    row->params[5] = c[4] != NULL ? "true" : "false";
    row->key = c[0];
    return ERR_OK;
}

/* code, name, parent -> $1 code, $2 name, $3 parent */
static Err
ref_build_category(const char *const *c, StoreRefRow *row, ErrInfo *ei)
{
    if (ref_check_code("code", c[0], ei) != ERR_OK ||
        ref_check_text("name", c[1], false, ei) != ERR_OK)
        return ERR_INVALID;
    if (c[2][0] != '\0') {
        if (ref_check_code("parent", c[2], ei) != ERR_OK)
            return ERR_INVALID;
        if (strcmp(c[2], c[0]) == 0)
            return err_set(ei, ERR_INVALID, "parent", "category \"%s\" cannot be its own parent",
                           c[0]);
    }
    row->params[0] = c[0];
    row->params[1] = c[1];
    row->params[2] = c[2][0] != '\0' ? c[2] : NULL;
    row->key = c[0];
    return ERR_OK;
}

/* date, kind, [name] -> $1 date, $2 kind, $3 name, $4 name given */
static Err
ref_build_calendar(const char *const *c, StoreRefRow *row, ErrInfo *ei)
{
    CalendarDay one[1];
    Calendar cal;

    /* the engine's own rules: a real date, a known kind, no "workday" on a
     * weekday (those are working days anyway, so the row is a mistake) */
    calendar_init(&cal, one, 1);
    if (calendar_add_text(&cal, c[0], c[1], ei) != ERR_OK)
        return ERR_INVALID;
    if (c[2] != NULL && ref_check_text("name", c[2], true, ei) != ERR_OK)
        return ERR_INVALID;
    row->params[0] = c[0];
    row->params[1] = c[1];
    row->params[2] = c[2] != NULL && c[2][0] != '\0' ? c[2] : NULL;
    row->params[3] = c[2] != NULL ? "true" : "false";
    row->key = c[0];
    return ERR_OK;
}

/* category, urgency, clock, limit -> $1..$4 with the limit in canonical form */
static Err
ref_build_sla(const char *const *c, StoreRefRow *row, ErrInfo *ei)
{
    SlaRule rule;

    if (ref_check_prefix("category", c[0], ei) != ERR_OK)
        return ERR_INVALID;
    if (sla_rule_parse(c[0], c[1], c[2], c[3], &rule, ei) != ERR_OK)
        return ERR_INVALID;
    if (!sla_limit_format(&rule.limit, row->scratch, sizeof row->scratch))
        return err_set(ei, ERR_INVALID, "limit", "invalid SLA limit \"%.40s\"", c[3]);
    row->params[0] = c[0];
    row->params[1] = c[1];
    row->params[2] = c[2];
    row->params[3] = row->scratch;
    ref_key3(row, c[0], c[1], c[2]);
    return ERR_OK;
}

/* category, area, unit, priority -> $1..$4 */
static Err
ref_build_rule(const char *const *c, StoreRefRow *row, ErrInfo *ei)
{
    if (ref_check_prefix("category", c[0], ei) != ERR_OK ||
        ref_check_prefix("area", c[1], ei) != ERR_OK ||
        ref_check_code("unit", c[2], ei) != ERR_OK ||
        ref_check_priority("priority", c[3], ei) != ERR_OK)
        return ERR_INVALID;
    row->params[0] = c[0];
    row->params[1] = c[1];
    row->params[2] = c[2];
    row->params[3] = c[3];
    ref_key3(row, c[0], c[1], NULL);
    return ERR_OK;
}

/* ------------------------------------------------------------ statements */

static const char ref_units_upsert[] =
    "INSERT INTO units (code, name, kind, parent, population)"
    " VALUES ($1, $2, $3, $4, $5::integer)"
    " ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind,"
    "  parent = EXCLUDED.parent,"
    "  population = CASE WHEN $6::boolean THEN EXCLUDED.population ELSE units.population END";

static const char ref_units_missing_parent[] =
    "SELECT k.ord, 'parent', format('unit \"%s\" does not exist', u.parent)"
    " FROM unnest($1::text[]) WITH ORDINALITY AS k(code, ord)"
    " JOIN units u ON u.code = k.code"
    " WHERE u.parent IS NOT NULL"
    "  AND NOT EXISTS (SELECT 1 FROM units p WHERE p.code = u.parent)"
    " ORDER BY k.ord LIMIT 1";

/* Every cycle through parent links contains a row of this import (the
 * table had none before), so walking up from those rows finds them all. */
static const char ref_units_cycle[] =
    "WITH RECURSIVE walk (ord, start, at, trail) AS ("
    "  SELECT k.ord, u.code, u.parent, u.code || ' -> ' || u.parent"
    "  FROM unnest($1::text[]) WITH ORDINALITY AS k(code, ord)"
    "  JOIN units u ON u.code = k.code"
    "  WHERE u.parent IS NOT NULL"
    " UNION ALL"
    "  SELECT w.ord, w.start, u.parent, w.trail || ' -> ' || u.parent"
    "  FROM walk w JOIN units u ON u.code = w.at"
    "  WHERE u.parent IS NOT NULL AND w.at <> w.start"
    ") CYCLE at SET looped USING path "
    "SELECT ord, 'parent', format('parents form a cycle: %s', trail)"
    " FROM walk WHERE at = start ORDER BY ord LIMIT 1";

static const char ref_categories_upsert[] =
    "INSERT INTO categories (code, name, parent) VALUES ($1, $2, $3)"
    " ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, parent = EXCLUDED.parent";

static const char ref_categories_missing_parent[] =
    "SELECT k.ord, 'parent', format('category \"%s\" does not exist', c.parent)"
    " FROM unnest($1::text[]) WITH ORDINALITY AS k(code, ord)"
    " JOIN categories c ON c.code = k.code"
    " WHERE c.parent IS NOT NULL"
    "  AND NOT EXISTS (SELECT 1 FROM categories p WHERE p.code = c.parent)"
    " ORDER BY k.ord LIMIT 1";

static const char ref_categories_cycle[] =
    "WITH RECURSIVE walk (ord, start, at, trail) AS ("
    "  SELECT k.ord, c.code, c.parent, c.code || ' -> ' || c.parent"
    "  FROM unnest($1::text[]) WITH ORDINALITY AS k(code, ord)"
    "  JOIN categories c ON c.code = k.code"
    "  WHERE c.parent IS NOT NULL"
    " UNION ALL"
    "  SELECT w.ord, w.start, c.parent, w.trail || ' -> ' || c.parent"
    "  FROM walk w JOIN categories c ON c.code = w.at"
    "  WHERE c.parent IS NOT NULL AND w.at <> w.start"
    ") CYCLE at SET looped USING path "
    "SELECT ord, 'parent', format('parents form a cycle: %s', trail)"
    " FROM walk WHERE at = start ORDER BY ord LIMIT 1";

static const char ref_sla_upsert[] =
    "INSERT INTO sla_rules (category, urgency, clock, limit_text) VALUES ($1, $2, $3, $4)"
    " ON CONFLICT (category, urgency, clock) DO UPDATE SET limit_text = EXCLUDED.limit_text";

static const char ref_rules_upsert[] =
    "INSERT INTO routing_rules (category, area, unit, priority) VALUES ($1, $2, $3, $4::integer)"
    " ON CONFLICT (category, area) DO UPDATE SET unit = EXCLUDED.unit,"
    "  priority = EXCLUDED.priority";

/* A rule must name an existing, active unit that is not the centre. */
static const char ref_rules_bad_unit[] =
    "SELECT k.ord, 'unit', format('unit \"%s\" does not exist or cannot handle tickets', r.unit)"
    " FROM unnest($1::text[]) WITH ORDINALITY AS k(key, ord)"
    " JOIN routing_rules r ON r.category = split_part(k.key, '|', 1)"
    "  AND r.area = split_part(k.key, '|', 2)"
    " WHERE NOT EXISTS (SELECT 1 FROM units u WHERE u.code = r.unit AND u.active"
    "                   AND u.kind <> 'center')"
    " ORDER BY k.ord LIMIT 1";

static const char ref_calendar_upsert[] =
    "INSERT INTO calendar (day, kind, name) VALUES ($1::date, $2, $3)"
    " ON CONFLICT (day) DO UPDATE SET kind = EXCLUDED.kind,"
    "  name = CASE WHEN $4::boolean THEN EXCLUDED.name ELSE calendar.name END";

/*
 * The import kinds.  A kind with upsert NULL would answer "not available in
 * this version".
 */
const StoreRefImport store_ref_imports[] = {
    {
        .kind = "units",
        .noun = "units",
        .table = "units",
        .key = "code",
        .columns = {{"code", true},
                    {"name", true},
                    {"kind", true},
                    {"parent", true},
                    {"population", false}},
        .build = ref_build_unit,
        .nparams = 6,
        .upsert = ref_units_upsert,
        .checks = {ref_units_missing_parent, ref_units_cycle},
    },
    {
        .kind = "categories",
        .noun = "categories",
        .table = "categories",
        .key = "code",
        .columns = {{"code", true}, {"name", true}, {"parent", true}},
        .build = ref_build_category,
        .nparams = 3,
        .upsert = ref_categories_upsert,
        .checks = {ref_categories_missing_parent, ref_categories_cycle},
    },
    {
        .kind = "calendar",
        .noun = "calendar days",
        .table = "calendar",
        .key = "date",
        .columns = {{"date", true}, {"kind", true}, {"name", false}},
        .build = ref_build_calendar,
        .nparams = 4,
        .upsert = ref_calendar_upsert,
    },
    {
        .kind = "sla",
        .noun = "SLA rules",
        .table = "sla_rules",
        .key = "category, urgency, clock",
        .columns = {{"category", true}, {"urgency", true}, {"clock", true}, {"limit", true}},
        .build = ref_build_sla,
        .nparams = 4,
        .upsert = ref_sla_upsert,
    },
    {
        .kind = "rules",
        .noun = "routing rules",
        .table = "routing_rules",
        .key = "category, area",
        .columns = {{"category", true}, {"area", true}, {"unit", true}, {"priority", true}},
        .build = ref_build_rule,
        .nparams = 4,
        .upsert = ref_rules_upsert,
        .checks = {ref_rules_bad_unit},
    },
};

const size_t store_ref_imports_count = sizeof store_ref_imports / sizeof store_ref_imports[0];

const StoreRefImport *
store_ref_import_find(const char *name)
{
    for (size_t i = 0; i < store_ref_imports_count; i++)
        if (strcmp(store_ref_imports[i].kind, name) == 0)
            return &store_ref_imports[i];
    return NULL;
}

bool
store_ref_fault_decode(const PGresult *res, StoreRefFault *out)
{
    if (PQntuples(res) < 1 || PQnfields(res) < 3)
        return false;
    out->ordinal = (size_t) strtoull(PQgetvalue(res, 0, 0), NULL, 10);
    out->column = PQgetvalue(res, 0, 1);
    out->message = PQgetvalue(res, 0, 2);
    return true;
}

/* ------------------------------------------------------------ row keys */

/* FNV-1a */
static size_t
ref_hash(const char *s)
{
    uint64_t h = UINT64_C(14695981039346656037);

    for (; *s; s++) {
        h ^= (unsigned char) *s;
        h *= UINT64_C(1099511628211);
    }
    return (size_t) h;
}

void
store_ref_keys_init(StoreRefKeys *k)
{
    memset(k, 0, sizeof *k);
}

/* Rebuilds the slot table at twice the size.  Returns false when out of
 * memory (k unchanged). */
static bool
ref_keys_rehash(StoreRefKeys *k)
{
    size_t nslots = k->nslots ? k->nslots * 2 : 64;
    size_t *slots = calloc(nslots, sizeof *slots);

    if (slots == NULL)
        return false;
    for (size_t i = 0; i < k->n; i++) {
        size_t s = ref_hash(k->keys[i]) & (nslots - 1);

        while (slots[s] != 0)
            s = (s + 1) & (nslots - 1);
        slots[s] = i + 1;
    }
    free(k->slots);
    k->slots = slots;
    k->nslots = nslots;
    return true;
}

Err
store_ref_keys_add(StoreRefKeys *k, const char *key, size_t line, size_t *first_line, ErrInfo *ei)
{
    Err rc = ERR_INTERNAL;
    char *copy = NULL; /* owned until stored */
    size_t s;

    if ((k->n + 1) * 2 > k->nslots && !ref_keys_rehash(k))
        goto oom;
    for (s = ref_hash(key) & (k->nslots - 1); k->slots[s] != 0; s = (s + 1) & (k->nslots - 1)) {
        if (strcmp(k->keys[k->slots[s] - 1], key) == 0) {
            if (first_line != NULL)
                *first_line = k->lines[k->slots[s] - 1];
            rc = err_set(ei, ERR_CONFLICT, "", "duplicate key \"%.60s\"", key);
            goto done;
        }
    }
    if (k->n == k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 64;
        char **keys = realloc(k->keys, cap * sizeof *keys);
        size_t *lines;

        if (keys == NULL)
            goto oom;
        k->keys = keys;
        lines = realloc(k->lines, cap * sizeof *lines);
        if (lines == NULL)
            goto oom;
        k->lines = lines;
        k->cap = cap;
    }
    copy = strdup(key);
    if (copy == NULL)
        goto oom;
    k->keys[k->n] = copy;
    k->lines[k->n] = line;
    k->slots[s] = ++k->n;
    copy = NULL;
    rc = ERR_OK;
    goto done;
oom:
    rc = err_set(ei, ERR_INTERNAL, "", "out of memory");
done:
    free(copy);
    return rc;
}

size_t
store_ref_keys_line(const StoreRefKeys *k, size_t ord)
{
    if (ord < 1 || ord > k->n)
        return 0;
    return k->lines[ord - 1];
}

char *
store_ref_keys_array(const StoreRefKeys *k)
{
    size_t size = 3;
    char *out = NULL;
    char *p;

    for (size_t i = 0; i < k->n; i++)
        size += 2 * strlen(k->keys[i]) + 3; /* quotes, comma, escapes at worst */
    out = malloc(size);
    if (out == NULL)
        return NULL;
    p = out;
    *p++ = '{';
    for (size_t i = 0; i < k->n; i++) {
        if (i > 0)
            *p++ = ',';
        *p++ = '"';
        for (const char *s = k->keys[i]; *s; s++) {
            if (*s == '"' || *s == '\\')
                *p++ = '\\';
            *p++ = *s;
        }
        *p++ = '"';
    }
    *p++ = '}';
    *p = '\0';
    return out;
}

void
store_ref_keys_free(StoreRefKeys *k)
{
    if (k == NULL)
        return;
    for (size_t i = 0; i < k->n; i++)
        free(k->keys[i]);
    free(k->keys);
    free(k->lines);
    free(k->slots);
    memset(k, 0, sizeof *k);
}

/* ------------------------------------------------------------ tokens */

static const StoreRefStmt ref_stmts[REF__COUNT] = {
    [REF_TABLE_EXISTS] = {"SELECT to_regclass($1) IS NOT NULL", 1},
    [REF_UNIT_EXISTS] = {"SELECT 1 FROM units WHERE code = $1", 1},
    /* only the hash is kept; the server looks tokens up the same way */
    [REF_TOKEN_CREATE] = {"INSERT INTO tokens (token_hash, role, name, unit)"
                          " VALUES (sha256(convert_to($1, 'UTF8')), $2, $3, $4) RETURNING id",
                          4},
    [REF_TOKEN_REVOKE] = {"UPDATE tokens SET revoked_at = now()"
                          " WHERE name = $1 AND revoked_at IS NULL",
                          1},
    [REF_TOKEN_LIST] = {"SELECT id, role, name, unit,"
                        " to_char(created_at, 'YYYY-MM-DD\"T\"HH24:MI:SSTZH:TZM'),"
                        " to_char(revoked_at, 'YYYY-MM-DD\"T\"HH24:MI:SSTZH:TZM')"
                        " FROM tokens ORDER BY id",
                        0},
};

const StoreRefStmt *
store_ref_stmt(StoreRefStmtId id)
{
    if ((unsigned) id >= REF__COUNT)
        return NULL;
    return &ref_stmts[id];
}

Err
store_ref_token_check(const char *role, const char *name, const char *unit, ErrInfo *ei)
{
    const char *roles[ROLE__COUNT];
    size_t n = 0;
    int r;

    for (int i = ROLE_NONE + 1; i < ROLE__COUNT; i++)
        roles[n++] = role_name((Role) i);
    roles[n] = NULL;
    if (ref_check_enum("role", role != NULL ? role : "", roles, ei) != ERR_OK)
        return ERR_INVALID;
    r = role_parse(role);
    if (name == NULL)
        return err_set(ei, ERR_MISSING, "name", "a token needs a name");
    if (!validate_utf8(name, strlen(name)))
        return err_set(ei, ERR_INVALID, "name", "name is not valid UTF-8");
    if (ref_check_text("name", name, false, ei) != ERR_OK)
        return ERR_INVALID;
    if (r == ROLE_UNIT && unit == NULL)
        return err_set(ei, ERR_MISSING, "unit", "role unit needs a unit");
    if (r != ROLE_UNIT && unit != NULL)
        return err_set(ei, ERR_INVALID, "unit", "only role unit takes a unit, not role %s", role);
    if (unit != NULL && ref_check_code("unit", unit, ei) != ERR_OK)
        return ERR_INVALID;
    return ERR_OK;
}

void
store_ref_token_decode(const PGresult *res, int row, StoreRefToken *out)
{
    out->id = PQgetvalue(res, row, 0);
    out->role = PQgetvalue(res, row, 1);
    out->name = PQgetvalue(res, row, 2);
    out->unit = PQgetisnull(res, row, 3) ? NULL : PQgetvalue(res, row, 3);
    out->created_at = PQgetvalue(res, row, 4);
    out->revoked_at = PQgetisnull(res, row, 5) ? NULL : PQgetvalue(res, row, 5);
}
