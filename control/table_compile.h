/* Configuration + neighbour state -> immutable datapath tables. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "control/config.h"
#include "control/neighbour.h"
#include "dataplane/tables.h"

/* What the tables are compiled from. Arrays are indexed like cfg's lists. */
struct table_inputs {
	const struct config *cfg;
	const uint16_t *port_ids;       /* DPDK port of each configured port */
	const uint16_t *port_rx_queues; /* rx queues each port was started with */
	const uint16_t *tenant_slots;   /* slot of each configured tenant */
	unsigned n_workers;
	const struct rte_ether_addr *local_mac; /* underlay source MAC */
	const struct neighbour_table *neighbours;
	const uint32_t *learned_vteps; /* VTEPs known from traffic, not the config */
	unsigned n_learned_vteps;
	/* Security-group generation (dp_tables.sg_generation): the published
	 * tables' generation and the digest of their policies. The new tables
	 * keep that generation when their policies (rules, defaults, and where
	 * they apply) have the same digest, and take the next one otherwise,
	 * so that other changes do not make every session face the rules
	 * again. Both 0 when no tables are published. */
	uint32_t published_sg_generation;
	uint64_t published_sg_digest;
	uint64_t *sg_digest; /* out, unless NULL: the new tables' digest */
};

/* Builds the tables. Remote VTEPs whose next hop is resolved in
 * neighbours get a complete outer header. Each port's rx queue q goes to
 * worker q when it has one queue per worker; single-queue ports are spread
 * round robin. Security groups: see control/sg_compile.h. Returns NULL and
 * fills err on failure. */
struct dp_tables *tables_compile(const struct table_inputs *in, char *err, size_t errlen);

/* Frees t (NULL is allowed) once no worker can still read it. */
void tables_free(struct dp_tables *t);
