/* The control agent's state: everything mutable lives here and is touched
 * only by the control thread (the main lcore), except what the telemetry
 * thread reads under agent.lock. */
#pragma once

#include <pthread.h>
#include <stdint.h>

#include <ev.h>

#include "control/config.h"
#include "control/neighbour.h"
#include "dataplane/worker.h"

struct agent {
	struct config *cfg;
	struct dataplane dp;
	unsigned n_workers;
	struct worker *workers[WORKER_MAX];
	uint16_t port_ids[CONFIG_MAX_PORTS]; /* DPDK port id of cfg->ports[i] */
	struct neighbour_table neighbours;
	uint64_t generation; /* of the published tables */
	uint32_t ageing_s_by_id[UINT16_MAX + 1]; /* MAC ageing time per tenant id */
	/* Held by the control thread while it changes state, and by telemetry
	 * callbacks (another thread) while they read it. */
	pthread_mutex_t lock;
	struct ev_loop *loop;
};

/* Compiles cfg and the neighbour state into new tables and publishes them;
 * the previous tables are freed after an RCU grace period. Returns 0 or a
 * negative errno (nothing is published then). */
int agent_publish_tables(struct agent *a);

/* Sends m (a complete frame) on port_id through worker 0. Consumes m. */
void agent_transmit(struct agent *a, uint16_t port_id, struct rte_mbuf *m);
