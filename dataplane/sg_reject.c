#include <string.h>

#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "dataplane/sg_reject.h"

/* Type, code, checksum and 4 unused bytes: ICMPv6 errors (RFC 4443 3.1)
 * share this layout with ICMP destination unreachable, so one struct,
 * rte_icmp_hdr, serves both. */
#define ICMP_ERROR_HDR_LEN 8

#define IPV6_EXT_HDR_MIN 8 /* bytes: the fragment header, the least any extension takes */

_Static_assert(sizeof(struct rte_icmp_hdr) == ICMP_ERROR_HDR_LEN, "ICMP error header");

/* RFC 1812 4.3.2.7: no ICMP error about a datagram whose source (where
 * the error would go) or destination is not one host: 0.0.0.0, loopback
 * (127/8), multicast (224/4), class E (240/4) with the limited broadcast.
 * DPDK 22.11's RTE_IPV4_MIN_MCAST shifts a signed int past its range. */
static bool ipv4_is_one_host(rte_be32_t addr)
{
	uint32_t a = rte_be_to_cpu_32(addr);

	return a != 0 && (a >> 24) != 127 && (a >> 24) < 224;
}

/* RFC 4443 2.4 e: neither the unspecified address nor multicast. */
static bool ipv6_is_one_host(const uint8_t addr[16])
{
	static const uint8_t unspecified[16];

	return addr[0] != 0xff && memcmp(addr, unspecified, sizeof(unspecified)) != 0;
}

static bool icmp4_is_error(uint8_t type)
{
	switch (type) {
	case ICMP_DEST_UNREACH:
	case ICMP_SOURCE_QUENCH:
	case ICMP_REDIRECT:
	case ICMP_TIME_EXCEEDED:
	case ICMP_PARAMETERPROB:
		return true;
	default:
		return false;
	}
}

/* Grows or shrinks the one segment of m to len bytes; false when it has no
 * tailroom to grow. */
static bool set_data_len(struct rte_mbuf *m, uint32_t len)
{
	uint16_t now = rte_pktmbuf_data_len(m);

	if (len > now)
		return rte_pktmbuf_append(m, len - now) != NULL;
	rte_pktmbuf_trim(m, now - len);
	return true;
}

/* Fills rst with the reset that a closed port sends (RFC 9293 3.10.7.1)
 * in answer to the TCP segment at seg, seg_len bytes with its header.
 * False when seg gets no answer: it is a reset itself, or truncated. */
static bool tcp_rst_fill(struct rte_tcp_hdr *rst, const uint8_t *seg, uint32_t seg_len)
{
	struct rte_tcp_hdr in;
	uint32_t hdr_len, seq_end;

	if (seg_len < sizeof(in))
		return false;
	memcpy(&in, seg, sizeof(in));
	hdr_len = (in.data_off >> 4) * 4u;
	if ((in.tcp_flags & RTE_TCP_RST_FLAG) || hdr_len < sizeof(in) || hdr_len > seg_len)
		return false;
	*rst = (struct rte_tcp_hdr){
		.src_port = in.dst_port,
		.dst_port = in.src_port,
		.data_off = sizeof(*rst) / 4 << 4,
	};
	if (in.tcp_flags & RTE_TCP_ACK_FLAG) {
		rst->sent_seq = in.recv_ack;
		rst->tcp_flags = RTE_TCP_RST_FLAG;
	} else {
		/* SYN and FIN each take one sequence number. */
		seq_end = rte_be_to_cpu_32(in.sent_seq) + (seg_len - hdr_len) +
			  !!(in.tcp_flags & RTE_TCP_SYN_FLAG) + !!(in.tcp_flags & RTE_TCP_FIN_FLAG);
		rst->recv_ack = rte_cpu_to_be_32(seq_end);
		rst->tcp_flags = RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG;
	}
	return true;
}

/* Rewrites the rejected packet's IPv4 header, options dropped, into the
 * answer's header, ip_len bytes in all. */
