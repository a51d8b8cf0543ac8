/* The answer to a rejected packet: TCP resets and ICMP/ICMPv6 unreachables
 * built in place, checked field by field with checksums recomputed here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dataplane/parse.h"
#include "dataplane/sg_reject.h"
#include "eal_fixture.h"
#include "frame.h"

static const uint8_t vm_mac[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t peer_mac[6] = {0x02, 0, 0, 0, 0, 0x02};
static const uint8_t bcast_mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t mcast_mac[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb};
#define VM_IP 0x0a000001   /* 10.0.0.1 */
#define PEER_IP 0x0a000002 /* 10.0.0.2 */
static const uint8_t vm_ip6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t peer_ip6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
static const uint8_t all_nodes_ip6[16] = {0xff, 0x02, [15] = 1};
static const uint8_t unspecified_ip6[16];

#define ETH_LEN 14
#define VLAN_LEN 4
#define IPV4_LEN 20
#define IPV6_LEN 40
#define TCP_LEN 20
#define ICMP_LEN 8
#define IPV4_ANSWER_MAX 576  /* RFC 1812 */
#define IPV6_ANSWER_MAX 1280 /* RFC 4443 */

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10

/* Ethernet header of a frame from the VM to dst. */
static void start_frame(struct frame *f, const uint8_t dst[6], uint16_t ethertype)
{
	f->len = 0;
	put_macs(f, dst, vm_mac);
	put_be16(f, ethertype);
}

/* put_ipv4() with DSCP EF and TTL 3, which the answer must not copy. */
static void put_ipv4_hdr(struct frame *f, uint8_t ihl, uint16_t total_len, uint16_t flags_frag,
			 uint8_t proto, uint32_t src, uint32_t dst)
{
	uint16_t start = f->len, sum;

	put_ipv4(f, ihl, total_len, flags_frag, proto, src, dst);
	f->bytes[start + 1] = 0xb8;
	f->bytes[start + 8] = 3;
	f->bytes[start + 10] = 0;
	f->bytes[start + 11] = 0;
	sum = rfc1071_checksum(&f->bytes[start], ihl * 4u);
	f->bytes[start + 10] = sum >> 8;
	f->bytes[start + 11] = sum & 0xff;
}

static void put_ipv6_addrs(struct frame *f, uint16_t payload_len, uint8_t next_header,
			   const uint8_t src[16], const uint8_t dst[16])
{
	put_be32(f, 0x6a012345); /* traffic class 0xa0, flow label 0x12345 */
	put_be16(f, payload_len);
	put_u8(f, next_header);
	put_u8(f, 3); /* hop limit */
	put_bytes(f, src, 16);
	put_bytes(f, dst, 16);
}

/* TCP header of doff 32-bit words (options are NOPs), checksum left 0:
 * the code under test does not read it. */
static void put_tcp(struct frame *f, uint32_t seq, uint32_t ack, uint8_t flags, uint8_t doff)
{
	put_be16(f, 40000); /* source port */
	put_be16(f, 22);    /* destination port */
	put_be32(f, seq);
	put_be32(f, ack);
	put_u8(f, doff << 4);
	put_u8(f, flags);
	put_be16(f, 64240); /* window */
	put_be16(f, 0);     /* checksum */
	put_be16(f, 0);     /* urgent pointer */
	for (unsigned i = 5; i < doff; i++)
		put_be32(f, 0x01010101);
}

static void put_icmp(struct frame *f, uint8_t type, uint8_t code)
{
	put_u8(f, type);
	put_u8(f, code);
	put_be16(f, 0);          /* checksum: not read */
	put_be32(f, 0x00010002); /* echo identifier and sequence, or unused */
}

/* Payload bytes that differ from one offset to the next, so a quote taken
 * from the wrong place shows. */
static void put_pattern(struct frame *f, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		put_u8(f, (uint8_t)(i * 7 + 3));
}

static uint16_t get16(const struct frame *f, unsigned off)
{
	return (uint16_t)(f->bytes[off] << 8 | f->bytes[off + 1]);
}

