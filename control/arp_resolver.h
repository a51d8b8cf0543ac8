/* ARP on the uplink (control thread): answers for the local VTEP address,
 * resolves the next hops of remote VTEPs, and holds the frames that wait
 * for a resolution. */
#pragma once

#include <stdint.h>

#include <rte_mbuf.h>

#include "control/agent.h"

/* ARP requests are repeated at most this often for an unresolved next hop. */
#define ARP_RETRY_MS 500

/* Creates the neighbour entries (static ones resolved) for the configured
 * VTEPs' next hops. */
void arp_resolver_configure(struct agent *a);

/* Sends a request for every unresolved next hop not asked for recently. */
void arp_resolver_poll(struct agent *a, uint64_t now);

/* Handles an ARP frame received on the uplink. Consumes m. */
void arp_input(struct agent *a, struct rte_mbuf *m);

/* Holds m, an encapsulated frame to VTEP vtep_index, until the VTEP's next
 * hop resolves (bounded: dropped and counted when the queue is full).
 * Consumes m. */
void arp_hold(struct agent *a, struct rte_mbuf *m, uint16_t vtep_index);
