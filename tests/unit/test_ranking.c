/*
 * test_ranking.c — the monthly assessment arithmetic (domain.md §5): rates
 * and scores rounded half up from exact fractions, competition ranks with
 * ties, the minimum population, rank change, red/black lists and 约谈.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "core/ranking.h"

static RankCounts
counts(int pop, int resp, int reso, int good, int basic)
{
    RankCounts c = {pop, resp, reso, good, basic};

    return c;
}

static void
test_settings(void)
{
    RankSettings s;

    ranking_settings_default(&s);
    CHECK_INT(s.w.response, 3000);
    CHECK_INT(s.w.resolution, 3500);
    CHECK_INT(s.w.satisfaction, 3500);
    CHECK(s.count_basic);
    CHECK_INT(s.min_population, 10);
    CHECK_INT(s.list_size, 5);
    CHECK(ranking_settings_valid(&s));
    s.w.response = 3001;
    CHECK(!ranking_settings_valid(&s)); /* sums to 10001 */
    s.w.response = -1;
    s.w.resolution = 4501;
    CHECK(!ranking_settings_valid(&s));
    ranking_settings_default(&s);
    s.min_population = 0;
    CHECK(!ranking_settings_valid(&s));
    ranking_settings_default(&s);
    s.list_size = 0;
    CHECK(!ranking_settings_valid(&s));
    CHECK_STR(rank_overdue_name(RANK_OVERDUE_ACCEPT), "accept");
    CHECK_STR(rank_overdue_name(RANK_OVERDUE_ASSIST), "assist");
    CHECK_STR(rank_overdue_name(RANK_OVERDUE__COUNT), "");
}

static void
test_rate(void)
{
    CHECK_INT(ranking_rate(0, 0), 0);
    CHECK_INT(ranking_rate(5, 0), 0);
    CHECK_INT(ranking_rate(0, 7), 0);
    CHECK_INT(ranking_rate(7, 7), 10000);
    CHECK_INT(ranking_rate(1, 3), 3333); /* 3333.33 */
    CHECK_INT(ranking_rate(2, 3), 6667); /* 6666.67 */
    CHECK_INT(ranking_rate(1, 16), 625); /* exact */
    CHECK_INT(ranking_rate(1, 32), 313); /* 312.5: half up */
    CHECK_INT(ranking_rate(3, 64), 469); /* 468.75 */
    CHECK_INT(ranking_rate(991, 1000), 9910);
    CHECK_INT(ranking_rate(812, 812), 10000);
    CHECK_INT(ranking_rate(1, 20000), 1); /* 0.5: half up */
    CHECK_INT(ranking_rate(1, 20001), 0); /* 0.49998 */
}

static void
test_score(void)
{
    RankSettings s;
    RankCounts c;

    ranking_settings_default(&s);
    /* 0.30·0.9 + 0.35·0.8 + 0.35·(6+1)/10 = 0.795 → 79.50 */
    c = counts(10, 9, 8, 6, 1);
    CHECK_INT(ranking_score(&c, &s), 7950);
    s.count_basic = false; /* 0.27 + 0.28 + 0.35·0.6 = 0.76 */
    CHECK_INT(ranking_score(&c, &s), 7600);
    s.count_basic = true;
    /* 100 · 0.3 · 1/16 = 1.875 → 1.88 (half up, not a float accident) */
    c = counts(16, 1, 0, 0, 0);
    CHECK_INT(ranking_score(&c, &s), 188);
    /* all good */
    c = counts(812, 812, 812, 700, 112);
    CHECK_INT(ranking_score(&c, &s), 10000);
    /* nothing counted */
    c = counts(0, 0, 0, 0, 0);
    CHECK_INT(ranking_score(&c, &s), 0);
    /* thirds: 0.3·1/3 + 0.35·2/3 + 0.35·1 = 0.1 + 0.23333 + 0.35 = 68.333 → 68.33 */
    c = counts(3, 1, 2, 3, 0);
    CHECK_INT(ranking_score(&c, &s), 6833);
    /* other weights (departments weighted differently): 0.2/0.4/0.4 */
    s.w.response = 2000;
    s.w.resolution = 4000;
    s.w.satisfaction = 4000;
    c = counts(10, 9, 8, 6, 1); /* 0.18 + 0.32 + 0.28 = 78.00 */
    CHECK_INT(ranking_score(&c, &s), 7800);
}

