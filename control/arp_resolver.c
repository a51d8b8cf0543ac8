#include <string.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_ether.h>

#include "control/arp_resolver.h"

struct neighbour *neighbour_find(struct neighbour_table *t, uint32_t ip)
{
	for (uint16_t i = 0; i < t->n; i++)
		if (t->entries[i].ip == ip)
			return &t->entries[i];
	return NULL;
}

struct neighbour *neighbour_get(struct neighbour_table *t, uint32_t ip)
{
	struct neighbour *n = neighbour_find(t, ip);

	if (n != NULL || t->n == NEIGHBOUR_MAX)
		return n;
	n = &t->entries[t->n++];
	memset(n, 0, sizeof(*n));
	n->ip = ip;
	return n;
}

static bool next_hop_in_use(const struct agent *a, uint32_t ip)
{
	const struct config *cfg = a->cfg;

	for (unsigned t = 0; t < cfg->n_tenants; t++)
		for (unsigned v = 0; v < cfg->tenants[t].n_vteps; v++)
			if (underlay_next_hop(&cfg->underlay, cfg->tenants[t].vteps[v]) == ip)
				return true;
	for (unsigned i = 0; i < a->n_learned_vteps; i++)
		if (underlay_next_hop(&cfg->underlay, a->learned_vteps[i]) == ip)
			return true;
	return false;
}

static const struct neighbour_config *static_neighbour(const struct config *cfg, uint32_t ip)
{
	for (unsigned i = 0; i < cfg->underlay.n_neighbours; i++)
		if (cfg->underlay.neighbours[i].ip == ip)
			return &cfg->underlay.neighbours[i];
	return NULL;
}

/* Makes sure the next hop of vtep has an entry, resolved if it is static. */
static void neighbour_for_vtep(const struct config *cfg, struct neighbour_table *nt, uint32_t vtep)
{
	uint32_t ip = underlay_next_hop(&cfg->underlay, vtep);
	const struct neighbour_config *sn = static_neighbour(cfg, ip);
	struct neighbour *n = ip != 0 ? neighbour_get(nt, ip) : NULL;

	if (n != NULL && sn != NULL) {
		n->is_static = true;
		n->resolved = true;
		n->mac = sn->mac;
	}
}

void arp_resolver_sync(struct agent *a)
{
	const struct config *cfg = a->cfg;
	struct neighbour_table *nt = &a->neighbours;
	uint16_t kept = 0;

	for (uint16_t i = 0; i < nt->n; i++) {
		struct neighbour *n = &nt->entries[i];

		if (!cfg->underlay.present || !next_hop_in_use(a, n->ip)) {
			rte_pktmbuf_free_bulk(n->pending, n->n_pending);
			continue;
		}
		if (n->is_static && static_neighbour(cfg, n->ip) == NULL)
			*n = (struct neighbour){.ip = n->ip}; /* ARP takes over */
		nt->entries[kept++] = *n;
	}
	nt->n = kept;
	if (!cfg->underlay.present)
		return;
	for (unsigned t = 0; t < cfg->n_tenants; t++)
		for (unsigned v = 0; v < cfg->tenants[t].n_vteps; v++)
			neighbour_for_vtep(cfg, nt, cfg->tenants[t].vteps[v]);
	for (unsigned i = 0; i < a->n_learned_vteps; i++)
		neighbour_for_vtep(cfg, nt, a->learned_vteps[i]);
}

static void arp_fill(struct rte_mbuf *m, uint16_t op, const struct rte_ether_addr *eth_dst,
		     const struct rte_ether_addr *src_mac, uint32_t src_ip,
		     const struct rte_ether_addr *target_mac, uint32_t target_ip)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);

	eth->dst_addr = *eth_dst;
	eth->src_addr = *src_mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = sizeof(uint32_t);
	arp->arp_opcode = rte_cpu_to_be_16(op);
	arp->arp_data.arp_sha = *src_mac;
	arp->arp_data.arp_sip = src_ip;
	arp->arp_data.arp_tha = *target_mac;
	arp->arp_data.arp_tip = target_ip;
}

