/* pkt_parse() on frames written byte by byte: every metadata field is
 * checked for the valid ones, and each truncated or inconsistent header
 * must be refused. */
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <rte_byteorder.h>

#include "dataplane/parse.h"
#include "eal_fixture.h"
#include "frame.h"

#define VXLAN_PORT 4789
#define IP_SRC 0xc0a80001 /* 192.168.0.1 */
#define IP_DST 0xc0a80002

static const uint8_t mac_dst[6] = {0x02, 0, 0, 0, 0, 0x02};
static const uint8_t mac_src[6] = {0x02, 0, 0, 0, 0, 0x01};

/* Parses f in a fresh mbuf; meta starts as garbage so every field the
 * parser leaves alone shows up. */
static bool parse_frame(const struct frame *f, uint16_t vxlan_port_host, struct pkt_meta *meta)
{
	struct rte_mbuf *m = mbuf_from_bytes(f->bytes, f->len);
	bool ok;

	assert_non_null(m);
	memset(meta, 0xa5, sizeof(*meta));
	ok = pkt_parse(m, meta, rte_cpu_to_be_16(vxlan_port_host));
	rte_pktmbuf_free(m);
	return ok;
}

static void assert_meta(const struct pkt_meta *got, const struct pkt_meta *want)
{
	assert_int_equal(got->l3_off, want->l3_off);
	assert_int_equal(got->l4_off, want->l4_off);
	assert_int_equal(rte_be_to_cpu_16(got->ethertype), rte_be_to_cpu_16(want->ethertype));
	assert_int_equal(got->vlan, want->vlan);
	assert_int_equal(got->n_tags, want->n_tags);
	assert_int_equal(got->l4_proto, want->l4_proto);
	assert_int_equal(got->inner_off, want->inner_off);
	assert_int_equal(got->vni, want->vni);
	assert_int_equal(got->tenant, 0);
	assert_int_equal(got->vtep, 0);
}

static void assert_parses_as(const struct frame *f, uint16_t vxlan_port_host,
			     const struct pkt_meta *want)
{
	struct pkt_meta meta;

	assert_true(parse_frame(f, vxlan_port_host, &meta));
	assert_meta(&meta, want);
}

static void assert_malformed(const struct frame *f, uint16_t vxlan_port_host)
{
	struct pkt_meta meta;

	assert_false(parse_frame(f, vxlan_port_host, &meta));
}

static struct frame *frame_new(void)
{
	static struct frame f;

	memset(&f, 0, sizeof(f));
	return &f;
}

/* Ethernet + IPv4 (ihl 5) + UDP with payload_len bytes of zeros. */
static void put_ipv4_udp(struct frame *f, uint16_t dst_port, uint16_t payload_len)
{
	put_ipv4(f, 5, 20 + 8 + payload_len, 0, IPPROTO_UDP, IP_SRC, IP_DST);
	put_udp(f, 40000, dst_port, 8 + payload_len);
	put_zeros(f, payload_len);
}

/* An outer IPv4/UDP/VXLAN packet (after the outer MACs and EtherType)
 * around an inner frame of inner_len bytes. */
static void put_vxlan_packet(struct frame *f, uint8_t flags, uint32_t vni, uint16_t inner_len)
{
	put_ipv4(f, 5, 20 + 8 + 8 + inner_len, 0, IPPROTO_UDP, IP_SRC, IP_DST);
	put_udp(f, 50000, VXLAN_PORT, 8 + 8 + inner_len);
	put_vxlan(f, flags, vni);
	put_zeros(f, inner_len);
}

static void test_ipv4_udp_untagged(void **state)
{
	struct frame *f = frame_new();
	(void)state;

	put_macs(f, mac_dst, mac_src);
	put_be16(f, 0x0800);
	put_ipv4_udp(f, 53, 18);
	assert_parses_as(f, 0, &(struct pkt_meta){
		.l3_off = 14, .l4_off = 34, .ethertype = RTE_BE16(0x0800), .l4_proto = IPPROTO_UDP,
	});
}

