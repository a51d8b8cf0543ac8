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
};

/* Builds the tables. Remote VTEPs whose next hop is resolved in
 * neighbours get a complete outer header. Each port's rx queue q goes to
 * worker q when it has one queue per worker; single-queue ports are spread
 * round robin. Returns NULL and fills err on failure. */
struct dp_tables *tables_compile(const struct table_inputs *in, char *err, size_t errlen);

void tables_free(struct dp_tables *t);
