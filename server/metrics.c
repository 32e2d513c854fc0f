/*
 * metrics.c — request counters per route and status class, and one latency
 * histogram per route.  Single-threaded (the event loop), so no locking.
 */
#include "metrics.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROUTES 32

static const double bucket_ms[] = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000};
#define N_BUCKETS (sizeof bucket_ms / sizeof bucket_ms[0])

typedef struct RouteStats {
    const char *route; /* static string from the routing table */
    unsigned long long by_class[6];
    unsigned long long buckets[N_BUCKETS + 1];
    unsigned long long count;
    double sum_s;
} RouteStats;

static RouteStats stats[MAX_ROUTES];
static int n_stats;

void
metrics_request(const char *route, int status, int64_t duration_us)
{
    RouteStats *s = NULL;
    double ms = (double) duration_us / 1000.0;
    size_t b;

    for (int i = 0; i < n_stats; i++)
        if (strcmp(stats[i].route, route) == 0)
            s = &stats[i];
    if (s == NULL) {
        if (n_stats == MAX_ROUTES)
            return;
        s = &stats[n_stats++];
        s->route = route;
    }
    if (status >= 100 && status < 600)
        s->by_class[status / 100]++;
    for (b = 0; b < N_BUCKETS && ms > bucket_ms[b]; b++)
        ;
    s->buckets[b]++;
    s->count++;
    s->sum_s += ms / 1000.0;
}

/* SLA timers fired, by kind and effect, and the firing lag histogram. */
static const double lag_bucket_ms[] = {10, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 60000};
#define N_LAG (sizeof lag_bucket_ms / sizeof lag_bucket_ms[0])
static const char *const timer_kinds[] = {"warning", "overdue", "report"};
static unsigned long long fired[3][2]; /* kind × {applied, stale} */
static unsigned long long lag_buckets[N_LAG + 1], lag_count;
static double lag_sum_s;

void
metrics_timer_fired(const char *kind, const char *effect, int64_t lag_ms)
{
    size_t b;

    for (int k = 0; k < 3; k++)
        if (strcmp(kind, timer_kinds[k]) == 0)
            fired[k][strcmp(effect, "applied") == 0 ? 0 : 1]++;
    if (lag_ms < 0)
        lag_ms = 0;
    for (b = 0; b < N_LAG && (double) lag_ms > lag_bucket_ms[b]; b++)
        ;
    lag_buckets[b]++;
    lag_count++;
    lag_sum_s += (double) lag_ms / 1000.0;
}

/* A growing text buffer; on allocation failure it stops growing and render returns NULL. */
typedef struct Buf {
    char *s;
    size_t len, cap;
    int failed;
} Buf;

static void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
buf_printf(Buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (b->failed)
        return;
    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->failed = 1;
            return;
        }
        if ((size_t) n < b->cap - b->len) {
            b->len += (size_t) n;
            return;
        }
        size_t ncap = b->cap * 2 + (size_t) n;
        char *ns = realloc(b->s, ncap);
        if (ns == NULL) {
            b->failed = 1;
            return;
        }
        b->s = ns;
        b->cap = ncap;
    }
}

char *
metrics_render(const PgPool *pool, size_t *len)
{
    Buf b = {malloc(4096), 0, 4096, 0};
    PgPoolStats ps;

    if (b.s == NULL)
        return NULL;
    b.s[0] = '\0';
    buf_printf(&b, "# HELP minhu_http_requests_total HTTP requests by route and status class.\n"
                   "# TYPE minhu_http_requests_total counter\n");
    for (int i = 0; i < n_stats; i++)
        for (int c = 1; c < 6; c++)
            if (stats[i].by_class[c])
                buf_printf(&b, "minhu_http_requests_total{route=\"%s\",code=\"%dxx\"} %llu\n",
                           stats[i].route, c, stats[i].by_class[c]);
    buf_printf(&b, "# HELP minhu_http_request_duration_seconds Time from request to reply.\n"
                   "# TYPE minhu_http_request_duration_seconds histogram\n");
    for (int i = 0; i < n_stats; i++) {
        unsigned long long cum = 0;

        for (size_t k = 0; k < N_BUCKETS; k++) {
            cum += stats[i].buckets[k];
            buf_printf(&b,
                       "minhu_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                       stats[i].route, bucket_ms[k] / 1000.0, cum);
        }
        buf_printf(&b,
                   "minhu_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n"
                   "minhu_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
                   "minhu_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
                   stats[i].route, stats[i].count, stats[i].route, stats[i].sum_s, stats[i].route,
                   stats[i].count);
    }
    buf_printf(&b, "# HELP minhu_sla_timers_fired_total SLA timer points fired by this process.\n"
                   "# TYPE minhu_sla_timers_fired_total counter\n");
    for (int k = 0; k < 3; k++)
        for (int e = 0; e < 2; e++)
            buf_printf(&b, "minhu_sla_timers_fired_total{kind=\"%s\",effect=\"%s\"} %llu\n",
                       timer_kinds[k], e == 0 ? "applied" : "stale", fired[k][e]);
    buf_printf(&b, "# HELP minhu_sla_firing_lag_seconds From a timer's due time to its effect "
                   "committed.\n# TYPE minhu_sla_firing_lag_seconds histogram\n");
    {
        unsigned long long cum = 0;

        for (size_t k = 0; k < N_LAG; k++) {
            cum += lag_buckets[k];
            buf_printf(&b, "minhu_sla_firing_lag_seconds_bucket{le=\"%g\"} %llu\n",
                       lag_bucket_ms[k] / 1000.0, cum);
        }
        buf_printf(&b,
                   "minhu_sla_firing_lag_seconds_bucket{le=\"+Inf\"} %llu\n"
                   "minhu_sla_firing_lag_seconds_sum %.6f\n"
                   "minhu_sla_firing_lag_seconds_count %llu\n",
                   lag_count, lag_sum_s, lag_count);
    }
    pgpool_stats(pool, &ps);
    buf_printf(&b,
               "# TYPE minhu_db_connections gauge\nminhu_db_connections %d\n"
               "# TYPE minhu_db_connections_usable gauge\nminhu_db_connections_usable %d\n"
               "# TYPE minhu_db_connections_busy gauge\nminhu_db_connections_busy %d\n"
               "# TYPE minhu_db_queue_length gauge\nminhu_db_queue_length %d\n"
               "# TYPE minhu_db_jobs_total counter\nminhu_db_jobs_total %llu\n"
               "# TYPE minhu_db_job_failures_total counter\nminhu_db_job_failures_total %llu\n"
               "# TYPE minhu_db_connects_total counter\nminhu_db_connects_total %llu\n"
               "# HELP minhu_db_groups_total Pipelines that committed several intakes together.\n"
               "# TYPE minhu_db_groups_total counter\nminhu_db_groups_total %llu\n"
               "# TYPE minhu_db_grouped_jobs_total counter\nminhu_db_grouped_jobs_total %llu\n",
               ps.size, ps.usable, ps.busy, ps.queued, ps.jobs, ps.failures, ps.reconnects,
               ps.groups, ps.grouped);
    if (b.failed) {
        free(b.s);
        return NULL;
    }
    *len = b.len;
    return b.s;
}