static void test_dot1q_ipv4_tcp(void **state)
{
	struct frame *f = frame_new();
	(void)state;

	put_macs(f, mac_dst, mac_src);
	put_be16(f, 0x8100);
	put_be16(f, 0xb000 | 100); /* PCP 5, DEI 1: not part of the VID */
	put_be16(f, 0x0800);
	put_ipv4(f, 5, 40, 0, IPPROTO_TCP, IP_SRC, IP_DST);
	put_zeros(f, 20);
	assert_parses_as(f, 0, &(struct pkt_meta){
		.l3_off = 18, .l4_off = 38, .ethertype = RTE_BE16(0x0800), .vlan = 100,
		.n_tags = 1, .l4_proto = IPPROTO_TCP,
	});
}

static void test_qinq_8021ad_ipv4_icmp(void **state)
{
	struct frame *f = frame_new();
	(void)state;

	put_macs(f, mac_dst, mac_src);
	put_be16(f, 0x88a8);
	put_be16(f, 200);
	put_be16(f, 0x8100);
	put_be16(f, 300);
	put_be16(f, 0x0800);
	put_ipv4(f, 5, 28, 0, IPPROTO_ICMP, IP_SRC, IP_DST);
	put_be32(f, 0x08000000); /* echo request, code 0, checksum 0 */
	put_be32(f, 0);
	assert_parses_as(f, 0, &(struct pkt_meta){
		.l3_off = 22, .l4_off = 42, .ethertype = RTE_BE16(0x0800), .vlan = 200,
		.n_tags = 2, .l4_proto = IPPROTO_ICMP,
	});
}

static void test_qinq_two_8100_tags(void **state)
{
	struct frame *f = frame_new();
	(void)state;

	put_macs(f, mac_dst, mac_src);
	put_be16(f, 0x8100);
	put_be16(f, 10);
	put_be16(f, 0x8100);
	put_be16(f, 20);
	put_be16(f, 0x0800);
	put_ipv4_udp(f, 53, 0);
	assert_parses_as(f, 0, &(struct pkt_meta){
		.l3_off = 22, .l4_off = 42, .ethertype = RTE_BE16(0x0800), .vlan = 10,
		.n_tags = 2, .l4_proto = IPPROTO_UDP,
	});
}

/* Parsing stops after two tags; the third is reported as the EtherType. */
static void test_three_tags_stop_after_two(void **state)
{
	struct frame *f = frame_new();
	(void)state;

	put_macs(f, mac_dst, mac_src);
	put_be16(f, 0x88a8);
	put_be16(f, 1);
	put_be16(f, 0x8100);
	put_be16(f, 2);
	put_be16(f, 0x8100);
	put_be16(f, 3);
	put_be16(f, 0x0800);
	put_ipv4_udp(f, 53, 0);
	assert_parses_as(f, 0, &(struct pkt_meta){
		.l3_off = 22, .ethertype = RTE_BE16(0x8100), .vlan = 1, .n_tags = 2,
	});
}

static void test_ipv4_options(void **state)
{
	struct frame *f = frame_new();
	(void)state;

	put_macs(f, mac_dst, mac_src);
	put_be16(f, 0x0800);
	put_ipv4(f, 7, 28 + 8, 0, IPPROTO_UDP, IP_SRC, IP_DST);
	put_udp(f, 1, 2, 8);
	assert_parses_as(f, 0, &(struct pkt_meta){
		.l3_off = 14, .l4_off = 14 + 28, .ethertype = RTE_BE16(0x0800),
		.l4_proto = IPPROTO_UDP,
	});
}

static void test_ipv6_udp(void **state)
{
	struct frame *f = frame_new();
	(void)state;

	put_macs(f, mac_dst, mac_src);
	put_be16(f, 0x86dd);
	put_ipv6(f, 8, IPPROTO_UDP);
	put_udp(f, 1, 2, 8);
	assert_parses_as(f, 0, &(struct pkt_meta){
		.l3_off = 14, .l4_off = 54, .ethertype = RTE_BE16(0x86dd), .l4_proto = IPPROTO_UDP,
	});
}

static void test_ipv6_tcp_tagged(void **state)
{
	struct frame *f = frame_new();
	(void)state;

	put_macs(f, mac_dst, mac_src);
	put_be16(f, 0x8100);
	put_be16(f, 4094);
	put_be16(f, 0x86dd);
	put_ipv6(f, 20, IPPROTO_TCP);
	put_zeros(f, 20);
	assert_parses_as(f, 0, &(struct pkt_meta){
		.l3_off = 18, .l4_off = 58, .ethertype = RTE_BE16(0x86dd), .vlan = 4094,
		.n_tags = 1, .l4_proto = IPPROTO_TCP,
	});
}