/* n units U01.. with given populations and "responded" counts (resolution
 * and satisfaction equal to responded, so score = 100 · k / pop). */
static void
make_units(RankUnit *u, char names[][16], size_t n, const int *pop, const int *k)
{
    memset(u, 0, n * sizeof *u);
    for (size_t i = 0; i < n; i++) {
        snprintf(names[i], 16, "U%03u", (unsigned) (i + 1) % 1000u);
        u[i].code = names[i];
        u[i].name = names[i];
        u[i].kind = "street";
        u[i].cur = counts(pop[i], k[i], k[i], k[i], 0);
        u[i].median_tenths = -1;
    }
}

static void
test_ranks_and_ties(void)
{
    enum { N = 6 };
    static const int pop[N] = {100, 100, 100, 100, 9, 0};
    static const int k[N] = {90, 95, 95, 80, 9, 0}; /* scores 90, 95, 95, 80, 100, - */
    RankUnit u[N];
    char names[N][16];
    size_t order[N];
    RankSettings s;

    ranking_settings_default(&s);
    make_units(u, names, N, pop, k);
    ranking_compute(u, N, &s, order);
    CHECK_INT(u[1].rank, 1); /* 95 */
    CHECK_INT(u[2].rank, 1); /* 95: shares rank 1 */
    CHECK_INT(u[0].rank, 3); /* 90: competition ranking skips 2 */
    CHECK_INT(u[3].rank, 4); /* 80 */
    CHECK_INT(u[4].rank, 0); /* population 9 < 10: listed, not ranked */
    CHECK(u[4].scored);      /* ... but scored */
    CHECK_INT(u[4].score, 10000);
    CHECK_INT(u[5].rank, 0);
    CHECK(!u[5].scored);
    CHECK_INT(u[0].score, 9000);
    CHECK_INT(u[0].rate_response, 9000);
    CHECK_INT(u[0].rate_resolution, 9000);
    CHECK_INT(u[0].rate_satisfaction, 9000);
    /* display order: by rank then code, then the unranked by code */
    CHECK_INT(order[0], 1);
    CHECK_INT(order[1], 2);
    CHECK_INT(order[2], 0);
    CHECK_INT(order[3], 3);
    CHECK_INT(order[4], 4);
    CHECK_INT(order[5], 5);
    /* 4 ranked: k = min(5, 4/2) = 2 → red ranks ≤ 2 (both 95s), black the
     * two lowest (90 and 80) */
    CHECK(u[1].red && u[2].red);
    CHECK(!u[0].red && u[0].black);
    CHECK(u[3].black);
    CHECK(!u[4].red && !u[4].black); /* unranked units are on no list */
    /* no previous month: no rank change, no 约谈 */
    for (size_t i = 0; i < N; i++) {
        CHECK(!u[i].has_rank_change);
        CHECK(!u[i].interview);
        CHECK_INT(u[i].prev_rank, 0);
    }
}

static void
test_minimum_population(void)
{
    enum { N = 3 };
    static const int pop[N] = {10, 9, 11};
    static const int k[N] = {5, 9, 11};
    RankUnit u[N];
    char names[N][16];
    RankSettings s;

    ranking_settings_default(&s);
    make_units(u, names, N, pop, k);
    ranking_compute(u, N, &s, NULL);
    CHECK_INT(u[0].rank, 2); /* exactly 10: ranked */
    CHECK_INT(u[1].rank, 0); /* 9: not */
    CHECK_INT(u[2].rank, 1);
    s.min_population = 12; /* configurable */
    ranking_compute(u, N, &s, NULL);
    CHECK_INT(u[0].rank, 0);
    CHECK_INT(u[2].rank, 0);
    s.min_population = 1;
    ranking_compute(u, N, &s, NULL);
    CHECK_INT(u[1].rank, 1); /* 100 with 9 */
    CHECK_INT(u[2].rank, 1);
    CHECK_INT(u[0].rank, 3);
}

