/* ARP on the uplink (control thread): answers for the local VTEP address,
 * resolves the next hops of remote VTEPs, and holds the frames that wait
 * for a resolution. */
#pragma once

#include <stdint.h>

#include <rte_mbuf.h>

#include "control/agent.h"

/* ARP requests are repeated at most this often for an unresolved next hop. */
#define ARP_RETRY_MS 500

/* Makes the neighbour table follow the configuration: an entry for every
 * next hop of a configured VTEP (static neighbours resolved from the
 * config), none for next hops no longer used (their held frames freed). */
void arp_resolver_sync(struct agent *a);

/* Sends a request for every unresolved next hop not asked for recently. */
void arp_resolver_poll(struct agent *a, uint64_t now);

/* Handles an ARP frame received on the uplink. Consumes m. */
void arp_input(struct agent *a, struct rte_mbuf *m);

/* Holds m, an encapsulated frame to VTEP vtep_index, until the VTEP's next
 * hop resolves (bounded: dropped and counted when the queue is full).
 * Consumes m. */
void arp_hold(struct agent *a, struct rte_mbuf *m, uint16_t vtep_index);