/* Extension headers are not walked (parse.c says so): no L4 is reported. */
static void test_ipv6_extension_header_leaves_l4_unknown(void **state)
{
	struct frame *f = frame_new();
	(void)state;

	put_macs(f, mac_dst, mac_src);
	put_be16(f, 0x86dd);
	put_ipv6(f, 16, 0 /* hop-by-hop options */);
	put_u8(f, IPPROTO_UDP);
	put_zeros(f, 7);
	put_udp(f, 1, 2, 8);
	assert_parses_as(f, 0, &(struct pkt_meta){
		.l3_off = 14, .ethertype = RTE_BE16(0x86dd),
	});
}

static void test_vxlan(void **state)
{
	struct frame *f = frame_new();
	(void)state;

	put_macs(f, mac_dst, mac_src);
	put_be16(f, 0x0800);
	put_vxlan_packet(f, 0x08, 0xabcdef, 14 + 46);
	assert_parses_as(f, VXLAN_PORT, &(struct pkt_meta){
		.l3_off = 14, .l4_off = 34, .ethertype = RTE_BE16(0x0800), .l4_proto = IPPROTO_UDP,
		.inner_off = 50, .vni = 0xabcdef,
	});
}

/* Access ports pass vxlan_port 0: UDP to 4789 is just UDP there. */
static void test_vxlan_ignored_without_port(void **state)
{
	struct frame *f = frame_new();
	(void)state;

	put_macs(f, mac_dst, mac_src);
	put_be16(f, 0x0800);
	put_vxlan_packet(f, 0x08, 0xabcdef, 14);
	assert_parses_as(f, 0, &(struct pkt_meta){
		.l3_off = 14, .l4_off = 34, .ethertype = RTE_BE16(0x0800), .l4_proto = IPPROTO_UDP,
	});
	assert_parses_as(f, 4790, &(struct pkt_meta){
		.l3_off = 14, .l4_off = 34, .ethertype = RTE_BE16(0x0800), .l4_proto = IPPROTO_UDP,
	});
}

static void test_arp(void **state)
{
	struct frame *f = frame_new();
	(void)state;

	put_macs(f, mac_dst, mac_src);
	put_be16(f, 0x0806);
	put_zeros(f, 28);
	assert_parses_as(f, VXLAN_PORT, &(struct pkt_meta){
		.l3_off = 14, .ethertype = RTE_BE16(0x0806),
	});
}

static void test_arp_truncated(void **state)
{
	struct frame *f = frame_new();
	(void)state;

	put_macs(f, mac_dst, mac_src);
	put_be16(f, 0x0806);
	put_zeros(f, 27);
	assert_malformed(f, VXLAN_PORT);
}

static void test_other_ethertype(void **state)
{
	struct frame *f = frame_new();
	(void)state;

	put_macs(f, mac_dst, mac_src);
	put_be16(f, 0x88cc); /* LLDP */
	put_zeros(f, 46);
	assert_parses_as(f, 0, &(struct pkt_meta){
		.l3_off = 14, .ethertype = RTE_BE16(0x88cc),
	});
}

/* Ethernet pads short packets to 60 bytes: the IPv4 length rules. */
static void test_ipv4_with_ethernet_padding(void **state)
{
	struct frame *f = frame_new();
	(void)state;

	put_macs(f, mac_dst, mac_src);
	put_be16(f, 0x0800);
	put_ipv4_udp(f, 53, 0);
	put_zeros(f, 60 - f->len);
	assert_parses_as(f, 0, &(struct pkt_meta){
		.l3_off = 14, .l4_off = 34, .ethertype = RTE_BE16(0x0800), .l4_proto = IPPROTO_UDP,
	});
}

/* A non-first fragment has no L4 header, even if its bytes look like one. */
static void test_ipv4_non_first_fragment(void **state)
{
	struct frame *f = frame_new();
	(void)state;

	put_macs(f, mac_dst, mac_src);
	put_be16(f, 0x0800);
	put_ipv4(f, 5, 20 + 16 + 14, 185 /* offset 1480 bytes */, IPPROTO_UDP, IP_SRC, IP_DST);
	put_udp(f, 50000, VXLAN_PORT, 8 + 8 + 14);
	put_vxlan(f, 0x08, 42);
	put_zeros(f, 14);
	assert_parses_as(f, VXLAN_PORT, &(struct pkt_meta){
		.l3_off = 14, .ethertype = RTE_BE16(0x0800),
	});
}

