/*
 * hotspot.h — the rows of the hotspot report (每月一题): categories, areas
 * and addresses with their tickets in a month and in the three months before.
 *
 * Plain data handed from the statement decoder (lib/store/report.c) to the
 * document builder (lib/report/model.c), as RankUnit is for the ranking.
 * Types only: nothing here allocates, reads or decides.
 */
#ifndef MINHU_CORE_HOTSPOT_H
#define MINHU_CORE_HOTSPOT_H

#include <stddef.h>

/* The three lists of the report, in the order they are read and written. */
typedef enum HotspotList {
    HOTSPOT_CATEGORIES = 0,
    HOTSPOT_AREAS,
    HOTSPOT_ADDRESSES,
    HOTSPOT__COUNT
} HotspotList;

/* One category, area or address.  Strings are borrowed (from a PGresult). */
typedef struct HotspotRow {
    const char *code;    /* category or area code; for an address its area, NULL when none */
    const char *name;    /* the category's or area's name, NULL when unknown */
    const char *address; /* HOTSPOT_ADDRESSES only, else NULL */
    int count;           /* tickets created in the month */
    int previous;        /* tickets created in the three months before it */
} HotspotRow;

/* One list: rows[0..n), by count, highest first (the statements' order). */
typedef struct HotspotRows {
    HotspotRow *rows; /* owned by whoever decoded them */
    size_t n;
} HotspotRows;

#endif