static void arp_request_send(struct agent *a, const struct dp_tables *t, uint32_t ip)
{
	static const struct rte_ether_addr zero = {{0}};
	struct rte_ether_addr bcast;
	struct rte_mbuf *m = rte_pktmbuf_alloc(a->dp.pool);

	if (m == NULL)
		return;
	memset(&bcast, 0xff, sizeof(bcast));
	/* Ethernet minimum frame (without FCS); the padding is zero. */
	memset(rte_pktmbuf_append(m, RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN), 0,
	       RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN);
	arp_fill(m, RTE_ARP_OP_REQUEST, &bcast, &t->local_mac, t->local_ip, &zero, ip);
	a->neighbours.requests_sent++;
	agent_transmit(a, t->uplink_port, m);
}

/* Sends the frames held for n, now that its MAC is known. */
static void neighbour_release(struct agent *a, struct neighbour *n)
{
	for (uint16_t i = 0; i < n->n_pending; i++) {
		struct rte_ether_hdr *eth = rte_pktmbuf_mtod(n->pending[i], struct rte_ether_hdr *);

		eth->dst_addr = n->mac;
		agent_transmit(a, a->dp.tables->uplink_port, n->pending[i]);
	}
	n->n_pending = 0;
}

void arp_resolver_poll(struct agent *a, uint64_t now)
{
	const struct dp_tables *t = a->dp.tables;
	uint64_t retry = a->dp.tsc_hz * ARP_RETRY_MS / 1000;

	if (t->uplink_port == RTE_MAX_ETHPORTS)
		return;
	for (uint16_t i = 0; i < a->neighbours.n; i++) {
		struct neighbour *n = &a->neighbours.entries[i];

		if (n->resolved && n->n_pending != 0)
			neighbour_release(a, n); /* resolved by the config meanwhile */
		if (n->resolved || (n->last_request != 0 && now - n->last_request < retry))
			continue;
		n->last_request = now;
		arp_request_send(a, t, n->ip);
	}
}

void arp_input(struct agent *a, struct rte_mbuf *m)
{
	const struct dp_tables *t = a->dp.tables;
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);
	struct neighbour *n;

	if (rte_pktmbuf_data_len(m) < sizeof(*eth) + sizeof(*arp) ||
	    arp->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
	    arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != sizeof(uint32_t)) {
		rte_pktmbuf_free(m);
		return;
	}
	/* Any ARP from a next hop we track tells its current MAC. */
	n = neighbour_find(&a->neighbours, arp->arp_data.arp_sip);
	if (n != NULL && !n->is_static &&
	    (!n->resolved || !rte_is_same_ether_addr(&n->mac, &arp->arp_data.arp_sha))) {
		n->mac = arp->arp_data.arp_sha;
		n->resolved = true;
		if (agent_publish_tables(a) == 0)
			neighbour_release(a, n);
	}
	if (arp->arp_opcode == RTE_BE16(RTE_ARP_OP_REQUEST) &&
	    arp->arp_data.arp_tip == t->local_ip && t->uplink_port != RTE_MAX_ETHPORTS) {
		struct rte_ether_addr asker = arp->arp_data.arp_sha;
		uint32_t asker_ip = arp->arp_data.arp_sip;

		arp_fill(m, RTE_ARP_OP_REPLY, &asker, &t->local_mac, t->local_ip, &asker, asker_ip);
		a->neighbours.replies_sent++;
		agent_transmit(a, t->uplink_port, m);
		return;
	}
	rte_pktmbuf_free(m);
}

void arp_hold(struct agent *a, struct rte_mbuf *m, uint16_t vtep_index)
{
	const struct dp_tables *t = a->dp.tables;
	struct neighbour *n = NULL;

	if (vtep_index < t->n_vteps)
		n = neighbour_find(&a->neighbours,
				   underlay_next_hop(&a->cfg->underlay, t->vteps[vtep_index].ip));
	if (n != NULL && n->resolved) {
		/* Resolved since the worker looked: send it now. */
		rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr = n->mac;
		agent_transmit(a, t->uplink_port, m);
		return;
	}
	if (n == NULL || n->n_pending == NEIGHBOUR_PENDING_MAX) {
		a->neighbours.pending_dropped++;
		rte_pktmbuf_free(m);
		return;
	}
	n->pending[n->n_pending++] = m;
	arp_resolver_poll(a, rte_rdtsc());
}