/* More-fragments with offset 0 is the first fragment: it has the L4 header. */
static void test_ipv4_first_fragment_has_l4(void **state)
{
	struct frame *f = frame_new();
	(void)state;

	put_macs(f, mac_dst, mac_src);
	put_be16(f, 0x0800);
	put_ipv4(f, 5, 20 + 8, 0x2000 /* MF */, IPPROTO_UDP, IP_SRC, IP_DST);
	put_udp(f, 1, 2, 1000);
	assert_parses_as(f, 0, &(struct pkt_meta){
		.l3_off = 14, .l4_off = 34, .ethertype = RTE_BE16(0x0800), .l4_proto = IPPROTO_UDP,
	});
}

static void test_shorter_than_ethernet(void **state)
{
	struct frame *f = frame_new();
	(void)state;

	put_macs(f, mac_dst, mac_src);
	put_u8(f, 0x08);
	assert_malformed(f, 0);
	f->len = 0;
	assert_malformed(f, 0);
}

static void test_tag_cut_short(void **state)
{
	struct frame *f = frame_new();
	(void)state;

	put_macs(f, mac_dst, mac_src);
	put_be16(f, 0x8100);
	put_be16(f, 10); /* TCI, but no inner EtherType */
	assert_malformed(f, 0);
}

static void test_second_tag_cut_short(void **state)
{
	struct frame *f = frame_new();
	(void)state;

	put_macs(f, mac_dst, mac_src);
	put_be16(f, 0x88a8);
	put_be16(f, 10);
	put_be16(f, 0x8100);
	put_u8(f, 0);
	assert_malformed(f, 0);
}

static void test_ipv4_header_cut(void **state)
{
	struct frame *f = frame_new();
	(void)state;

	put_macs(f, mac_dst, mac_src);
	put_be16(f, 0x0800);
	put_ipv4(f, 5, 20, 0, IPPROTO_UDP, IP_SRC, IP_DST);
	f->len--;
	assert_malformed(f, 0);
}

static void test_ipv4_ihl_below_5(void **state)
{
	struct frame *f = frame_new();
	(void)state;

	put_macs(f, mac_dst, mac_src);
	put_be16(f, 0x0800);
	put_ipv4_udp(f, 53, 10);
	f->bytes[14] = 0x44;
	assert_malformed(f, 0);
}

static void test_ipv4_total_length_below_ihl(void **state)
{
	struct frame *f = frame_new();
	(void)state;

	put_macs(f, mac_dst, mac_src);
	put_be16(f, 0x0800);
	put_ipv4(f, 5, 20, 0, 253 /* experimental: no L4 minimum */, IP_SRC, IP_DST);
	f->bytes[14] = 0x46; /* ihl 6 > total length 20 */
	assert_malformed(f, 0);
}

static void test_ipv4_total_length_beyond_frame(void **state)
{
	struct frame *f = frame_new();
	(void)state;

	put_macs(f, mac_dst, mac_src);
	put_be16(f, 0x0800);
	put_ipv4(f, 5, 20 + 8 + 11, 0, IPPROTO_UDP, IP_SRC, IP_DST);
	put_udp(f, 1, 2, 8 + 11);
	put_zeros(f, 10);
	assert_malformed(f, 0);
}

static void test_ipv6_header_in_ipv4_ethertype(void **state)
{
	struct frame *f = frame_new();
	(void)state;

	put_macs(f, mac_dst, mac_src);
	put_be16(f, 0x0800);
	put_ipv6(f, 8, IPPROTO_UDP);
	put_udp(f, 1, 2, 8);
	assert_malformed(f, 0);
}

static void test_ipv4_header_in_ipv6_ethertype(void **state)
{
	struct frame *f = frame_new();
	(void)state;

	put_macs(f, mac_dst, mac_src);
	put_be16(f, 0x86dd);
	put_ipv4_udp(f, 53, 40);
	assert_malformed(f, 0);
}

static void test_ipv6_payload_beyond_frame(void **state)
{
	struct frame *f = frame_new();
	(void)state;

	put_macs(f, mac_dst, mac_src);
	put_be16(f, 0x86dd);
	put_ipv6(f, 9, IPPROTO_UDP);
	put_udp(f, 1, 2, 9);
	assert_malformed(f, 0);
}

