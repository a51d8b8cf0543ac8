/* Configuration + neighbour state -> immutable datapath tables. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "control/config.h"
#include "control/neighbour.h"
#include "dataplane/tables.h"

/* Builds tables for cfg; port_ids[i] is the DPDK port of cfg->ports[i] and
 * local_mac the underlay source MAC. Remote VTEPs whose next hop is in
 * neighbours and resolved get a complete outer header. Returns NULL and
 * fills err on failure. */
struct dp_tables *tables_compile(const struct config *cfg, const uint16_t *port_ids,
				 const struct rte_ether_addr *local_mac,
				 const struct neighbour_table *neighbours, uint64_t generation,
				 char *err, size_t errlen);

void tables_free(struct dp_tables *t);
