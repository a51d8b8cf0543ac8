/* Stage rewrite: VLAN rewrite, VXLAN encapsulation and flooding on the way
 * to the transmit buffers. */
#include <string.h>

#include <rte_ether.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_ring.h>

#include "dataplane/stage.h"
#include "dataplane/vxlan.h"

/* Hash of the inner flow (addresses and ports), for the outer UDP source port. */
static uint32_t flow_hash(const struct rte_mbuf *m, const struct pkt_meta *meta)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint64_t addrs;
	uint32_t ports, h;

	/* memcpy: headers after an odd-length L2 header are not aligned. */
	if (meta->ethertype == RTE_BE16(RTE_ETHER_TYPE_IPV4)) {
		memcpy(&addrs, p + meta->l3_off + 12, sizeof(addrs));
		h = rte_hash_crc_8byte(addrs, 0);
	} else if (meta->ethertype == RTE_BE16(RTE_ETHER_TYPE_IPV6)) {
		h = rte_hash_crc(p + meta->l3_off + 8, 32, 0);
	} else {
		return rte_hash_crc(p, 2 * RTE_ETHER_ADDR_LEN, 0);
	}
	if (meta->l4_off != 0 &&
	    (meta->l4_proto == IPPROTO_UDP || meta->l4_proto == IPPROTO_TCP)) {
		memcpy(&ports, p + meta->l4_off, sizeof(ports));
		h = rte_hash_crc_4byte(ports, h);
	}
	return h;
}

/* Makes the frame carry VLAN want (0: untagged); tagged says whether it
 * carries one now. Returns false when there is no headroom for a tag. */
static bool vlan_rewrite(struct rte_mbuf *m, bool tagged, uint16_t want)
{
	struct rte_vlan_hdr *tag;
	uint8_t *p;

	if (tagged && want != 0) {
		p = rte_pktmbuf_mtod(m, uint8_t *);
		/* A single 802.1ad tag leaves as 802.1Q: access ports speak 802.1Q. */
		*(uint16_t *)(p + 2 * RTE_ETHER_ADDR_LEN) = RTE_BE16(RTE_ETHER_TYPE_VLAN);
		tag = (struct rte_vlan_hdr *)(p + RTE_ETHER_HDR_LEN);
		tag->vlan_tci = rte_cpu_to_be_16((rte_be_to_cpu_16(tag->vlan_tci) & 0xf000) | want);
		return true;
	}
	if (tagged) {
		p = rte_pktmbuf_mtod(m, uint8_t *);
		memmove(p + sizeof(*tag), p, 2 * RTE_ETHER_ADDR_LEN);
		rte_pktmbuf_adj(m, sizeof(*tag));
		return true;
	}
	if (want == 0)
		return true;
	p = (uint8_t *)rte_pktmbuf_prepend(m, sizeof(*tag));
	if (p == NULL)
		return false;
	memmove(p, p + sizeof(*tag), 2 * RTE_ETHER_ADDR_LEN);
	*(uint16_t *)(p + 2 * RTE_ETHER_ADDR_LEN) = RTE_BE16(RTE_ETHER_TYPE_VLAN);
	*(uint16_t *)(p + 2 * RTE_ETHER_ADDR_LEN + 2) = rte_cpu_to_be_16(want);
	return true;
}

void output_local(struct worker *w, struct burst *b, const struct dp_tables *t,
			 const struct ingress *in, struct rte_mbuf *m, const struct dp_attachment *out)
{
	/* A MAC entry may still name an attachment that a configuration
	 * change just gave to another tenant, or removed: never send there. */
	if (unlikely(t->ports[out->port_id].vlan_tenant[out->vlan] != in->slot)) {
		drop(w, b, m, in->port_id, in->slot, DROP_ATTACHMENT_GONE);
		return;
	}
	if (!vlan_rewrite(m, in->tagged, out->vlan)) {
		drop(w, b, m, in->port_id, in->slot, DROP_NO_MBUF);
		return;
	}
	w->tenant[in->slot].tx++;
	tx_enqueue(w, out->port_id, m);
}

void output_remote(struct worker *w, struct burst *b, const struct dp_tables *t,
			  const struct ingress *in, struct rte_mbuf *m, uint16_t vtep_index)
{
	const struct dp_vtep *vtep = &t->vteps[vtep_index];
	uint32_t hash = flow_hash(m, in->meta);

	if (in->tagged)
		vlan_rewrite(m, true, 0);
	if (rte_pktmbuf_pkt_len(m) + VXLAN_OUTER_LEN - RTE_ETHER_HDR_LEN >
	    t->ports[t->uplink_port].mtu) {
		drop(w, b, m, in->port_id, in->slot, DROP_MTU_EXCEEDED);
		return;
	}
	if (!vxlan_encap(m, &vtep->outer, t->tenants[in->slot].vni, hash)) {
		drop(w, b, m, in->port_id, in->slot, DROP_NO_MBUF);
		return;
	}
	w->tenant[in->slot].tx++;
	if (likely(vtep->resolved)) {
		tx_enqueue(w, t->uplink_port, m);
		return;
	}
	/* The control thread holds it until ARP resolves the next hop. */
	punt_set(m, PUNT_NEIGHBOUR_WAIT, vtep_index);
	if (rte_ring_mp_enqueue(w->dp->punt_ring, m) != 0) {
		w->tenant[in->slot].tx--;
		drop(w, b, m, in->port_id, in->slot, DROP_PUNT_FULL);
	}
}

/* Broadcast, multicast and unknown unicast: a copy to every other local
 * attachment and, from access ports only (split horizon), to every remote
 * VTEP of the tenant (head-end replication). */
void flood(struct worker *w, struct burst *b, const struct dp_tables *t,
		  const struct ingress *in, struct rte_mbuf *m)
{
	const struct dp_tenant *tn = &t->tenants[in->slot];
	uint16_t n_remote = in->uplink ? 0 : tn->n_remote;
	int targets = tn->n_local + n_remote;
	struct rte_mbuf *c;

	w->tenant[in->slot].flooded++;
	if (!in->uplink)
		targets--; /* the ingress attachment itself */
	for (uint16_t i = 0; i < tn->n_local + n_remote; i++) {
		const struct dp_attachment *a = i < tn->n_local ? &tn->local[i] : NULL;

		if (a != NULL && !in->uplink && a->port_id == in->port_id && a->vlan == in->vlan)
			continue;
		if (a != NULL && t->sg_attachments != NULL &&
		    !security_flood_copy_allowed(w, t, m, a)) {
			if (--targets == 0)
				break;
			continue;
		}
		if (--targets == 0) {
			c = m;
		} else {
			c = rte_pktmbuf_copy(m, w->dp->pool, 0, UINT32_MAX);
			if (c == NULL) {
				w->port[in->port_id].drop[DROP_NO_MBUF]++;
				w->tenant[in->slot].drop[DROP_NO_MBUF]++;
				continue;
			}
		}
		if (a != NULL)
			output_local(w, b, t, in, c, a);
		else
			output_remote(w, b, t, in, c, tn->remote[i - tn->n_local]);
		if (c == m)
			return;
	}
	b->free[b->n_free++] = m; /* no other attachment: nothing to send */
}
