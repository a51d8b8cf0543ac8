/* Underlay neighbours: next-hop IPv4 -> MAC, resolved by ARP on the uplink
 * (control thread), with a bounded queue of frames waiting per neighbour. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#define NEIGHBOUR_MAX 256
#define NEIGHBOUR_PENDING_MAX 32 /* frames held per unresolved neighbour */

struct neighbour {
	uint32_t ip; /* network order */
	bool resolved;
	bool is_static;
	struct rte_ether_addr mac;
	uint64_t last_request; /* TSC of the last ARP request sent */
	uint16_t n_pending;
	struct rte_mbuf *pending[NEIGHBOUR_PENDING_MAX];
};

struct neighbour_table {
	uint16_t n;
	struct neighbour entries[NEIGHBOUR_MAX];
	uint64_t pending_dropped; /* frames dropped: a pending queue was full */
	uint64_t requests_sent;
	uint64_t replies_sent;
};

/* The entry for ip, created unresolved if absent; NULL when full. */
struct neighbour *neighbour_get(struct neighbour_table *t, uint32_t ip);
struct neighbour *neighbour_find(struct neighbour_table *t, uint32_t ip);

#include "control/config.h"

/* The next hop towards a remote VTEP: the VTEP itself on the underlay
 * subnet, else the gateway; 0 when there is none. */
static inline uint32_t underlay_next_hop(const struct underlay_config *u, uint32_t vtep_ip)
{
	uint32_t mask = rte_cpu_to_be_32(u->prefix_len >= 32 ? UINT32_MAX : ~(UINT32_MAX >> u->prefix_len));

	if ((vtep_ip & mask) == (u->local_ip & mask))
		return vtep_ip;
	return u->gateway;
}