static uint32_t get32(const struct frame *f, unsigned off)
{
	return (uint32_t)get16(f, off) << 16 | get16(f, off + 2);
}

/* Runs sg_reject_build() on an mbuf holding in; out receives what the mbuf
 * holds afterwards, which must be in unchanged when there is no answer. */
static bool answer(const struct frame *in, struct frame *out)
{
	struct rte_mbuf *m = mbuf_from_bytes(in->bytes, in->len);
	struct pkt_meta meta;
	bool built;

	assert_non_null(m);
	assert_true(pkt_parse(m, &meta, 0));
	built = sg_reject_build(m, &meta);
	assert_int_equal(rte_pktmbuf_pkt_len(m), rte_pktmbuf_data_len(m));
	assert_in_range(rte_pktmbuf_data_len(m), 0, FRAME_MAX);
	out->len = rte_pktmbuf_data_len(m);
	memcpy(out->bytes, rte_pktmbuf_mtod(m, const void *), out->len);
	rte_pktmbuf_free(m);
	if (!built) {
		assert_int_equal(out->len, in->len);
		assert_memory_equal(out->bytes, in->bytes, in->len);
	}
	return built;
}

/* MACs swapped, the tags and EtherType up to l3 kept. */
static void check_eth(const struct frame *in, const struct frame *out, unsigned l3)
{
	assert_memory_equal(&out->bytes[0], &in->bytes[6], 6);
	assert_memory_equal(&out->bytes[6], &in->bytes[0], 6);
	assert_memory_equal(&out->bytes[12], &in->bytes[12], l3 - 12);
}

static void check_ipv4(const struct frame *in, const struct frame *out, unsigned l3,
		       uint8_t proto, uint16_t ip_len)
{
	const uint8_t *ip = &out->bytes[l3];

	check_eth(in, out, l3);
	assert_int_equal(out->len, l3 + ip_len);
	assert_int_equal(ip[0], 0x45); /* no options */
	assert_int_equal(ip[1], 0);
	assert_int_equal(get16(out, l3 + 2), ip_len);
	assert_int_equal(get16(out, l3 + 6), 0x4000); /* DF, offset 0 */
	assert_int_equal(ip[8], 64);
	assert_int_equal(ip[9], proto);
	assert_memory_equal(&ip[12], &in->bytes[l3 + 16], 4);
	assert_memory_equal(&ip[16], &in->bytes[l3 + 12], 4);
	assert_int_equal(rfc1071_checksum(ip, IPV4_LEN), 0);
}

static void check_ipv6(const struct frame *in, const struct frame *out, unsigned l3,
		       uint8_t next_header, uint16_t payload_len)
{
	check_eth(in, out, l3);
	assert_int_equal(out->len, l3 + IPV6_LEN + payload_len);
	assert_int_equal(get32(out, l3), 0x60000000);
	assert_int_equal(get16(out, l3 + 4), payload_len);
	assert_int_equal(out->bytes[l3 + 6], next_header);
	assert_int_equal(out->bytes[l3 + 7], 64);
	assert_memory_equal(&out->bytes[l3 + 8], &in->bytes[l3 + 24], 16);
	assert_memory_equal(&out->bytes[l3 + 24], &in->bytes[l3 + 8], 16);
}

/* Whether the L4 checksum over the pseudo-header (RFC 793, RFC 8200 8.1)
 * and the l4_len bytes at l4 verifies. */
static bool l4_checksum_ok(const struct frame *out, unsigned l3, unsigned l4, bool ipv6)
{
	uint8_t buf[40 + FRAME_MAX];
	unsigned l4_len = out->len - l4, n;

	if (ipv6) {
		memcpy(buf, &out->bytes[l3 + 8], 32);
		memcpy(&buf[32], (uint8_t[]){0, 0, l4_len >> 8, l4_len & 0xff, 0, 0, 0,
					     out->bytes[l3 + 6]},
		       8);
		n = 40;
	} else {
		memcpy(buf, &out->bytes[l3 + 12], 8);
		memcpy(&buf[8], (uint8_t[]){0, out->bytes[l3 + 9], l4_len >> 8, l4_len & 0xff}, 4);
		n = 12;
	}
	memcpy(&buf[n], &out->bytes[l4], l4_len);
	return rfc1071_checksum(buf, n + l4_len) == 0;
}

