/*
 * report.h — the leaders' reports as documents, and their formats.
 *
 * A report is first a JSON document (jansson): for the ranking exactly the
 * contract's "Ranking JSON" (api-contract.md), which the server returns as
 * is; accountability, hotspots and overdue are documents of their own
 * (docs/ranking.md).  The renderers turn a document into text (columns
 * aligned by display width, Chinese-aware), CSV (UTF-8 with a BOM, for
 * Excel) or one self-contained HTML page (inline CSS and SVG, nothing from
 * the network, laid out for A4 print).
 *
 * What this module must not do: talk to the database (callers hand in
 * decoded values), read the clock, or print anywhere but the FILE it is given.
 */
#ifndef MINHU_REPORT_REPORT_H
#define MINHU_REPORT_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "core/err.h"
#include "core/hotspot.h"
#include "core/ranking.h"

typedef enum ReportKind {
    REPORT_KIND_RANKING = 0,
    REPORT_KIND_ACCOUNTABILITY,
    REPORT_KIND_HOTSPOTS,
    REPORT_KIND_OVERDUE,
} ReportKind;

typedef enum ReportFormat {
    REPORT_FORMAT_TEXT = 0,
    REPORT_FORMAT_CSV,
    REPORT_FORMAT_JSON,
    REPORT_FORMAT_HTML,
} ReportFormat;

/* Parses "text", "csv", "json", "html"; -1 when unknown. */
int report_format_parse(const char *name);

/* True for the unit kinds that are ranked: district, street, department, enterprise. */
bool report_kind_rankable(const char *kind);

/* The Chinese label of a unit kind (街道, 部门, ...); the kind itself when unknown. */
const char *report_kind_label(const char *kind);

/* True when s is "YYYY-MM" with a month 01..12 and a year 2000..2999. */
bool report_month_valid(const char *s);

/*
 * The contract's ranking document for month ("YYYY-MM") and kind, from
 * units u[0..n) already ranked by ranking_compute (order is its display
 * order).  Returns a new reference, or NULL when out of memory.
 */
json_t *report_ranking_json(const char *month, const char *kind, const RankSettings *s,
                            const RankUnit *u, size_t n, const size_t *order);

/*
 * Adds the accountability block to a ranking document: "red" and "black",
 * one entry per listed unit (unit, rank, score, interview, and for the black
 * list "tickets_total", "reasons" and "tickets").  behind maps a unit code
 * to {"tickets_total": N, "reasons": {REASON: N}, "tickets": [...]}: the
 * counts over all of the unit's tickets, and the tickets listed (all, or
 * the first of them); a unit without an entry has none.  Borrowed; its
 * values are copied by reference.  Returns false when out of memory.
 */
bool report_accountability_add(json_t *doc, json_t *behind);

/* Entries per hotspot list: the default, and the most a caller may ask for. */
#define REPORT_HOT_TOP_DEFAULT 10
#define REPORT_HOT_TOP_MAX 1000

/* A place or category needs this many tickets in the month to be listed as growing. */
#define REPORT_HOT_GROWTH_MIN 10

/* Parses a count from "1" to max (decimal digits only); -1 when s is
 * anything else. */
int report_count_parse(const char *s, int max);

/* report_count_parse(s, REPORT_HOT_TOP_MAX): a number of hotspot entries. */
int report_hot_top_parse(const char *s);

/*
 * The hotspot document (每月一题, docs/ranking.md) for month ("YYYY-MM"):
 * "categories" and "areas", each by volume and as "<list>_growth" by growth
 * over the three months' average, and "addresses" by volume, at most top
 * entries each.  lists[HOTSPOT_*] are the decoded statements' rows (borrowed),
 * by count, highest first.  Returns a new reference, or NULL when out of
 * memory.
 */
json_t *report_hotspots_json(const char *month, int top, const HotspotRows lists[HOTSPOT__COUNT]);

/* The JSON text of doc (pretty: indented, else compact), ending in a newline
 * when pretty.  Returns a new string to free(), or NULL when out of memory. */
char *report_json_text(const json_t *doc, bool pretty);

/*
 * Writes doc (a document of kind k) to out in format f.  Documents may carry
 * extra keys the HTML page uses: "trend" (report_trend in docs/ranking.md).
 * ERR_INTERNAL when writing fails (ei says why).
 */
Err report_render(FILE *out, const json_t *doc, ReportKind k, ReportFormat f, ErrInfo *ei);

/* Tickets listed per black-listed unit unless asked otherwise (CSV: all),
 * and the most that may be asked for. */
#define REPORT_TICKETS_SHOWN 200
#define REPORT_TICKETS_MAX 1000000

#endif