static void ipv4_answer_header(struct rte_ipv4_hdr *ip, uint8_t proto, uint16_t ip_len)
{
	rte_be32_t sender = ip->src_addr;

	ip->src_addr = ip->dst_addr;
	ip->dst_addr = sender;
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0;
	ip->total_length = rte_cpu_to_be_16(ip_len);
	ip->packet_id = 0; /* no fragments to reassemble: DF is set (RFC 6864) */
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = SG_REJECT_TTL;
	ip->next_proto_id = proto;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

/* Rewrites the rejected packet's IPv6 header into the answer's, with
 * payload_len bytes after it. */
static void ipv6_answer_header(struct rte_ipv6_hdr *ip, uint8_t proto, uint16_t payload_len)
{
	uint8_t sender[sizeof(ip->src_addr)];

	memcpy(sender, ip->src_addr, sizeof(sender));
	memcpy(ip->src_addr, ip->dst_addr, sizeof(ip->src_addr));
	memcpy(ip->dst_addr, sender, sizeof(ip->dst_addr));
	ip->vtc_flow = RTE_BE32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16(payload_len);
	ip->proto = proto;
	ip->hop_limits = SG_REJECT_TTL;
}

/* The answer is built where the rejected packet was: the quote moves
 * forward past the new IP and ICMP headers, which leaves the original IP
 * header in place to be rewritten into the answer's. */
static void *quote_packet(uint8_t *l3, uint16_t hdr_len, uint16_t quote_len)
{
	memmove(l3 + hdr_len + ICMP_ERROR_HDR_LEN, l3, quote_len);
	return l3 + hdr_len;
}

static bool tcp_rst_ipv4(struct rte_mbuf *m, const struct pkt_meta *meta)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	struct rte_ipv4_hdr *ip = (void *)(p + meta->l3_off);
	uint16_t seg_len = rte_be_to_cpu_16(ip->total_length) - (meta->l4_off - meta->l3_off);
	struct rte_tcp_hdr rst, *out = (void *)(ip + 1);

	if (!tcp_rst_fill(&rst, p + meta->l4_off, seg_len))
		return false;
	/* A reset is never longer than the segment it answers. */
	set_data_len(m, meta->l3_off + sizeof(*ip) + sizeof(rst));
	ipv4_answer_header(ip, IPPROTO_TCP, sizeof(*ip) + sizeof(rst));
	memcpy(out, &rst, sizeof(rst));
	out->cksum = rte_ipv4_udptcp_cksum(ip, out);
	return true;
}

static bool icmp_unreach_ipv4(struct rte_mbuf *m, const struct pkt_meta *meta)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	struct rte_ipv4_hdr *ip = (void *)(p + meta->l3_off);
	uint16_t quote_len = RTE_MIN(rte_be_to_cpu_16(ip->total_length),
				     SG_REJECT_ICMP4_IP_MAX - sizeof(*ip) - ICMP_ERROR_HDR_LEN);
	uint16_t ip_len = sizeof(*ip) + ICMP_ERROR_HDR_LEN + quote_len;
	struct rte_icmp_hdr *icmp;

	if (meta->l4_proto == IPPROTO_ICMP && icmp4_is_error(p[meta->l4_off]))
		return false;
	if (!set_data_len(m, meta->l3_off + ip_len))
		return false;
	icmp = quote_packet((uint8_t *)ip, sizeof(*ip), quote_len);
	*icmp = (struct rte_icmp_hdr){
		.icmp_type = ICMP_DEST_UNREACH,
		.icmp_code = meta->l4_proto == IPPROTO_UDP ? ICMP_PORT_UNREACH : ICMP_PKT_FILTERED,
	};
	icmp->icmp_cksum = ~rte_raw_cksum(icmp, ip_len - sizeof(*ip));
	ipv4_answer_header(ip, IPPROTO_ICMP, ip_len);
	return true;
}

static bool reject_ipv4(struct rte_mbuf *m, const struct pkt_meta *meta)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, const void *, meta->l3_off);

	if (!ipv4_is_one_host(ip->src_addr) || !ipv4_is_one_host(ip->dst_addr))
		return false;
	/* A non-first fragment has no L4 header to tell an ICMP error or to
	 * answer a TCP segment from (RFC 1812 4.3.2.7). */
	if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK))
		return false;
	if (meta->l4_proto == IPPROTO_TCP)
		return tcp_rst_ipv4(m, meta);
	return icmp_unreach_ipv4(m, meta);
}

static bool ipv6_is_extension(uint8_t next_header)
{
	switch (next_header) {
	case IPPROTO_HOPOPTS:
	case IPPROTO_ROUTING:
	case IPPROTO_FRAGMENT:
	case IPPROTO_AH:
	case IPPROTO_DSTOPTS:
		return true;
	default:
		return false;
	}
}

/* pkt_parse() stops at IPv6 extension headers: this walks them (RFC 8200
 * section 4) from the IPv6 header at l3_off to the upper-layer header,
 * which it returns in *proto and *l4_off. False for a non-first fragment,
 * which has no upper-layer header, and for a chain that runs past ip_end. */