/* The reset at l4 answers the segment from port 40000 to 22 (put_tcp). */
static void check_rst(const struct frame *out, unsigned l4, uint32_t seq, uint32_t ack,
		      uint8_t flags)
{
	assert_int_equal(get16(out, l4), 22);
	assert_int_equal(get16(out, l4 + 2), 40000);
	assert_int_equal(get32(out, l4 + 4), seq);
	assert_int_equal(get32(out, l4 + 8), ack);
	assert_int_equal(out->bytes[l4 + 12], 0x50); /* no options */
	assert_int_equal(out->bytes[l4 + 13], flags);
	assert_int_equal(get16(out, l4 + 14), 0); /* window */
	assert_int_equal(get16(out, l4 + 18), 0); /* urgent pointer */
	assert_int_equal(out->len, l4 + TCP_LEN); /* no payload */
}

/* The ICMP or ICMPv6 error at l4 quotes the first quote_len bytes of the
 * rejected IP packet at l3. */
static void check_unreach(const struct frame *in, const struct frame *out, unsigned l3,
			  unsigned l4, uint8_t type, uint8_t code, uint16_t quote_len)
{
	assert_int_equal(out->bytes[l4], type);
	assert_int_equal(out->bytes[l4 + 1], code);
	assert_int_equal(get32(out, l4 + 4), 0);
	assert_int_equal(out->len, l4 + ICMP_LEN + quote_len);
	assert_memory_equal(&out->bytes[l4 + ICMP_LEN], &in->bytes[l3], quote_len);
}

static void check_icmp4(const struct frame *in, const struct frame *out, unsigned l3, uint8_t code,
			uint16_t quote_len)
{
	unsigned l4 = l3 + IPV4_LEN;

	check_ipv4(in, out, l3, 1, IPV4_LEN + ICMP_LEN + quote_len);
	check_unreach(in, out, l3, l4, 3, code, quote_len);
	assert_int_equal(rfc1071_checksum(&out->bytes[l4], ICMP_LEN + quote_len), 0);
}

static void check_icmp6(const struct frame *in, const struct frame *out, unsigned l3, uint8_t code,
			uint16_t quote_len)
{
	unsigned l4 = l3 + IPV6_LEN;

	check_ipv6(in, out, l3, 58, ICMP_LEN + quote_len);
	check_unreach(in, out, l3, l4, 1, code, quote_len);
	assert_true(l4_checksum_ok(out, l3, l4, true));
}

static void udp4_frame(struct frame *f, uint16_t payload_len)
{
	start_frame(f, peer_mac, 0x0800);
	put_ipv4_hdr(f, 5, IPV4_LEN + 8 + payload_len, 0, 17, VM_IP, PEER_IP);
	put_udp(f, 5353, 53, 8 + payload_len);
	put_pattern(f, payload_len);
}

static void udp6_frame(struct frame *f, uint16_t payload_len)
{
	start_frame(f, peer_mac, 0x86dd);
	put_ipv6_addrs(f, 8 + payload_len, 17, vm_ip6, peer_ip6);
	put_udp(f, 5353, 53, 8 + payload_len);
	put_pattern(f, payload_len);
}

