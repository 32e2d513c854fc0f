/*
 * ranking.h — the monthly 三率 assessment of units (domain.md §5): rates,
 * composite score, competition ranking within a kind, rank change, red and
 * black lists, and 约谈 marks.  docs/ranking.md is the same in plain words.
 *
 * The caller hands in per-unit counts for the month and the month before
 * (from the database); everything here is integer arithmetic on those counts,
 * so two equal scores are equal exactly and the rounding is the documented
 * one (half up), never a floating-point accident.
 *
 * What this module must not do: I/O, read the clock, allocate.  Pure C.
 */
#ifndef MINHU_CORE_RANKING_H
#define MINHU_CORE_RANKING_H

#include <stdbool.h>
#include <stddef.h>

/* Weights in ten-thousandths; the three sum to RANK_WEIGHT_ONE. */
#define RANK_WEIGHT_ONE 10000

typedef struct RankWeights {
    int response;
    int resolution;
    int satisfaction;
} RankWeights;

typedef struct RankSettings {
    RankWeights w;
    bool count_basic;   /* 基本满意 (3) counts as satisfied */
    int min_population; /* units below it are listed, not ranked (default 10) */
    int list_size;      /* red / black list length (default 5) */
} RankSettings;

/* The defaults of domain.md §5: 0.30 / 0.35 / 0.35, 3 counts, 10, 5. */
void ranking_settings_default(RankSettings *s);

/* True when every weight is 0..RANK_WEIGHT_ONE and they sum to RANK_WEIGHT_ONE,
 * and min_population, list_size are at least 1. */
bool ranking_settings_valid(const RankSettings *s);

/* One unit's scored counts for one month. */
typedef struct RankCounts {
    int population; /* closing callbacks that count */
    int responded;  /* ... contacted = yes, contact in time */
    int resolved;   /* ... resolved = yes */
    int sat_good;   /* ... satisfaction 4 or 5 */
    int sat_basic;  /* ... satisfaction 3 */
} RankCounts;

typedef enum RankOverdue {
    RANK_OVERDUE_ACCEPT = 0,
    RANK_OVERDUE_CONTACT,
    RANK_OVERDUE_REPLY,
    RANK_OVERDUE_ASSIST,
    RANK_OVERDUE__COUNT
} RankOverdue;

/* The JSON key of each overdue count ("accept", "contact", "reply", "assist"). */
const char *rank_overdue_name(RankOverdue o);

/*
 * A unit in the ranking.  The caller fills the inputs; ranking_compute()
 * fills the results.  Strings are borrowed (from the database result).
 */
typedef struct RankUnit {
    /* inputs */
    const char *code;
    const char *name;
    const char *kind;
    RankCounts cur;  /* the month */
    RankCounts prev; /* the month before */
    int volume, returns, reopens, extensions;
    int overdue[RANK_OVERDUE__COUNT];
    int median_tenths; /* median handling time in tenths of an hour; -1 when none */

    /* results */
    bool scored;           /* population > 0: rates and score are defined */
    int rate_response;     /* ten-thousandths (0..10000), when scored */
    int rate_resolution;   /* ditto */
    int rate_satisfaction; /* ditto */
    int score;             /* hundredths of a point (0..10000), when scored */
    int prev_score;        /* the same for the month before */
    int rank;              /* 1.., or 0 when not ranked (under the minimum population) */
    int prev_rank;         /* the same for the month before */
    bool has_rank_change;  /* rank and prev_rank both set */
    int rank_change;       /* prev_rank - rank: positive when the unit moved up */
    bool red;              /* top list_size of the kind */
    bool black;            /* bottom list_size among the ranked, not on the red list */
    bool prev_black;       /* on the black list the month before */
    bool interview;        /* black this month and the month before: 约谈 */
} RankUnit;

/* Rate k / n in ten-thousandths, rounded half up; 0 when n <= 0. */
int ranking_rate(int k, int n);

/* Score of counts c in hundredths of a point, rounded half up: 100 ×
 * (wR·R + wS·S + wM·M) with exact fractions R, S, M; 0 when population <= 0. */
int ranking_score(const RankCounts *c, const RankSettings *s);

/*
 * Ranks units u[0..n) of one kind: rates, scores, competition ranks (equal
 * scores share a rank: 1, 2, 2, 4) for the month and the month before, rank
 * change, red and black lists and 约谈 marks.  order[0..n) receives the
 * display order: ranked units by rank (ties by code), then the unranked ones
 * by code.  order may be NULL.
 *
 * Lists: with k = min(list_size, ranked / 2), the red list holds the units
 * ranked k or better, the black list those ranked k or better from the
 * bottom (ties at the edge included, so a list may be longer than k), less
 * any unit on the red list.
 */
void ranking_compute(RankUnit *u, size_t n, const RankSettings *s, size_t *order);

#endif
