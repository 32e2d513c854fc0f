/*
 * ranking.c — rates, scores, ranks and lists of the monthly assessment.
 *
 * Integer arithmetic only: rates are ten-thousandths and scores hundredths,
 * both rounded half up from exact fractions of the counts, so ties are exact.
 */
#include "core/ranking.h"

#include <string.h>

void
ranking_settings_default(RankSettings *s)
{
    memset(s, 0, sizeof *s);
    s->w.response = 3000;
    s->w.resolution = 3500;
    s->w.satisfaction = 3500;
    s->count_basic = true;
    s->min_population = 10;
    s->list_size = 5;
}

bool
ranking_settings_valid(const RankSettings *s)
{
    const int w[3] = {s->w.response, s->w.resolution, s->w.satisfaction};

    for (int i = 0; i < 3; i++)
        if (w[i] < 0 || w[i] > RANK_WEIGHT_ONE)
            return false;
    return w[0] + w[1] + w[2] == RANK_WEIGHT_ONE && s->min_population >= 1 && s->list_size >= 1;
}

const char *
rank_overdue_name(RankOverdue o)
{
    switch (o) {
    case RANK_OVERDUE_ACCEPT:
        return "accept";
    case RANK_OVERDUE_CONTACT:
        return "contact";
    case RANK_OVERDUE_REPLY:
        return "reply";
    case RANK_OVERDUE_ASSIST:
        return "assist";
    default:
        return "";
    }
}

/* round(num / den) half up, for num >= 0, den > 0. */
static long long
div_half_up(long long num, long long den)
{
    return (2 * num + den) / (2 * den);
}

int
ranking_rate(int k, int n)
{
    if (n <= 0 || k <= 0)
        return 0;
    return (int) div_half_up((long long) k * 10000, n);
}

static int
satisfied(const RankCounts *c, const RankSettings *s)
{
    return c->sat_good + (s->count_basic ? c->sat_basic : 0);
}

int
ranking_score(const RankCounts *c, const RankSettings *s)
{
    long long num;

    if (c->population <= 0)
        return 0;
    /* hundredths = 100 · 100 · Σ (W/10000) · k / n = Σ W · k / n */
    num = (long long) s->w.response * c->responded + (long long) s->w.resolution * c->resolved +
          (long long) s->w.satisfaction * satisfied(c, s);
    return (int) div_half_up(num, c->population);
}

static bool
is_ranked(const RankCounts *c, const RankSettings *s)
{
    return c->population > 0 && c->population >= s->min_population;
}

/*
 * Competition ranks for one month (the month before when prev): rank = 1 +
 * ranked units scoring strictly higher, from the bottom = 1 + ranked units
 * scoring strictly lower; then the lists.  O(n²) over a kind's units (a few
 * hundred at most) and no work memory.
 */
static void
rank_month(RankUnit *u, size_t n, const RankSettings *s, bool prev)
{
    size_t ranked = 0, k;

    for (size_t i = 0; i < n; i++) {
        const RankCounts *c = prev ? &u[i].prev : &u[i].cur;
        int sc = ranking_score(c, s);

        if (prev)
            u[i].prev_score = sc;
        else
            u[i].score = sc;
        ranked += is_ranked(c, s);
    }
    k = ranked / 2 < (size_t) s->list_size ? ranked / 2 : (size_t) s->list_size;
    for (size_t i = 0; i < n; i++) {
        const RankCounts *ci = prev ? &u[i].prev : &u[i].cur;
        int si = prev ? u[i].prev_score : u[i].score;
        size_t rank = 1, from_bottom = 1;
        bool red, black;

        if (!is_ranked(ci, s)) {
            if (prev) {
                u[i].prev_rank = 0;
                u[i].prev_black = false;
            } else {
                u[i].rank = 0;
                u[i].red = u[i].black = false;
            }
            continue;
        }
        for (size_t j = 0; j < n; j++) {
            int sj = prev ? u[j].prev_score : u[j].score;

            if (j == i || !is_ranked(prev ? &u[j].prev : &u[j].cur, s))
                continue;
            if (sj > si)
                rank++;
            else if (sj < si)
                from_bottom++;
        }
        red = rank <= k;
        black = !red && from_bottom <= k;
        if (prev) {
            u[i].prev_rank = (int) rank;
            u[i].prev_black = black;
        } else {
            u[i].rank = (int) rank;
            u[i].red = red;
            u[i].black = black;
        }
    }
}

/* Display order: ranked first by rank then code, then unranked by code. */
static bool
before(const RankUnit *a, const RankUnit *b)
{
    const char *ca = a->code ? a->code : "", *cb = b->code ? b->code : "";

    if ((a->rank > 0) != (b->rank > 0))
        return a->rank > 0;
    if (a->rank != b->rank)
        return a->rank < b->rank;
    return strcmp(ca, cb) < 0;
}

void
ranking_compute(RankUnit *u, size_t n, const RankSettings *s, size_t *order)
{
    rank_month(u, n, s, true);
    rank_month(u, n, s, false);
    for (size_t i = 0; i < n; i++) {
        RankUnit *x = &u[i];

        x->scored = x->cur.population > 0;
        x->rate_response = ranking_rate(x->cur.responded, x->cur.population);
        x->rate_resolution = ranking_rate(x->cur.resolved, x->cur.population);
        x->rate_satisfaction = ranking_rate(satisfied(&x->cur, s), x->cur.population);
        x->has_rank_change = x->rank > 0 && x->prev_rank > 0;
        x->rank_change = x->has_rank_change ? x->prev_rank - x->rank : 0;
        x->interview = x->black && x->prev_black;
    }

    if (order == NULL)
        return;
    /* Insertion sort: a kind has a few hundred units at most. */
    for (size_t i = 0; i < n; i++) {
        size_t j = i;

        order[i] = i;
        while (j > 0 && before(&u[order[j]], &u[order[j - 1]])) {
            size_t t = order[j];

            order[j] = order[j - 1];
            order[j - 1] = t;
            j--;
        }
    }
}