static void test_tcp_syn_gets_rst_ack(void **state)
{
	struct frame in, out;
	(void)state;

	/* With an MSS option: the acknowledged length excludes options. */
	start_frame(&in, peer_mac, 0x0800);
	put_ipv4_hdr(&in, 5, IPV4_LEN + 24, 0x4000, 6, VM_IP, PEER_IP);
	put_tcp(&in, 1000, 0, TCP_SYN, 6);
	assert_true(answer(&in, &out));
	check_ipv4(&in, &out, ETH_LEN, 6, IPV4_LEN + TCP_LEN);
	check_rst(&out, ETH_LEN + IPV4_LEN, 0, 1001, TCP_RST | TCP_ACK);
	assert_true(l4_checksum_ok(&out, ETH_LEN, ETH_LEN + IPV4_LEN, false));
}

static void test_tcp_with_ack_gets_rst_at_its_ack(void **state)
{
	struct frame in, out;
	(void)state;

	/* IP options and a payload: both gone from the answer. */
	start_frame(&in, peer_mac, 0x0800);
	put_ipv4_hdr(&in, 6, 24 + TCP_LEN + 100, 0, 6, VM_IP, PEER_IP);
	put_tcp(&in, 5000, 7777, TCP_PSH | TCP_ACK, 5);
	put_pattern(&in, 100);
	assert_true(answer(&in, &out));
	check_ipv4(&in, &out, ETH_LEN, 6, IPV4_LEN + TCP_LEN);
	check_rst(&out, ETH_LEN + IPV4_LEN, 7777, 0, TCP_RST);
	assert_true(l4_checksum_ok(&out, ETH_LEN, ETH_LEN + IPV4_LEN, false));
}

static void test_tcp_without_ack_acknowledges_payload_and_fin(void **state)
{
	struct frame in, out;
	(void)state;

	start_frame(&in, peer_mac, 0x0800);
	put_ipv4_hdr(&in, 5, IPV4_LEN + TCP_LEN + 10, 0, 6, VM_IP, PEER_IP);
	put_tcp(&in, 0xfffffffa, 0, TCP_FIN | TCP_PSH, 5);
	put_pattern(&in, 10);
	assert_true(answer(&in, &out));
	/* The sequence space wraps: 0xfffffffa + 10 + 1 for the FIN. */
	check_rst(&out, ETH_LEN + IPV4_LEN, 0, 5, TCP_RST | TCP_ACK);
	assert_true(l4_checksum_ok(&out, ETH_LEN, ETH_LEN + IPV4_LEN, false));
}

static void test_tcp_reset_not_answered(void **state)
{
	static const uint8_t flags[] = {TCP_RST, TCP_RST | TCP_ACK};
	struct frame in, out;
	(void)state;

	for (unsigned i = 0; i < RTE_DIM(flags); i++) {
		start_frame(&in, peer_mac, 0x0800);
		put_ipv4_hdr(&in, 5, IPV4_LEN + TCP_LEN, 0, 6, VM_IP, PEER_IP);
		put_tcp(&in, 1, 2, flags[i], 5);
		assert_false(answer(&in, &out));
	}
}

static void test_tcp_v6_gets_rst(void **state)
{
	struct frame in, out;
	(void)state;

	start_frame(&in, peer_mac, 0x86dd);
	put_ipv6_addrs(&in, TCP_LEN, 6, vm_ip6, peer_ip6);
	put_tcp(&in, 0x12345678, 0, TCP_SYN, 5);
	assert_true(answer(&in, &out));
	check_ipv6(&in, &out, ETH_LEN, 6, TCP_LEN);
	check_rst(&out, ETH_LEN + IPV6_LEN, 0, 0x12345679, TCP_RST | TCP_ACK);
	assert_true(l4_checksum_ok(&out, ETH_LEN, ETH_LEN + IPV6_LEN, true));
}

static void test_udp_v4_gets_port_unreachable(void **state)
{
	struct frame in, out;
	(void)state;

	/* 28 bytes of IP padded to the 60-byte Ethernet minimum: the quote
	 * stops at the IP packet's end, the answer is longer than the frame. */
	udp4_frame(&in, 0);
	put_zeros(&in, 60 - in.len);
	assert_true(answer(&in, &out));
	check_icmp4(&in, &out, ETH_LEN, 3, IPV4_LEN + 8);
}

