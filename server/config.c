/*
 * config.c — the settings table and its loader.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef enum OptType { OPT_STRING, OPT_INT } OptType;

typedef struct Option {
    const char *flag; /* without "--" */
    const char *env;
    OptType type;
    size_t offset;
    const char *def;
    long min, max;
    const char *help;
} Option;

#define OFF(f) offsetof(Config, f)

static const Option options[] = {
    {"dsn", "MINHU_DSN", OPT_STRING, OFF(dsn), "", 0, 0,
     "PostgreSQL connection string or URI (multi-host allowed)"},
    {"listen", "MINHU_LISTEN", OPT_STRING, OFF(listen), "127.0.0.1:8080", 0, 0,
     "address and port to serve HTTP on"},
    {"www", "MINHU_WWW", OPT_STRING, OFF(www), MINHU_DEFAULT_WWW, 0, 0,
     "directory of the static web pages"},
    {"log-level", "MINHU_LOG_LEVEL", OPT_STRING, OFF(log_level), "info", 0, 0,
     "debug, info, warn or error"},
    {"db-pool", "MINHU_DB_POOL", OPT_INT, OFF(db_pool), "4", 1, 64,
     "PostgreSQL connections of this process"},
    {"max-body", "MINHU_MAX_BODY", OPT_INT, OFF(max_body), "65536", 1024, 16777216,
     "largest accepted request body, bytes"},
    {"max-headers", "MINHU_MAX_HEADERS", OPT_INT, OFF(max_headers), "16384", 1024, 1048576,
     "largest accepted request headers, bytes"},
    {"timeout", "MINHU_TIMEOUT", OPT_INT, OFF(timeout), "30", 1, 3600,
     "seconds before an idle or slow connection is closed"},
    {"shutdown-grace", "MINHU_SHUTDOWN_GRACE", OPT_INT, OFF(shutdown_grace), "10", 0, 600,
     "seconds to finish in-flight requests on SIGTERM"},
    {"token-cache-ttl", "MINHU_TOKEN_CACHE_TTL", OPT_INT, OFF(token_cache_ttl), "5", 0, 3600,
     "seconds a verified token is trusted without asking the database"},
    {"reuseport", "MINHU_REUSEPORT", OPT_INT, OFF(reuseport), "0", 0, 1,
     "1 to let several processes listen on the same port (SO_REUSEPORT)"},
    {"warn-percent", "MINHU_WARN_PERCENT", OPT_INT, OFF(warn_percent), "75", 0, 99,
     "warning (黄灯) at this share of a clock's span; 0 for none"},
    {"timer-batch", "MINHU_TIMER_BATCH", OPT_INT, OFF(timer_batch), "200", 1, 10000,
     "due SLA timers fired in one transaction"},
    {"public-rate", "MINHU_PUBLIC_RATE", OPT_INT, OFF(public_rate), "60", 1, 1000000000,
     "public status lookups per minute per client address"},
    {"public-failures", "MINHU_PUBLIC_FAILURES", OPT_INT, OFF(public_failures), "20", 1, 100000,
     "wrong query codes per 10 minutes per client address before 429"},
    {"number-failures", "MINHU_NUMBER_FAILURES", OPT_INT, OFF(number_failures), "10", 1, 100000,
     "wrong query codes per hour for one ticket number before 429"},
    {"open311-jurisdiction", "MINHU_OPEN311_JURISDICTION", OPT_STRING, OFF(open311_jurisdiction),
     "", 0, 0, "the Open311 jurisdiction_id served; empty: any (or none) is accepted"},
};

#define N_OPTIONS (sizeof options / sizeof options[0])

static int
set_option(Config *cfg, const Option *o, const char *value, const char *source)
{
    char *base = (char *) cfg;

    if (o->type == OPT_STRING) {
        char **dst = (char **) (base + o->offset);
        char *copy = strdup(value);

        if (copy == NULL)
            return -1;
        free(*dst);
        *dst = copy;
        return 0;
    } else {
        char *end;
        long v;

        errno = 0;
        v = strtol(value, &end, 10);
        if (errno != 0 || end == value || *end != '\0' || v < o->min || v > o->max) {
            fprintf(stderr, "minhud: invalid value \"%s\" for %s (from %s): expected %ld to %ld\n",
                    value, o->flag, source, o->min, o->max);
            return -1;
        }
        *(int *) (base + o->offset) = (int) v;
        return 0;
    }
}

