/*
 * report.h — the SQL of the leaders' reports (ranking, accountability,
 * hotspots, overdue) with their row decoders.
 *
 * Every statement here only reads, so a report can run on a read-only
 * standby.  The fast path reads the per-unit-per-month summary that the
 * trigger of sql/R_reports.sql keeps; REPORT_BASELINE computes the same
 * figures as one plain query over the raw tables (tickets, ticket_events), and
 * `minhu-report verify` and the tests hold the two equal.  The REPORT_GEN_*
 * statements (writes) are the one exception, for `minhu-admin gen`.
 *
 * Parameters are $n text; months are passed as "YYYY-MM-01" and mean the
 * Asia/Shanghai month.  Decoded strings are *borrowed* from the PGresult.
 */
#ifndef MINHU_STORE_REPORT_H
#define MINHU_STORE_REPORT_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/hotspot.h"
#include "core/ranking.h"

typedef enum ReportStmtId {
    REPORT_RANKING = 0,    /* $1 month, $2 kind: one row per unit of the kind */
    REPORT_FAST_ALL,       /* $1 month: the summary's figures of every unit */
    REPORT_BASELINE,       /* $1 month: the same from the raw tables */
    REPORT_TICKETS,        /* $1 month, $2 units text[], $3 rows per unit or NULL (all, by
                              number; else the most reasons first): the tickets behind the
                              figures; from column 11 on, the unit's counts (unit, total,
                              then one column per reason, named after it) */
    REPORT_TICKETS_RAW,    /* the same from the raw tables (the drill-down's baseline) */
    REPORT_TREND,          /* $1 month, $2 units text[]: 12 months of counts, city and units */
    REPORT_HOT_CATEGORIES, /* $1 month: tickets per category, month and 3 before */
    REPORT_HOT_AREAS,      /* $1 month: tickets per area, month and 3 before */
    REPORT_HOT_ADDRESSES,  /* $1 month, $2 top: the busiest addresses */
    REPORT_OVERDUE,        /* $1 unit or NULL: open tickets past a running deadline now */
    REPORT_NOW,            /* the transaction's time, ms since the epoch */
    /* minhu-admin gen (writes) */
    REPORT_GEN_UNITS,        /* code, kind, parent, population, name of the active units */
    REPORT_GEN_CATEGORIES,   /* code, name, parent, parent's name of the active leaves */
    REPORT_GEN_TOKEN,        /* $1 random text: a revoked operator token "minhu-gen"; its id */
    REPORT_GEN_NUMBERS,      /* $1 count: reserves that many ticket numbers, returns the last */
    REPORT_GEN_SUPERUSER,    /* 't' when the session may skip triggers */
    REPORT_GEN_BULK,         /* skip triggers (FK checks, the report trigger) in this session */
    REPORT_GEN_COPY_TICKETS, /* COPY tickets FROM STDIN, the columns gen writes */
    REPORT_GEN_COPY_EVENTS,  /* COPY ticket_events FROM STDIN */
    REPORT_GEN_ANALYZE,      /* fresh statistics */
    REPORT_GEN_TMP_SUMMARY,  /* temporary tables for the figures gen computed itself */
    REPORT_GEN_TMP_HANDLING,
    REPORT_GEN_COPY_SUMMARY, /* COPY into them */
    REPORT_GEN_COPY_HANDLING,
    REPORT_GEN_COPY_MARKS,    /* COPY report_marks FROM STDIN */
    REPORT_GEN_MERGE_SUMMARY, /* adds them to report_unit_month / report_handling */
    REPORT_GEN_MERGE_HANDLING,
    REPORT__COUNT
} ReportStmtId;

typedef struct ReportStmt {
    const char *sql;
    int nparams;
} ReportStmt;

/* The statement id.  Borrowed, static; NULL for an unknown id. */
const ReportStmt *store_report_stmt(ReportStmtId id);

/* The text of REPORT_RANKING, also in the server's registry (STMT_REPORT_RANKING). */
extern const char store_report_ranking_sql[];

/*
 * Decodes a REPORT_RANKING result: *units receives a new array of its rows
 * (free() it; strings borrowed from r) and *n their count; *s the settings
 * the database holds (weights of the kind, 基本满意, minimum population, list
 * size).  ERR_INTERNAL on a malformed row or out of memory.
 */
Err store_report_ranking_decode(const PGresult *r, RankUnit **units, size_t *n, RankSettings *s,
                                ErrInfo *ei);

/* The texts of REPORT_HOT_CATEGORIES, REPORT_HOT_AREAS and REPORT_HOT_ADDRESSES,
 * also in the server's registry (STMT_REPORT_HOT_*). */
extern const char store_report_hot_categories_sql[];
extern const char store_report_hot_areas_sql[];
extern const char store_report_hot_addresses_sql[];

/*
 * Decodes the result of the hotspot statement of list (REPORT_HOT_CATEGORIES
 * for HOTSPOT_CATEGORIES, ...): out->rows receives a new array of its rows
 * (free() it; strings borrowed from r), out->n their count.  ERR_INTERNAL on
 * a result of another shape or out of memory.
 */
Err store_report_hot_decode(const PGresult *r, HotspotList list, HotspotRows *out, ErrInfo *ei);

/* Columns of REPORT_FAST_ALL and REPORT_BASELINE, in this order. */
typedef enum ReportFigure {
    RF_POPULATION = 0,
    RF_RESPONDED,
    RF_RESOLVED,
    RF_SAT_GOOD,
    RF_SAT_BASIC,
    RF_VOLUME,
    RF_RETURNS,
    RF_REOPENS,
    RF_EXTENSIONS,
    RF_OVERDUE_ACCEPT,
    RF_OVERDUE_CONTACT,
    RF_OVERDUE_REPLY,
    RF_OVERDUE_ASSIST,
    RF__COUNT
} ReportFigure;

/* The column name of a figure ("population", ...). */
const char *report_figure_name(ReportFigure f);

/* Parses a decimal number of hours with at most one decimal ("30.5") into
 * tenths; NULL or "" is -1. */
int store_report_tenths(const char *text);

#endif