static void test_icmp_echo_v4_gets_prohibited(void **state)
{
	struct frame in, out;
	(void)state;

	start_frame(&in, peer_mac, 0x0800);
	put_ipv4_hdr(&in, 5, IPV4_LEN + ICMP_LEN + 56, 0, 1, VM_IP, PEER_IP);
	put_icmp(&in, 8, 0);
	put_pattern(&in, 56);
	assert_true(answer(&in, &out));
	check_icmp4(&in, &out, ETH_LEN, 13, IPV4_LEN + ICMP_LEN + 56);
}

static void test_other_protocol_v4_gets_prohibited(void **state)
{
	struct frame in, out;
	(void)state;

	/* GRE, with IP options quoted as they are. */
	start_frame(&in, peer_mac, 0x0800);
	put_ipv4_hdr(&in, 7, 28 + 12, 0, 47, VM_IP, PEER_IP);
	put_pattern(&in, 12);
	assert_true(answer(&in, &out));
	check_icmp4(&in, &out, ETH_LEN, 13, 28 + 12);
}

static void test_udp_v6_gets_port_unreachable(void **state)
{
	struct frame in, out;
	(void)state;

	udp6_frame(&in, 13);
	assert_true(answer(&in, &out));
	check_icmp6(&in, &out, ETH_LEN, 4, IPV6_LEN + 8 + 13);
}

static void test_icmp6_echo_gets_prohibited(void **state)
{
	struct frame in, out;
	(void)state;

	start_frame(&in, peer_mac, 0x86dd);
	put_ipv6_addrs(&in, ICMP_LEN, 58, vm_ip6, peer_ip6);
	put_icmp(&in, 128, 0);
	assert_true(answer(&in, &out));
	check_icmp6(&in, &out, ETH_LEN, 1, IPV6_LEN + ICMP_LEN);
}

static void test_tagged_frame_keeps_its_tag(void **state)
{
	struct frame in, out;
	struct pkt_meta meta;
	struct rte_mbuf *m;
	(void)state;

	in.len = 0;
	put_macs(&in, peer_mac, vm_mac);
	put_be16(&in, 0x8100);
	put_be16(&in, 5 << 13 | 42); /* priority 5, VLAN 42 */
	put_be16(&in, 0x0800);
	put_ipv4_hdr(&in, 5, IPV4_LEN + TCP_LEN, 0, 6, VM_IP, PEER_IP);
	put_tcp(&in, 77, 0, TCP_SYN, 5);
	assert_true(answer(&in, &out));
	check_ipv4(&in, &out, ETH_LEN + VLAN_LEN, 6, IPV4_LEN + TCP_LEN);
	check_rst(&out, ETH_LEN + VLAN_LEN + IPV4_LEN, 0, 78, TCP_RST | TCP_ACK);
	assert_true(l4_checksum_ok(&out, ETH_LEN + VLAN_LEN, ETH_LEN + VLAN_LEN + IPV4_LEN, false));

	m = mbuf_from_bytes(out.bytes, out.len);
	assert_non_null(m);
	assert_true(pkt_parse(m, &meta, 0));
	assert_int_equal(meta.n_tags, 1);
	assert_int_equal(meta.vlan, 42);
	rte_pktmbuf_free(m);

	in.len = ETH_LEN + VLAN_LEN;
	put_ipv4_hdr(&in, 5, IPV4_LEN + 8, 0, 17, VM_IP, PEER_IP);
	put_udp(&in, 1, 2, 8);
	assert_true(answer(&in, &out));
	check_icmp4(&in, &out, ETH_LEN + VLAN_LEN, 3, IPV4_LEN + 8);
}

