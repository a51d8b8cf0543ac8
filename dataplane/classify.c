/* Stage classify: which tenant a packet belongs to, or why it is dropped. */
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_ring.h>

#include "dataplane/port_security.h"
#include "dataplane/stage.h"

static inline bool is_bad_src_mac(const struct rte_ether_addr *a)
{
	return rte_is_multicast_ether_addr(a) || rte_is_zero_ether_addr(a);
}

/* Stage classify, access port: (port, VLAN) -> tenant. */
void classify_access(struct worker *w, const struct dp_tables *t, uint16_t port_id,
			    struct burst *b)
{
	const struct dp_port *port = &t->ports[port_id];
	uint16_t kept = 0;

	for (uint16_t i = 0; i < b->n; i++) {
		struct rte_mbuf *m = b->pkts[i];
		struct pkt_meta *meta = pkt_meta(m);
		const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
		uint16_t slot;

		if (meta->n_tags > 1) {
			drop(w, b, m, port_id, DP_NO_TENANT, DROP_DOUBLE_TAGGED);
			continue;
		}
		slot = port->vlan_tenant[meta->vlan];
		if (slot == DP_NO_TENANT) {
			drop(w, b, m, port_id, DP_NO_TENANT,
			     meta->vlan ? DROP_VLAN_UNKNOWN : DROP_NO_TENANT);
			continue;
		}
		meta->tenant = slot;
		w->tenant[slot].rx++;
		if (is_bad_src_mac(&eth->src_addr)) {
			drop(w, b, m, port_id, slot, DROP_BAD_SRC_MAC);
			continue;
		}
		if (port->vlan_security[meta->vlan] != DP_NO_SECURITY) {
			enum drop_reason why = port_security_check(
				&t->security[port->vlan_security[meta->vlan]], m, meta);

			if (why != DROP_REASON_MAX) {
				drop(w, b, m, port_id, slot, why);
				continue;
			}
		}
		b->pkts[kept++] = m;
	}
	b->n = kept;
}

/* The remote VTEP index of src_ip among the tenant's VTEPs, or DP_NO_VTEP. */
static uint16_t tenant_vtep_find(const struct dp_tables *t, const struct dp_tenant *tn,
				 uint32_t src_ip)
{
	for (uint16_t i = 0; i < tn->n_remote; i++)
		if (t->vteps[tn->remote[i]].ip == src_ip)
			return tn->remote[i];
	return DP_NO_VTEP;
}

/* Stage classify, uplink: ARP to the control thread, VXLAN VNI -> tenant. */
void classify_uplink(struct worker *w, const struct dp_tables *t, uint16_t port_id,
			    struct burst *b)
{
	uint16_t kept = 0;

	for (uint16_t i = 0; i < b->n; i++) {
		struct rte_mbuf *m = b->pkts[i];
		struct pkt_meta *meta = pkt_meta(m);
		const struct rte_ipv4_hdr *ip;
		const struct rte_ether_hdr *inner;
		const struct dp_tenant *tn;
		uint16_t slot;

		if (meta->ethertype == RTE_BE16(RTE_ETHER_TYPE_ARP)) {
			punt_set(m, PUNT_ARP, DP_NO_VTEP);
			if (rte_ring_mp_enqueue(w->dp->punt_ring, m) != 0)
				drop(w, b, m, port_id, DP_NO_TENANT, DROP_PUNT_FULL);
			continue;
		}
		ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, meta->l3_off);
		if (meta->inner_off == 0 || meta->n_tags != 0 || ip->dst_addr != t->local_ip) {
			drop(w, b, m, port_id, DP_NO_TENANT, DROP_NOT_FOR_VTEP);
			continue;
		}
		slot = dp_vni_tenant(t, meta->vni);
		if (slot == DP_NO_TENANT) {
			drop(w, b, m, port_id, DP_NO_TENANT, DROP_VNI_UNKNOWN);
			continue;
		}
		tn = &t->tenants[slot];
		meta->tenant = slot;
		w->tenant[slot].rx++;
		meta->vtep = tenant_vtep_find(t, tn, ip->src_addr);
		if (meta->vtep == DP_NO_VTEP && tn->vtep_filter) {
			drop(w, b, m, port_id, slot, DROP_VTEP_UNKNOWN);
			continue;
		}
		inner = rte_pktmbuf_mtod_offset(m, const struct rte_ether_hdr *, meta->inner_off);
		if (inner->ether_type == RTE_BE16(RTE_ETHER_TYPE_VLAN) ||
		    inner->ether_type == RTE_BE16(RTE_ETHER_TYPE_QINQ)) {
			drop(w, b, m, port_id, slot, DROP_INNER_TAGGED);
			continue;
		}
		if (is_bad_src_mac(&inner->src_addr)) {
			drop(w, b, m, port_id, slot, DROP_BAD_SRC_MAC);
			continue;
		}
		b->pkts[kept++] = m;
	}
	b->n = kept;
}
