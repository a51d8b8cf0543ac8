#include <netinet/in.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>
#include <rte_vxlan.h>

#include "dataplane/parse.h"

int pkt_meta_offset = -1;

int pkt_meta_register(void)
{
	static const struct rte_mbuf_dynfield desc = {
		.name = "poolnet_pkt_meta",
		.size = sizeof(struct pkt_meta),
		.align = __alignof__(struct pkt_meta),
	};

	pkt_meta_offset = rte_mbuf_dynfield_register(&desc);
	return pkt_meta_offset < 0 ? -rte_errno : 0;
}

static bool is_vlan_ethertype(uint16_t type)
{
	return type == RTE_BE16(RTE_ETHER_TYPE_VLAN) || type == RTE_BE16(RTE_ETHER_TYPE_QINQ);
}

/* Minimum L4 header bytes that must be present for each protocol. */
static unsigned l4_min_len(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_UDP:
		return sizeof(struct rte_udp_hdr);
	case IPPROTO_TCP:
		return 20;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return 4;
	default:
		return 0;
	}
}

static bool parse_ipv4(const uint8_t *p, unsigned len, struct pkt_meta *meta)
{
	const struct rte_ipv4_hdr *ip = (const void *)(p + meta->l3_off);
	unsigned ihl, total;

	if (len < meta->l3_off + sizeof(*ip))
		return false;
	ihl = (ip->version_ihl & 0x0f) * 4u;
	total = rte_be_to_cpu_16(ip->total_length);
	if ((ip->version_ihl >> 4) != 4 || ihl < sizeof(*ip) || total < ihl ||
	    len < meta->l3_off + total)
		return false;
	/* Non-first fragments carry no L4 header. */
	if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK))
		return true;
	meta->l4_proto = ip->next_proto_id;
	meta->l4_off = meta->l3_off + ihl;
	return total - ihl >= l4_min_len(meta->l4_proto);
}

static bool parse_ipv6(const uint8_t *p, unsigned len, struct pkt_meta *meta)
{
	const struct rte_ipv6_hdr *ip = (const void *)(p + meta->l3_off);
	unsigned payload;

	if (len < meta->l3_off + sizeof(*ip))
		return false;
	payload = rte_be_to_cpu_16(ip->payload_len);
	if ((rte_be_to_cpu_32(ip->vtc_flow) >> 28) != 6 ||
	    len < meta->l3_off + sizeof(*ip) + payload)
		return false;
	/* Extension headers are not walked: their L4 header stays unknown. */
	if (l4_min_len(ip->proto) == 0)
		return true;
	meta->l4_proto = ip->proto;
	meta->l4_off = meta->l3_off + sizeof(*ip);
	return payload >= l4_min_len(meta->l4_proto);
}

static bool parse_vxlan(const uint8_t *p, unsigned len, struct pkt_meta *meta)
{
	const struct rte_vxlan_hdr *vx = (const void *)(p + meta->l4_off + sizeof(struct rte_udp_hdr));
	const struct rte_ipv4_hdr *ip = (const void *)(p + meta->l3_off);
	unsigned inner = meta->l4_off + sizeof(struct rte_udp_hdr) + sizeof(*vx);
	unsigned ip_end = meta->l3_off + rte_be_to_cpu_16(ip->total_length);

	/* The inner Ethernet header lies within the frame and the outer IP packet. */
	if (len < inner + RTE_ETHER_HDR_LEN || ip_end < inner + RTE_ETHER_HDR_LEN)
		return false;
	/* RFC 7348: the I flag must be set for the VNI to be valid. */
	if (!(vx->vx_flags & RTE_BE32(0x08000000)))
		return false;
	meta->vni = rte_be_to_cpu_32(vx->vx_vni) >> 8;
	meta->inner_off = inner;
	return true;
}

bool pkt_parse(const struct rte_mbuf *m, struct pkt_meta *meta, uint16_t vxlan_port)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	unsigned len = rte_pktmbuf_data_len(m);
	const struct rte_ether_hdr *eth = (const void *)p;
	uint16_t type;
	unsigned off = sizeof(*eth);

	*meta = (struct pkt_meta){0};
	if (len < sizeof(*eth))
		return false;
	type = eth->ether_type;
	while (is_vlan_ethertype(type) && meta->n_tags < 2) {
		const struct rte_vlan_hdr *tag = (const void *)(p + off);

		if (len < off + sizeof(*tag))
			return false;
		if (meta->n_tags == 0)
			meta->vlan = rte_be_to_cpu_16(tag->vlan_tci) & 0x0fff;
		meta->n_tags++;
		type = tag->eth_proto;
		off += sizeof(*tag);
	}
	meta->ethertype = type;
	meta->l3_off = off;
	if (is_vlan_ethertype(type))
		return true; /* a third tag: the caller refuses stacked tags anyway */

	if (type == RTE_BE16(RTE_ETHER_TYPE_IPV4)) {
		if (!parse_ipv4(p, len, meta))
			return false;
	} else if (type == RTE_BE16(RTE_ETHER_TYPE_IPV6)) {
		if (!parse_ipv6(p, len, meta))
			return false;
	} else if (type == RTE_BE16(RTE_ETHER_TYPE_ARP)) {
		if (len < off + sizeof(struct rte_arp_hdr))
			return false;
		return true;
	} else {
		return true;
	}

	if (vxlan_port != 0 && meta->l4_proto == IPPROTO_UDP &&
	    meta->ethertype == RTE_BE16(RTE_ETHER_TYPE_IPV4)) {
		const struct rte_udp_hdr *udp = (const void *)(p + meta->l4_off);

		if (udp->dst_port == vxlan_port)
			return parse_vxlan(p, len, meta);
	}
	return true;
}