static void test_large_packets_quoted_up_to_the_limit(void **state)
{
	struct frame in, out;
	(void)state;

	udp4_frame(&in, 1400);
	assert_true(answer(&in, &out));
	check_icmp4(&in, &out, ETH_LEN, 3, IPV4_ANSWER_MAX - IPV4_LEN - ICMP_LEN);

	udp6_frame(&in, 1400);
	assert_true(answer(&in, &out));
	check_icmp6(&in, &out, ETH_LEN, 4, IPV6_ANSWER_MAX - IPV6_LEN - ICMP_LEN);

	/* One byte under the limit: quoted whole. */
	udp4_frame(&in, IPV4_ANSWER_MAX - 2 * IPV4_LEN - 2 * ICMP_LEN - 1);
	assert_true(answer(&in, &out));
	check_icmp4(&in, &out, ETH_LEN, 3, in.len - ETH_LEN);
}

static void test_icmp_errors_not_answered(void **state)
{
	static const uint8_t v4_errors[] = {3, 4, 5, 11, 12};
	static const uint8_t v6_errors[] = {1, 2, 3, 4, 127};
	struct frame in, out;
	(void)state;

	for (unsigned i = 0; i < RTE_DIM(v4_errors); i++) {
		start_frame(&in, peer_mac, 0x0800);
		put_ipv4_hdr(&in, 5, IPV4_LEN + ICMP_LEN + 28, 0, 1, VM_IP, PEER_IP);
		put_icmp(&in, v4_errors[i], 0);
		put_pattern(&in, 28);
		assert_false(answer(&in, &out));
	}
	for (unsigned i = 0; i < RTE_DIM(v6_errors); i++) {
		start_frame(&in, peer_mac, 0x86dd);
		put_ipv6_addrs(&in, ICMP_LEN + 48, 58, vm_ip6, peer_ip6);
		put_icmp(&in, v6_errors[i], 0);
		put_pattern(&in, 48);
		assert_false(answer(&in, &out));
	}
}

static void test_fragments(void **state)
{
	struct frame in, out;
	(void)state;

	/* Not the first fragment: no answer. */
	start_frame(&in, peer_mac, 0x0800);
	put_ipv4_hdr(&in, 5, IPV4_LEN + 16, 185, 17, VM_IP, PEER_IP);
	put_pattern(&in, 16);
	assert_false(answer(&in, &out));

	/* The first one (more fragments, offset 0) is answered. */
	start_frame(&in, peer_mac, 0x0800);
	put_ipv4_hdr(&in, 5, IPV4_LEN + 8 + 16, 0x2000, 17, VM_IP, PEER_IP);
	put_udp(&in, 1, 2, 1000);
	put_pattern(&in, 16);
	assert_true(answer(&in, &out));
	check_icmp4(&in, &out, ETH_LEN, 3, IPV4_LEN + 8 + 16);

	/* IPv6 fragment header at offset 1480: no answer. */
	start_frame(&in, peer_mac, 0x86dd);
	put_ipv6_addrs(&in, 8 + 16, 44, vm_ip6, peer_ip6);
	put_u8(&in, 17);
	put_u8(&in, 0);
	put_be16(&in, 185 << 3); /* offset 185 (8-byte units), last fragment */
	put_be32(&in, 0xabcd);
	put_pattern(&in, 16);
	assert_false(answer(&in, &out));
}

