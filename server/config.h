/*
 * config.h — minhud's settings: one table of {name, env, type, default,
 * bounds}, read from flags then environment, validated at start, immutable
 * afterwards.
 */
#ifndef MINHU_SERVER_CONFIG_H
#define MINHU_SERVER_CONFIG_H

#include <stdio.h>

typedef struct Config {
    char *dsn;           /* --dsn, MINHU_DSN */
    char *listen;        /* --listen, MINHU_LISTEN: host:port */
    char *www;           /* --www, MINHU_WWW: static pages */
    char *log_level;     /* --log-level, MINHU_LOG_LEVEL */
    int db_pool;         /* --db-pool, MINHU_DB_POOL */
    int max_body;        /* --max-body, MINHU_MAX_BODY: bytes of a JSON body */
    int max_headers;     /* --max-headers, MINHU_MAX_HEADERS: bytes of all headers */
    int timeout;         /* --timeout, MINHU_TIMEOUT: seconds of an idle or slow connection */
    int shutdown_grace;  /* --shutdown-grace, MINHU_SHUTDOWN_GRACE: seconds */
    int token_cache_ttl; /* --token-cache-ttl, MINHU_TOKEN_CACHE_TTL: seconds */
    int reuseport;       /* --reuseport, MINHU_REUSEPORT: 1 to share the port */
    int warn_percent;    /* --warn-percent, MINHU_WARN_PERCENT: warning point of a clock */
    int timer_batch;     /* --timer-batch, MINHU_TIMER_BATCH: timers fired per transaction */
    int public_rate;     /* --public-rate: public lookups per minute per client address */
    int public_failures; /* --public-failures: wrong codes per 10 minutes per client address */
    int number_failures; /* --number-failures: wrong codes per hour per ticket number */
    char *open311_jurisdiction; /* --open311-jurisdiction: the jurisdiction_id served, "" any */
} Config;

/*
 * Fills cfg from defaults, the environment, then argv.  Returns 0 to go
 * on, 1 when --help or --print-config was handled (exit 0), -1 on a bad
 * setting (message printed, exit 2).
 */
int config_load(Config *cfg, int argc, char **argv);

void config_print(const Config *cfg, FILE *out);
void config_free(Config *cfg);

#endif