static bool ipv6_skip_extensions(const uint8_t *p, uint16_t l3_off, uint32_t ip_end,
				 uint8_t *proto, uint16_t *l4_off)
{
	uint8_t next = ((const struct rte_ipv6_hdr *)(p + l3_off))->proto;
	uint32_t off = l3_off + sizeof(struct rte_ipv6_hdr);
	const uint8_t *ext;

	while (ipv6_is_extension(next)) {
		if (off + IPV6_EXT_HDR_MIN > ip_end)
			return false;
		ext = p + off;
		if (next == IPPROTO_FRAGMENT) {
			/* The offset: the top 13 bits of the third and fourth bytes. */
			if (((ext[2] << 8 | ext[3]) & ~7) != 0)
				return false;
			off += IPV6_EXT_HDR_MIN;
		} else if (next == IPPROTO_AH) {
			off += (ext[1] + 2) * 4u; /* in 4-byte units less 2 (RFC 4302) */
		} else {
			off += (ext[1] + 1) * 8u; /* in 8-byte units less 1 */
		}
		next = ext[0];
	}
	if (off > ip_end)
		return false;
	*proto = next;
	*l4_off = off;
	return true;
}

static bool tcp_rst_ipv6(struct rte_mbuf *m, uint16_t l3_off, uint16_t l4_off, uint32_t ip_end)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	struct rte_ipv6_hdr *ip = (void *)(p + l3_off);
	struct rte_tcp_hdr rst, *out = (void *)(ip + 1);

	if (!tcp_rst_fill(&rst, p + l4_off, ip_end - l4_off))
		return false;
	/* A reset is never longer than the segment it answers. */
	set_data_len(m, l3_off + sizeof(*ip) + sizeof(rst));
	ipv6_answer_header(ip, IPPROTO_TCP, sizeof(rst));
	memcpy(out, &rst, sizeof(rst));
	out->cksum = rte_ipv6_udptcp_cksum(ip, out);
	return true;
}

static bool icmp6_unreach(struct rte_mbuf *m, uint16_t l3_off, uint32_t ip_end, uint8_t code)
{
	struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, void *, l3_off);
	uint16_t quote_len = RTE_MIN(ip_end - l3_off,
				     SG_REJECT_ICMP6_IP_MAX - sizeof(*ip) - ICMP_ERROR_HDR_LEN);
	struct rte_icmp_hdr *icmp;

	if (!set_data_len(m, l3_off + sizeof(*ip) + ICMP_ERROR_HDR_LEN + quote_len))
		return false;
	icmp = quote_packet((uint8_t *)ip, sizeof(*ip), quote_len);
	*icmp = (struct rte_icmp_hdr){.icmp_type = ICMP6_DST_UNREACH, .icmp_code = code};
	ipv6_answer_header(ip, IPPROTO_ICMPV6, ICMP_ERROR_HDR_LEN + quote_len);
	icmp->icmp_cksum = rte_ipv6_udptcp_cksum(ip, icmp);
	return true;
}

static bool reject_ipv6(struct rte_mbuf *m, const struct pkt_meta *meta)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_ipv6_hdr *ip = (const void *)(p + meta->l3_off);
	uint32_t ip_end = meta->l3_off + sizeof(*ip) + rte_be_to_cpu_16(ip->payload_len);
	uint16_t l4_off = meta->l4_off;
	uint8_t proto = meta->l4_proto;

	if (!ipv6_is_one_host(ip->src_addr) || !ipv6_is_one_host(ip->dst_addr))
		return false;
	if (l4_off == 0 && !ipv6_skip_extensions(p, meta->l3_off, ip_end, &proto, &l4_off))
		return false;
	if (proto == IPPROTO_TCP)
		return tcp_rst_ipv6(m, meta->l3_off, l4_off, ip_end);
	/* Informational messages have the type's top bit set, errors not. */
	if (proto == IPPROTO_ICMPV6 && (l4_off >= ip_end || !(p[l4_off] & ICMP6_INFOMSG_MASK)))
		return false;
	return icmp6_unreach(m, meta->l3_off, ip_end,
			     proto == IPPROTO_UDP ? ICMP6_DST_UNREACH_NOPORT
						  : ICMP6_DST_UNREACH_ADMIN);
}

bool sg_reject_build(struct rte_mbuf *m, const struct pkt_meta *meta)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ether_addr sender = eth->src_addr;
	bool built;

	/* The answer overwrites m's data, which must be its own and in one
	 * piece. */
	if (!rte_pktmbuf_is_contiguous(m) || !RTE_MBUF_DIRECT(m) || rte_mbuf_refcnt_read(m) != 1)
		return false;
	if (rte_is_multicast_ether_addr(&eth->dst_addr) || rte_is_multicast_ether_addr(&sender))
		return false;
	if (meta->ethertype == RTE_BE16(RTE_ETHER_TYPE_IPV4))
		built = reject_ipv4(m, meta);
	else if (meta->ethertype == RTE_BE16(RTE_ETHER_TYPE_IPV6))
		built = reject_ipv6(m, meta);
	else
		return false;
	if (built) {
		eth->src_addr = eth->dst_addr;
		eth->dst_addr = sender;
	}
	return built;
}