/* What follows IPv6 extension headers decides the answer. */
static void test_ipv6_extension_headers(void **state)
{
	struct frame in, out;
	(void)state;

	/* Hop-by-hop options (8 bytes), then UDP: port unreachable. */
	start_frame(&in, peer_mac, 0x86dd);
	put_ipv6_addrs(&in, 8 + 8, 0, vm_ip6, peer_ip6);
	put_u8(&in, 17);
	put_u8(&in, 0);
	put_zeros(&in, 6);
	put_udp(&in, 1, 2, 8);
	assert_true(answer(&in, &out));
	check_icmp6(&in, &out, ETH_LEN, 4, IPV6_LEN + 16);

	/* A first fragment of a TCP SYN: a reset. */
	start_frame(&in, peer_mac, 0x86dd);
	put_ipv6_addrs(&in, 8 + TCP_LEN, 44, vm_ip6, peer_ip6);
	put_u8(&in, 6);
	put_u8(&in, 0);
	put_be16(&in, 1); /* offset 0, more fragments */
	put_be32(&in, 0xabcd);
	put_tcp(&in, 500, 0, TCP_SYN, 5);
	assert_true(answer(&in, &out));
	check_ipv6(&in, &out, ETH_LEN, 6, TCP_LEN);
	check_rst(&out, ETH_LEN + IPV6_LEN, 0, 501, TCP_RST | TCP_ACK);
	assert_true(l4_checksum_ok(&out, ETH_LEN, ETH_LEN + IPV6_LEN, true));

	/* Destination options (16 bytes), then an ICMPv6 error: no answer. */
	start_frame(&in, peer_mac, 0x86dd);
	put_ipv6_addrs(&in, 16 + ICMP_LEN, 60, vm_ip6, peer_ip6);
	put_u8(&in, 58);
	put_u8(&in, 1);
	put_zeros(&in, 14);
	put_icmp(&in, 1, 4);
	assert_false(answer(&in, &out));

	/* A chain that claims more bytes than the packet has: no answer. */
	start_frame(&in, peer_mac, 0x86dd);
	put_ipv6_addrs(&in, 8, 0, vm_ip6, peer_ip6);
	put_u8(&in, 17);
	put_u8(&in, 4);
	put_zeros(&in, 6);
	assert_false(answer(&in, &out));
}

static void test_not_one_host_not_answered(void **state)
{
	static const struct {
		const uint8_t *mac;
		uint32_t src, dst;
	} v4[] = {
		{bcast_mac, VM_IP, 0xffffffff},
		{bcast_mac, VM_IP, PEER_IP},     /* broadcast MAC, unicast IP */
		{peer_mac, VM_IP, 0xffffffff},   /* unicast MAC, broadcast IP */
		{mcast_mac, VM_IP, 0xe00000fb},  /* mDNS */
		{peer_mac, VM_IP, 0xe00000fb},
		{peer_mac, 0, PEER_IP},          /* from 0.0.0.0 */
		{peer_mac, 0x7f000001, PEER_IP}, /* from loopback */
		{peer_mac, 0xe0000001, PEER_IP}, /* from multicast */
	};
	static const struct {
		const uint8_t *mac, *src, *dst;
	} v6[] = {
		{mcast_mac, vm_ip6, all_nodes_ip6},
		{peer_mac, vm_ip6, all_nodes_ip6},
		{peer_mac, unspecified_ip6, peer_ip6},
		{peer_mac, all_nodes_ip6, peer_ip6},
	};
	struct frame in, out;
	(void)state;

	for (unsigned i = 0; i < RTE_DIM(v4); i++) {
		start_frame(&in, v4[i].mac, 0x0800);
		put_ipv4_hdr(&in, 5, IPV4_LEN + 8, 0, 17, v4[i].src, v4[i].dst);
		put_udp(&in, 1, 2, 8);
		assert_false(answer(&in, &out));
	}
	for (unsigned i = 0; i < RTE_DIM(v6); i++) {
		start_frame(&in, v6[i].mac, 0x86dd);
		put_ipv6_addrs(&in, 8, 17, v6[i].src, v6[i].dst);
		put_udp(&in, 1, 2, 8);
		assert_false(answer(&in, &out));
	}

	/* A group source MAC is as bad as a group destination. */
	in.len = 0;
	put_macs(&in, peer_mac, mcast_mac);
	put_be16(&in, 0x0800);
	put_ipv4_hdr(&in, 5, IPV4_LEN + 8, 0, 17, VM_IP, PEER_IP);
	put_udp(&in, 1, 2, 8);
	assert_false(answer(&in, &out));
}

static void test_arp_not_answered(void **state)
{
	struct frame in, out;
	(void)state;

	start_frame(&in, peer_mac, 0x0806);
	put_be16(&in, 1);
	put_be16(&in, 0x0800);
	put_u8(&in, 6);
	put_u8(&in, 4);
	put_be16(&in, 1);
	put_bytes(&in, vm_mac, 6);
	put_be32(&in, VM_IP);
	put_zeros(&in, 6);
	put_be32(&in, PEER_IP);
	assert_false(answer(&in, &out));
}