static void
usage(FILE *out)
{
    fprintf(out, "Usage: minhud [OPTION]...\n"
                 "The Minhu 12345 hotline server: HTTP API, static pages, SLA clocks.\n\n"
                 "Options (each also read from the environment variable shown):\n");
    for (size_t i = 0; i < N_OPTIONS; i++)
        fprintf(out, "  --%-18s %-22s %s (default: %s)\n", options[i].flag, options[i].env,
                options[i].help, options[i].def[0] ? options[i].def : "none");
    fprintf(out, "  --print-config                            print the settings and exit\n"
                 "  --help                                    show this help and exit\n");
}

int
config_load(Config *cfg, int argc, char **argv)
{
    bool print = false;

    memset(cfg, 0, sizeof *cfg);
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (set_option(cfg, &options[i], options[i].def, "default") != 0)
            return -1;
    for (size_t i = 0; i < N_OPTIONS; i++) {
        const char *v = getenv(options[i].env);

        if (v != NULL && v[0] != '\0' && set_option(cfg, &options[i], v, options[i].env) != 0)
            return -1;
    }
    for (int a = 1; a < argc; a++) {
        const char *arg = argv[a], *value = NULL, *eq;
        size_t i, namelen;

        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            usage(stdout);
            return 1;
        }
        if (strcmp(arg, "--print-config") == 0) {
            print = true;
            continue;
        }
        if (strncmp(arg, "--", 2) != 0) {
            fprintf(stderr, "minhud: unexpected argument \"%s\"\n", arg);
            return -1;
        }
        arg += 2;
        eq = strchr(arg, '=');
        namelen = eq ? (size_t) (eq - arg) : strlen(arg);
        for (i = 0; i < N_OPTIONS; i++)
            if (strlen(options[i].flag) == namelen && strncmp(options[i].flag, arg, namelen) == 0)
                break;
        if (i == N_OPTIONS) {
            fprintf(stderr, "minhud: unknown option \"--%.*s\" (see --help)\n", (int) namelen, arg);
            return -1;
        }
        if (eq)
            value = eq + 1;
        else if (a + 1 < argc)
            value = argv[++a];
        else {
            fprintf(stderr, "minhud: option --%s needs a value\n", options[i].flag);
            return -1;
        }
        if (set_option(cfg, &options[i], value, "command line") != 0)
            return -1;
    }
    if (print) {
        config_print(cfg, stdout);
        return 1;
    }
    if (cfg->dsn[0] == '\0') {
        fprintf(stderr, "minhud: no database given: set --dsn or MINHU_DSN\n");
        return -1;
    }
    if (strchr(cfg->listen, ':') == NULL) {
        fprintf(stderr, "minhud: invalid listen address \"%s\": expected HOST:PORT\n", cfg->listen);
        return -1;
    }
    return 0;
}

/* True when a DSN carries a password: "password=..." in key=value form, or
 * "user:password@" in a URI's authority. */
static bool
dsn_has_password(const char *dsn)
{
    const char *rest = strstr(dsn, "://"), *at, *colon;

    if (strstr(dsn, "password") != NULL)
        return true;
    if (rest == NULL)
        return false;
    rest += 3;
    at = strchr(rest, '@');
    colon = strchr(rest, ':');
    return at != NULL && colon != NULL && colon < at;
}

void
config_print(const Config *cfg, FILE *out)
{
    const char *base = (const char *) cfg;

    for (size_t i = 0; i < N_OPTIONS; i++) {
        const Option *o = &options[i];

        if (o->type == OPT_STRING) {
            const char *v = *(char *const *) (base + o->offset);

            /* A DSN may carry a password: show that one is set, not what it is. */
            if (strcmp(o->flag, "dsn") == 0 && v != NULL && dsn_has_password(v))
                v = "(set, contains a password)";
            fprintf(out, "%s = %s\n", o->flag, v ? v : "");
        } else {
            fprintf(out, "%s = %d\n", o->flag, *(const int *) (base + o->offset));
        }
    }
}

void
config_free(Config *cfg)
{
    char *base = (char *) cfg;

    for (size_t i = 0; i < N_OPTIONS; i++)
        if (options[i].type == OPT_STRING) {
            char **p = (char **) (base + options[i].offset);
            free(*p);
            *p = NULL;
        }
}
