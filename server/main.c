/*
 * main.c — minhud: configuration, the event loop, and graceful shutdown.
 *
 * One single-threaded libevent loop per process serves HTTP and drives the
 * PostgreSQL connections.  SIGTERM/SIGINT: stop accepting, let in-flight
 * requests finish (bounded by --shutdown-grace), then exit 0.
 */
#include <event2/event.h>
#include <event2/http.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ratelimit.h"
#include "log.h"
#include "server.h"
#include "sla_env.h"
#include "timers.h"

static void
on_stop_check(evutil_socket_t fd, short what, void *arg)
{
    Server *s = arg;

    /* Done when every reply is written out too: a reply is only queued when
     * its request ends, and leaving the loop then would drop it unsent. */
    if ((s->inflight == 0 && s->unsent == 0) || now_us() >= s->stop_deadline_us) {
        if (s->inflight > 0)
            log_msg(LOG_WARN, "msg=\"shutdown grace over, requests still in flight\" inflight=%d",
                    s->inflight);
        event_base_loopexit(s->base, NULL);
        return;
    }
    {
        struct timeval tv = {0, 20000};
        evtimer_add(s->ev_stop, &tv);
    }
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
    Server *s = arg;
    struct timeval tv = {0, 0};

    if (s->stopping) {
        log_msg(LOG_WARN, "msg=\"second signal, exiting now\"");
        event_base_loopexit(s->base, NULL);
        return;
    }
    log_msg(LOG_INFO, "msg=\"shutting down\" signal=%d inflight=%d", (int) sig, s->inflight);
    s->stopping = true;
    s->stop_deadline_us = now_us() + (int64_t) s->cfg.shutdown_grace * 1000000;
    http_stop_accepting(s);
    evtimer_add(s->ev_stop, &tv);
}

int
main(int argc, char **argv)
{
    Server s;
    int rc, level;

    memset(&s, 0, sizeof s);
    rc = config_load(&s.cfg, argc, argv);
    if (rc != 0) {
        config_free(&s.cfg);
        return rc > 0 ? 0 : 2;
    }
    level = log_level_parse(s.cfg.log_level);
    if (level < 0) {
        fprintf(stderr, "minhud: unknown log level \"%s\"\n", s.cfg.log_level);
        config_free(&s.cfg);
        return 2;
    }
    log_set_level((LogLevel) level);
    signal(SIGPIPE, SIG_IGN);

    rc = 1;
    if (!store_registry_complete()) {
        log_msg(LOG_ERROR, "msg=\"statement registry has a gap\"");
        goto done;
    }
    s.ip_rate = rate_new(4096, 60 * 1000, s.cfg.public_rate);
    s.ip_failures = rate_new(4096, 10 * 60 * 1000, s.cfg.public_failures);
    s.number_failures = rate_new(16384, 60 * 60 * 1000, s.cfg.number_failures);
    if (!s.ip_rate || !s.ip_failures || !s.number_failures)
        goto done;
    s.base = event_base_new();
    s.auth = auth_cache_new();
    if (s.base == NULL || s.auth == NULL)
        goto done;
    s.pool = pgpool_new(s.base, s.cfg.dsn, s.cfg.db_pool);
    if (s.pool == NULL)
        goto done;
    if (http_start(&s) != 0)
        goto done;
    sla_env_start(&s);
    timers_start(&s);
    s.ev_sigterm = evsignal_new(s.base, SIGTERM, on_signal, &s);
    s.ev_sigint = evsignal_new(s.base, SIGINT, on_signal, &s);
    s.ev_stop = evtimer_new(s.base, on_stop_check, &s);
    if (!s.ev_sigterm || !s.ev_sigint || !s.ev_stop || event_add(s.ev_sigterm, NULL) != 0 ||
        event_add(s.ev_sigint, NULL) != 0)
        goto done;
    log_msg(LOG_INFO, "msg=\"minhud listening\" listen=%s pool=%d www=%s", s.cfg.listen,
            s.cfg.db_pool, s.cfg.www);
    event_base_dispatch(s.base);
    log_msg(LOG_INFO, "msg=\"minhud stopped\"");
    rc = 0;
done:
    sla_env_stop();
    timers_stop();
    if (s.http)
        evhttp_free(s.http);
    pgpool_free(s.pool);
    sla_env_free();
    if (s.ev_sigterm)
        event_free(s.ev_sigterm);
    if (s.ev_sigint)
        event_free(s.ev_sigint);
    if (s.ev_stop)
        event_free(s.ev_stop);
    auth_cache_free(s.auth);
    rate_free(s.ip_rate);
    rate_free(s.ip_failures);
    rate_free(s.number_failures);
    if (s.base)
        event_base_free(s.base);
    config_free(&s.cfg);
    return rc;
}