static void test_no_tailroom_to_grow(void **state)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(eal_fixture_pool());
	struct pkt_meta meta;
	struct frame in;
	(void)state;

	udp4_frame(&in, 0);
	assert_non_null(m);
	/* The frame ends where the buffer does. */
	m->data_off = m->buf_len - in.len;
	memcpy(rte_pktmbuf_append(m, in.len), in.bytes, in.len);
	assert_int_equal(rte_pktmbuf_tailroom(m), 0);
	assert_true(pkt_parse(m, &meta, 0));
	assert_false(sg_reject_build(m, &meta));
	assert_int_equal(rte_pktmbuf_data_len(m), in.len);
	assert_memory_equal(rte_pktmbuf_mtod(m, const void *), in.bytes, in.len);
	rte_pktmbuf_free(m);
}

static void test_shared_or_chained_mbuf_not_rewritten(void **state)
{
	struct rte_mbuf *m, *tail;
	struct pkt_meta meta;
	struct frame in;
	(void)state;

	start_frame(&in, peer_mac, 0x0800);
	put_ipv4_hdr(&in, 5, IPV4_LEN + TCP_LEN, 0, 6, VM_IP, PEER_IP);
	put_tcp(&in, 1, 0, TCP_SYN, 5);

	/* Held twice, as a flooded copy would be. */
	m = mbuf_from_bytes(in.bytes, in.len);
	assert_non_null(m);
	assert_true(pkt_parse(m, &meta, 0));
	rte_mbuf_refcnt_update(m, 1);
	assert_false(sg_reject_build(m, &meta));
	assert_memory_equal(rte_pktmbuf_mtod(m, const void *), in.bytes, in.len);
	rte_pktmbuf_free(m);
	rte_pktmbuf_free(m);

	m = mbuf_from_bytes(in.bytes, in.len);
	tail = mbuf_from_bytes(in.bytes, 4);
	assert_non_null(m);
	assert_non_null(tail);
	assert_int_equal(rte_pktmbuf_chain(m, tail), 0);
	assert_true(pkt_parse(m, &meta, 0));
	assert_false(sg_reject_build(m, &meta));
	assert_memory_equal(rte_pktmbuf_mtod(m, const void *), in.bytes, in.len);
	rte_pktmbuf_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_syn_gets_rst_ack),
		cmocka_unit_test(test_tcp_with_ack_gets_rst_at_its_ack),
		cmocka_unit_test(test_tcp_without_ack_acknowledges_payload_and_fin),
		cmocka_unit_test(test_tcp_reset_not_answered),
		cmocka_unit_test(test_tcp_v6_gets_rst),
		cmocka_unit_test(test_udp_v4_gets_port_unreachable),
		cmocka_unit_test(test_icmp_echo_v4_gets_prohibited),
		cmocka_unit_test(test_other_protocol_v4_gets_prohibited),
		cmocka_unit_test(test_udp_v6_gets_port_unreachable),
		cmocka_unit_test(test_icmp6_echo_gets_prohibited),
		cmocka_unit_test(test_tagged_frame_keeps_its_tag),
		cmocka_unit_test(test_large_packets_quoted_up_to_the_limit),
		cmocka_unit_test(test_icmp_errors_not_answered),
		cmocka_unit_test(test_fragments),
		cmocka_unit_test(test_ipv6_extension_headers),
		cmocka_unit_test(test_not_one_host_not_answered),
		cmocka_unit_test(test_arp_not_answered),
		cmocka_unit_test(test_no_tailroom_to_grow),
		cmocka_unit_test(test_shared_or_chained_mbuf_not_rewritten),
	};
	int ret;

	if (eal_fixture_init("pn-unit-sg-reject") != 0)
		return 1;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	eal_fixture_fini();
	return ret;
}