static void
test_lists_twelve(void)
{
    enum { N = 12 };
    int pop[N], k[N];
    RankUnit u[N];
    char names[N][16];
    RankSettings s;
    int red = 0, black = 0;

    for (int i = 0; i < N; i++) {
        pop[i] = 100;
        k[i] = 99 - i; /* U01 best .. U12 worst, all distinct */
    }
    ranking_settings_default(&s);
    make_units(u, names, N, pop, k);
    ranking_compute(u, N, &s, NULL);
    for (int i = 0; i < N; i++) {
        CHECK_INT(u[i].rank, i + 1);
        CHECK(u[i].red == (i < 5));
        CHECK(u[i].black == (i >= 7));
        red += u[i].red;
        black += u[i].black;
    }
    CHECK_INT(red, 5);
    CHECK_INT(black, 5);
    /* a list size of 3 */
    s.list_size = 3;
    ranking_compute(u, N, &s, NULL);
    CHECK(u[2].red && !u[3].red);
    CHECK(u[9].black && !u[8].black);
}

static void
test_lists_small_and_ties(void)
{
    enum { N = 9 };
    static const int pop[N] = {50, 50, 50, 50, 50, 50, 50, 50, 50};
    int k[N] = {50, 49, 48, 47, 46, 45, 44, 43, 42};
    RankUnit u[N];
    char names[N][16];
    RankSettings s;

    ranking_settings_default(&s);
    /* 9 ranked units: k = min(5, 4) = 4; the middle one is on neither list */
    make_units(u, names, N, pop, k);
    ranking_compute(u, N, &s, NULL);
    for (int i = 0; i < N; i++) {
        CHECK(u[i].red == (i < 4));
        CHECK(u[i].black == (i >= 5));
    }
    /* a tie at the edge of the black list: both units are on it */
    k[4] = 44; /* U05 ties U07 (44) */
    k[5] = 45;
    make_units(u, names, N, pop, k);
    ranking_compute(u, N, &s, NULL);
    /* scores: 100 98 96 94 88 90 88 86 84 → from the bottom: U09 1, U08 2,
     * U05 and U07 3, U06 5 */
    CHECK_INT(u[4].rank, 6);
    CHECK_INT(u[6].rank, 6);
    CHECK(u[4].black && u[6].black && u[7].black && u[8].black);
    CHECK(!u[5].black);
    /* everyone equal: all share rank 1, all red, nobody black */
    for (int i = 0; i < N; i++)
        k[i] = 40;
    make_units(u, names, N, pop, k);
    ranking_compute(u, N, &s, NULL);
    for (int i = 0; i < N; i++) {
        CHECK_INT(u[i].rank, 1);
        CHECK(u[i].red);
        CHECK(!u[i].black);
    }
    /* one ranked unit: k = 0, no lists */
    make_units(u, names, 1, pop, k);
    ranking_compute(u, 1, &s, NULL);
    CHECK_INT(u[0].rank, 1);
    CHECK(!u[0].red && !u[0].black);
    /* two: one each */
    k[0] = 30;
    make_units(u, names, 2, pop, k);
    ranking_compute(u, 2, &s, NULL);
    CHECK(u[1].red && u[0].black);
}

