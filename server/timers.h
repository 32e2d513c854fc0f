/*
 * timers.h — the SLA timer engine of one minhud.
 *
 * Keeps one libevent timer armed for the earliest pending point it knows of
 * (asked of the database, never loaded in bulk), re-arms when a NOTIFY on
 * minhu_timers announces an earlier one, and on waking fires due timers in
 * batches through minhu_fire_timers() — claim, effect and "fired" mark in one
 * transaction, so each point fires exactly once across any number of
 * processes and restarts.  The outbox sender lives here too: it delivers
 * notification rows through the configured sender.
 */
#ifndef MINHU_SERVER_TIMERS_H
#define MINHU_SERVER_TIMERS_H

typedef struct Server Server;

void timers_start(Server *s);
void timers_stop(void);

#endif
