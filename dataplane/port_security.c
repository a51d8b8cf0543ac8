#include <string.h>

#include <netinet/in.h>
#include <rte_arp.h>
#include <rte_ip.h>

#include "dataplane/port_security.h"

#define ND_NEIGHBOR_ADVERT 136

static bool mac_allowed(const struct dp_port_security *sec, const struct rte_ether_addr *mac)
{
	if (sec->n_macs == 0)
		return true;
	for (unsigned i = 0; i < sec->n_macs; i++)
		if (rte_is_same_ether_addr(&sec->macs[i], mac))
			return true;
	return false;
}

static bool ip_declared(const struct dp_port_security *sec)
{
	return sec->n_ipv4 != 0 || sec->n_ipv6 != 0;
}

/* 0.0.0.0 stays allowed: DHCP clients and ARP probes use it. */
static bool ipv4_allowed(const struct dp_port_security *sec, uint32_t ip)
{
	if (!ip_declared(sec) || ip == 0)
		return true;
	for (unsigned i = 0; i < sec->n_ipv4; i++)
		if (sec->ipv4[i] == ip)
			return true;
	return false;
}

/* Link-local (fe80::/10) and unspecified sources stay allowed: neighbour
 * discovery and duplicate address detection use them. */
static bool ipv6_allowed(const struct dp_port_security *sec, const uint8_t *ip)
{
	static const uint8_t unspecified[16];

	if (!ip_declared(sec) || (ip[0] == 0xfe && (ip[1] & 0xc0) == 0x80) ||
	    memcmp(ip, unspecified, 16) == 0)
		return true;
	for (unsigned i = 0; i < sec->n_ipv6; i++)
		if (memcmp(sec->ipv6[i], ip, 16) == 0)
			return true;
	return false;
}

static enum drop_reason check_arp(const struct dp_port_security *sec, const uint8_t *p,
				  const struct pkt_meta *meta)
{
	const struct rte_ether_hdr *eth = (const void *)p;
	const struct rte_arp_hdr *arp = (const void *)(p + meta->l3_off);
	uint32_t sender_ip;

	memcpy(&sender_ip, &arp->arp_data.arp_sip, sizeof(sender_ip));
	if (!rte_is_same_ether_addr(&arp->arp_data.arp_sha, &eth->src_addr) ||
	    !ipv4_allowed(sec, sender_ip))
		return DROP_SPOOFED_ARP;
	return DROP_REASON_MAX;
}

static enum drop_reason check_ipv6(const struct dp_port_security *sec, const uint8_t *p,
				   const struct rte_mbuf *m, const struct pkt_meta *meta)
{
	const struct rte_ipv6_hdr *ip = (const void *)(p + meta->l3_off);
	const uint8_t *l4 = p + meta->l4_off;

	if (!ipv6_allowed(sec, ip->src_addr))
		return DROP_SPOOFED_IP;
	/* A neighbour advertisement speaks for its target address (at 8). */
	if (meta->l4_proto == IPPROTO_ICMPV6 && meta->l4_off != 0 && l4[0] == ND_NEIGHBOR_ADVERT) {
		if (rte_pktmbuf_data_len(m) < meta->l4_off + 24u)
			return DROP_MALFORMED;
		if (!ipv6_allowed(sec, l4 + 8))
			return DROP_SPOOFED_ARP;
	}
	return DROP_REASON_MAX;
}

enum drop_reason port_security_check(const struct dp_port_security *sec,
				     const struct rte_mbuf *m, const struct pkt_meta *meta)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_ether_hdr *eth = (const void *)p;
	uint32_t src_ip;

	if (!mac_allowed(sec, &eth->src_addr))
		return DROP_SPOOFED_MAC;
	switch (meta->ethertype) {
	case RTE_BE16(RTE_ETHER_TYPE_ARP):
		return check_arp(sec, p, meta);
	case RTE_BE16(RTE_ETHER_TYPE_IPV4):
		memcpy(&src_ip, p + meta->l3_off + offsetof(struct rte_ipv4_hdr, src_addr),
		       sizeof(src_ip));
		return ipv4_allowed(sec, src_ip) ? DROP_REASON_MAX : DROP_SPOOFED_IP;
	case RTE_BE16(RTE_ETHER_TYPE_IPV6):
		return check_ipv6(sec, p, m, meta);
	default:
		return DROP_REASON_MAX;
	}
}
