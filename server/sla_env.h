/*
 * sla_env.h — the working-day calendar and SLA policy as this process knows
 * them, and the deadline hook that hands them to the workflow.
 *
 * Loaded from the database at start (readiness waits for it) and refreshed
 * every few minutes, so `minhu-admin import calendar` reaches running
 * servers without a restart.
 */
#ifndef MINHU_SERVER_SLA_ENV_H
#define MINHU_SERVER_SLA_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/clocks.h"
#include "core/workflow.h"

typedef struct Server Server;

/* Starts loading (and periodic refreshing) on s's pool. */
void sla_env_start(Server *s);
void sla_env_stop(void);

/* Reloads soon (the calendar or sla_rules changed). */
void sla_env_reload(void);

/* True once a calendar has been loaded. */
bool sla_env_ready(void);

/* A workflow environment at now whose deadlines follow the loaded policy. */
void sla_env_init(WorkflowEnv *env, int64_t now);

/* t's timer plan (clocks_plan with the loaded calendar and --warn-percent). */
size_t sla_env_plan(const Ticket *t, ClockTimer *out);

/*
 * The routing rule for a new ticket (直派): copies its unit into unit and its
 * id into *rule_id and returns true, or false when no rule matches (the
 * ticket waits in the operators' queue).  area may be NULL.
 */
bool sla_env_route(const char *category, const char *area, char *unit, size_t unit_len,
                   int64_t *rule_id);

/* Frees what the loaded copies hold; after the pool is gone. */
void sla_env_free(void);

#endif
