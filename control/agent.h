/* The control agent's state: everything mutable lives here and is changed
 * only by the control thread (the main lcore). The telemetry thread reads
 * it under agent.lock, which the control thread holds while it changes it. */
#pragma once

#include <pthread.h>
#include <stdint.h>

#include <ev.h>

#include "control/config.h"
#include "control/datastore.h"
#include "control/neighbour.h"
#include "dataplane/worker.h"

#define AGENT_LEARNED_VTEPS_MAX 64

struct agent {
	struct datastore ds; /* the running configuration */
	/* The configuration the datapath runs: ds.cfg, or during a commit
	 * the candidate's (the arrays below are indexed like its lists). */
	const struct config *cfg;
	uint16_t port_ids[CONFIG_MAX_PORTS];  /* DPDK port of each cfg port */
	uint16_t port_rxqs[CONFIG_MAX_PORTS]; /* its rx queues */
	uint16_t tenant_slots[CONFIG_MAX_TENANTS]; /* slot of each cfg tenant */
	struct dataplane dp;
	unsigned n_workers;
	struct worker *workers[WORKER_MAX];
	struct neighbour_table neighbours;
	/* VTEPs learned from VXLAN of tenants that list none of their own:
	 * frames to MACs behind them need an outer header too. */
	unsigned n_learned_vteps;
	uint32_t learned_vteps[AGENT_LEARNED_VTEPS_MAX]; /* network order */
	uint32_t ageing_s_by_id[UINT16_MAX + 1]; /* MAC ageing time per tenant id */
	uint32_t mac_limit_by_id[UINT16_MAX + 1]; /* learned MACs at most; 0: no tenant */
	uint64_t macs_refused_by_id[UINT16_MAX + 1]; /* MACs not learned: limit reached */
	/* Security-group rule hits counted by tables already retired, by rule
	 * id of the published tables (control/sg_compile.h): a rule's hits are
	 * this plus the published tables' own counters. NULL while no rule. */
	uint64_t *sg_hits_base;
	uint64_t sg_digest; /* of the published tables' policies (table_inputs) */
	pthread_mutex_t lock;
	struct ev_loop *loop;
};

/* datastore_ops.apply: makes cfg the datapath's configuration — starts
 * new ports, compiles and publishes tables (tenants keep their slots),
 * then cleans what is gone (MAC entries, counters of freed slots, removed
 * ports). Takes agent.lock. On failure nothing has changed. */
int agent_apply(void *agent, const struct config *cfg, struct datastore_error *err);

/* Recompiles the tables for the current configuration (after a neighbour
 * resolved) and publishes them. Caller holds agent.lock. */
int agent_publish_tables(struct agent *a);

/* Sends m (a complete frame) on port_id through worker 0. Consumes m. */
void agent_transmit(struct agent *a, uint16_t port_id, struct rte_mbuf *m);

/* The counters of a DPDK port, or of a tenant slot, summed over the workers. */
void agent_port_counters(const struct agent *a, uint16_t port_id, struct port_counters *sum);
void agent_tenant_counters(const struct agent *a, uint16_t slot, struct tenant_counters *sum);

/* The security-group verdicts of the attachment whose counters are at
 * index counter (sg_verdict_counter()), summed over the workers. */
void agent_sg_verdicts(const struct agent *a, uint16_t counter, struct sg_verdict_counters *sum);

/* Packets that the rule with this id (control/sg_compile.h) decided since
 * it was configured, whatever the recompiles in between. */
uint64_t agent_sg_rule_hits(const struct agent *a, uint32_t rule_id);

/* Whole seconds from then to now, TSC stamps of a clock ticking tsc_hz per
 * second. A stamp a worker just took may be ahead of the reader's now:
 * that is 0 seconds, not an underflow. */
static inline uint64_t agent_seconds_since(uint64_t now, uint64_t then, uint64_t tsc_hz)
{
	return now > then ? (now - then) / tsc_hz : 0;
}

/* The slot of the tenant with this id in the running configuration, or
 * DP_NO_TENANT. */
uint16_t agent_tenant_slot(const struct agent *a, uint16_t tenant_id);