static void test_udp_header_cut(void **state)
{
	struct frame *f = frame_new();
	(void)state;

	put_macs(f, mac_dst, mac_src);
	put_be16(f, 0x0800);
	put_ipv4(f, 5, 20 + 7, 0, IPPROTO_UDP, IP_SRC, IP_DST);
	put_udp(f, 1, 2, 8);
	assert_malformed(f, 0);
}

static void test_tcp_header_cut(void **state)
{
	struct frame *f = frame_new();
	(void)state;

	put_macs(f, mac_dst, mac_src);
	put_be16(f, 0x86dd);
	put_ipv6(f, 19, IPPROTO_TCP);
	put_zeros(f, 19);
	assert_malformed(f, 0);
}

static void test_vxlan_without_i_flag(void **state)
{
	struct frame *f = frame_new();
	(void)state;

	put_macs(f, mac_dst, mac_src);
	put_be16(f, 0x0800);
	put_vxlan_packet(f, 0x00, 5000, 60);
	assert_malformed(f, VXLAN_PORT);
}

static void test_vxlan_too_short_for_inner_ethernet(void **state)
{
	struct frame *f = frame_new();
	(void)state;

	put_macs(f, mac_dst, mac_src);
	put_be16(f, 0x0800);
	put_vxlan_packet(f, 0x08, 5000, 13);
	assert_malformed(f, VXLAN_PORT);
}

/* Only the first segment is parsed: headers in the second are missing. */
static void test_headers_in_second_segment(void **state)
{
	struct frame *f = frame_new();
	struct rte_mbuf *head, *tail;
	struct pkt_meta meta;
	(void)state;

	put_macs(f, mac_dst, mac_src);
	put_be16(f, 0x0800);
	head = mbuf_from_bytes(f->bytes, f->len);
	f->len = 0;
	put_ipv4_udp(f, 53, 10);
	tail = mbuf_from_bytes(f->bytes, f->len);
	assert_non_null(head);
	assert_non_null(tail);
	assert_int_equal(rte_pktmbuf_chain(head, tail), 0);
	assert_false(pkt_parse(head, &meta, 0));
	rte_pktmbuf_free(head);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_udp_untagged),
		cmocka_unit_test(test_dot1q_ipv4_tcp),
		cmocka_unit_test(test_qinq_8021ad_ipv4_icmp),
		cmocka_unit_test(test_qinq_two_8100_tags),
		cmocka_unit_test(test_three_tags_stop_after_two),
		cmocka_unit_test(test_ipv4_options),
		cmocka_unit_test(test_ipv6_udp),
		cmocka_unit_test(test_ipv6_tcp_tagged),
		cmocka_unit_test(test_ipv6_extension_header_leaves_l4_unknown),
		cmocka_unit_test(test_vxlan),
		cmocka_unit_test(test_vxlan_ignored_without_port),
		cmocka_unit_test(test_arp),
		cmocka_unit_test(test_arp_truncated),
		cmocka_unit_test(test_other_ethertype),
		cmocka_unit_test(test_ipv4_with_ethernet_padding),
		cmocka_unit_test(test_ipv4_non_first_fragment),
		cmocka_unit_test(test_ipv4_first_fragment_has_l4),
		cmocka_unit_test(test_shorter_than_ethernet),
		cmocka_unit_test(test_tag_cut_short),
		cmocka_unit_test(test_second_tag_cut_short),
		cmocka_unit_test(test_ipv4_header_cut),
		cmocka_unit_test(test_ipv4_ihl_below_5),
		cmocka_unit_test(test_ipv4_total_length_below_ihl),
		cmocka_unit_test(test_ipv4_total_length_beyond_frame),
		cmocka_unit_test(test_ipv6_header_in_ipv4_ethertype),
		cmocka_unit_test(test_ipv4_header_in_ipv6_ethertype),
		cmocka_unit_test(test_ipv6_payload_beyond_frame),
		cmocka_unit_test(test_udp_header_cut),
		cmocka_unit_test(test_tcp_header_cut),
		cmocka_unit_test(test_vxlan_without_i_flag),
		cmocka_unit_test(test_vxlan_too_short_for_inner_ethernet),
		cmocka_unit_test(test_headers_in_second_segment),
	};
	int failed;

	if (eal_fixture_init("pn_unit_parse") != 0)
		return 1;
	failed = cmocka_run_group_tests_name("parse", tests, NULL, NULL);
	eal_fixture_fini();
	return failed;
}
