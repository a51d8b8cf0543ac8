/* VXLAN (RFC 7348) over an IPv4 underlay: encapsulation from a per-VTEP
 * precomputed outer header, and decapsulation. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>
#include <rte_vxlan.h>

#define VXLAN_OUTER_LEN \
	(sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) + \
	 sizeof(struct rte_udp_hdr) + sizeof(struct rte_vxlan_hdr))
#define VXLAN_OUTER_TTL 64
/* Outer UDP source ports come from this range (RFC 7348 section 5). */
#define VXLAN_SRC_PORT_MIN 49152

struct vxlan_outer {
	struct rte_ether_hdr eth;
	struct rte_ipv4_hdr ip;
	struct rte_udp_hdr udp;
	struct rte_vxlan_hdr vxlan;
} __rte_packed __rte_aligned(2);

/* The outer header for one remote VTEP with the per-packet fields (IP
 * length and checksum, UDP source port and length, VNI) zero, and the
 * one's-complement sum of the fixed IP header fields. */
struct vxlan_outer_template {
	struct vxlan_outer hdr;
	uint32_t ip_sum; /* unfolded sum of the IP header with length 0 */
};

/* Fills t for a tunnel from local_ip to remote_ip (network order), with
 * next_hop_mac as Ethernet destination, DF set and TTL 64. */
void vxlan_template_init(struct vxlan_outer_template *t, const struct rte_ether_addr *local_mac,
			 const struct rte_ether_addr *next_hop_mac, uint32_t local_ip,
			 uint32_t remote_ip, uint16_t udp_port);

/* Prepends the outer header to the (untagged) Ethernet frame in m.
 * flow_hash picks the UDP source port so one inner flow keeps one
 * underlay path. Returns false when m has no headroom. */
static inline bool vxlan_encap(struct rte_mbuf *m, const struct vxlan_outer_template *t,
			       uint32_t vni, uint32_t flow_hash)
{
	uint16_t inner_len = rte_pktmbuf_pkt_len(m);
	struct vxlan_outer *o;
	uint16_t ip_len;
	uint32_t sum;

	o = (struct vxlan_outer *)rte_pktmbuf_prepend(m, sizeof(*o));
	if (o == NULL)
		return false;
	*o = t->hdr;
	ip_len = inner_len + sizeof(o->ip) + sizeof(o->udp) + sizeof(o->vxlan);
	o->ip.total_length = rte_cpu_to_be_16(ip_len);
	sum = t->ip_sum + o->ip.total_length;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	o->ip.hdr_checksum = (uint16_t)~sum;
	o->udp.src_port = rte_cpu_to_be_16(VXLAN_SRC_PORT_MIN | (flow_hash & 0x3fff));
	o->udp.dgram_len = rte_cpu_to_be_16(ip_len - sizeof(o->ip));
	o->vxlan.vx_vni = rte_cpu_to_be_32(vni << 8);
	return true;
}

/* Strips the outer headers (l3_off: the outer IPv4 header, inner_off: the
 * inner frame) and any Ethernet padding after the outer IP packet. */
static inline void vxlan_decap(struct rte_mbuf *m, uint16_t l3_off, uint16_t inner_off)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, l3_off);
	uint32_t inner_len = rte_be_to_cpu_16(ip->total_length) - (inner_off - l3_off);

	rte_pktmbuf_adj(m, inner_off);
	if (rte_pktmbuf_pkt_len(m) > inner_len)
		rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - inner_len);
}

_Static_assert(sizeof(struct vxlan_outer) == VXLAN_OUTER_LEN, "outer header must be packed");
