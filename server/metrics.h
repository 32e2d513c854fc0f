/*
 * metrics.h — counters and latency histograms of this process, rendered
 * as Prometheus text at GET /metrics.
 */
#ifndef MINHU_SERVER_METRICS_H
#define MINHU_SERVER_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "db/pgpool.h"

/* Records one finished request: its route name, status and duration. */
void metrics_request(const char *route, int status, int64_t duration_us);

/* Records one fired SLA timer: its kind, effect (applied/stale) and due → committed lag. */
void metrics_timer_fired(const char *kind, const char *effect, int64_t lag_ms);

/* Renders every metric (and the pool's state) as Prometheus text; new string, free(). */
char *metrics_render(const PgPool *pool, size_t *len);

#endif