static void
test_rank_change_and_interview(void)
{
    enum { N = 10 };
    RankUnit u[N];
    char names[N][16];
    int pop[N], k[N];
    RankSettings s;

    for (int i = 0; i < N; i++) {
        pop[i] = 20;
        k[i] = 20 - i; /* this month U01 best */
    }
    ranking_settings_default(&s);
    make_units(u, names, N, pop, k);
    /* last month: reversed order, U10 best, U01 worst; U05 was too small */
    for (int i = 0; i < N; i++)
        u[i].prev = counts(20, 11 + i, 11 + i, 11 + i, 0);
    u[4].prev = counts(5, 5, 5, 5, 0);
    ranking_compute(u, N, &s, NULL);
    CHECK_INT(u[0].rank, 1);
    CHECK_INT(u[0].prev_rank, 9); /* 9 ranked last month, U01 last */
    CHECK(u[0].has_rank_change);
    CHECK_INT(u[0].rank_change, 8); /* up 8 */
    CHECK_INT(u[9].rank, 10);
    CHECK_INT(u[9].prev_rank, 1);
    CHECK_INT(u[9].rank_change, -9);
    CHECK_INT(u[4].prev_rank, 0);
    CHECK(!u[4].has_rank_change);
    /* last month 9 ranked: k = 4: black were U01..U04 (prev ranks 6..9);
     * this month black are U06..U10.  Nobody is black both months. */
    for (int i = 0; i < N; i++)
        CHECK(!u[i].interview);
    CHECK(u[0].prev_black && u[3].prev_black && !u[5].prev_black);

    /* Now U09, U10 stay at the bottom two months running: 约谈 */
    for (int i = 0; i < N; i++)
        u[i].prev = counts(20, 20 - i, 20 - i, 20 - i, 0);
    ranking_compute(u, N, &s, NULL);
    for (int i = 0; i < N; i++) {
        CHECK(u[i].interview == (i >= 5));
        CHECK_INT(u[i].rank_change, 0);
        CHECK(u[i].has_rank_change);
    }
}

static void
test_satisfaction_setting_changes_ranks(void)
{
    enum { N = 2 };
    RankUnit u[N];
    char names[N][16];
    static const int pop[N] = {10, 10};
    static const int k[N] = {10, 10};
    RankSettings s;

    ranking_settings_default(&s);
    make_units(u, names, N, pop, k);
    u[0].cur = counts(10, 10, 10, 5, 5); /* half 基本满意 */
    u[1].cur = counts(10, 10, 10, 8, 0); /* 8 of 10 satisfied, none basic */
    ranking_compute(u, N, &s, NULL);
    CHECK_INT(u[0].score, 10000);
    CHECK_INT(u[1].score, 9300); /* 30 + 35 + 28 */
    CHECK_INT(u[0].rank, 1);
    CHECK_INT(u[0].rate_satisfaction, 10000);
    s.count_basic = false;
    ranking_compute(u, N, &s, NULL);
    CHECK_INT(u[0].score, 8250); /* 30 + 35 + 17.5 */
    CHECK_INT(u[0].rate_satisfaction, 5000);
    CHECK_INT(u[0].rank, 2);
    CHECK_INT(u[1].rank, 1);
}

static void
test_many_units(void)
{
    enum { N = 600 };
    static RankUnit u[N];
    static char names[N][16];
    static int pop[N], k[N];
    static size_t order[N];
    RankSettings s;
    int red = 0, black = 0;

    for (int i = 0; i < N; i++) {
        pop[i] = 1000;
        k[i] = 999 - (i / 2); /* pairs tie */
    }
    ranking_settings_default(&s);
    make_units(u, names, N, pop, k);
    ranking_compute(u, N, &s, order);
    for (int i = 0; i < N; i++) {
        CHECK_INT(u[i].rank, (i / 2) * 2 + 1);
        red += u[i].red;
        black += u[i].black;
        CHECK_INT(order[i], i);
    }
    CHECK_INT(red, 6);   /* ranks 1, 1, 3, 3, 5, 5 */
    CHECK_INT(black, 6); /* the bottom three pairs */
}

int
main(void)
{
    RUN(test_settings);
    RUN(test_rate);
    RUN(test_score);
    RUN(test_ranks_and_ties);
    RUN(test_minimum_population);
    RUN(test_lists_twelve);
    RUN(test_lists_small_and_ties);
    RUN(test_rank_change_and_interview);
    RUN(test_satisfaction_setting_changes_ranks);
    RUN(test_many_units);
    return CHECK_DONE();
}
