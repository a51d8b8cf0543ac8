/* VXLAN encapsulation checked byte for byte against a frame written by
 * hand (and cross-checked with scapy), plus the per-packet fields over
 * many lengths and flow hashes, decapsulation, and a mbuf without room. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dataplane/parse.h"
#include "dataplane/vxlan.h"
#include "eal_fixture.h"
#include "frame.h"

#define OUTER_LEN 50
#define IP_OFF 14
#define UDP_OFF 34
#define VXLAN_OFF 42

static const struct rte_ether_addr local_mac = {{0x02, 0, 0, 0, 0, 0x01}};
static const struct rte_ether_addr next_hop_mac = {{0x02, 0, 0, 0, 0, 0xfe}};
static const uint32_t local_ip = RTE_BE32(0x0a000001);  /* 10.0.0.1 */
static const uint32_t remote_ip = RTE_BE32(0x0a000002); /* 10.0.0.2 */
static const uint16_t vxlan_port = RTE_BE16(4789);

/* Outer header for inner_frame below, VNI 5000, flow hash 0x12345 (so UDP
 * source port 49152 | 0x2345 = 0xe345). IP checksum 0x268b computed by
 * hand and equal to rfc1071_checksum(); the whole frame equals scapy's:
 *   Ether(dst="02:00:00:00:00:fe", src="02:00:00:00:00:01")
 *   /IP(src="10.0.0.1", dst="10.0.0.2", id=0, flags="DF", ttl=64)
 *   /UDP(sport=0xe345, dport=4789, chksum=0)/VXLAN(flags=0x08, vni=5000)
 *   /Ether(dst="ff:ff:ff:ff:ff:ff", src="02:00:00:00:00:0a", type=0x88b5)
 *   /Raw(b"\x5a"*46)
 * bytes(p)[:50].hex() ==
 *   "0200000000fe020000000001080045000060000040004011268b0a0000010a000002"
 *   "e34512b5004c00000800000000138800" */
static const uint8_t reference_outer[OUTER_LEN] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0xfe, /* next hop */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, /* local */
	0x08, 0x00,
	0x45, 0x00, 0x00, 0x60, /* version 4, ihl 5, TOS 0, total 96 */
	0x00, 0x00, 0x40, 0x00, /* id 0, DF */
	0x40, 0x11, 0x26, 0x8b, /* TTL 64, UDP, checksum */
	0x0a, 0x00, 0x00, 0x01,
	0x0a, 0x00, 0x00, 0x02,
	0xe3, 0x45, 0x12, 0xb5, /* source port 58181, destination 4789 */
	0x00, 0x4c, 0x00, 0x00, /* length 76, no checksum */
	0x08, 0x00, 0x00, 0x00, /* I flag */
	0x00, 0x13, 0x88, 0x00, /* VNI 5000 */
};
#define REFERENCE_VNI 5000
#define REFERENCE_FLOW_HASH 0x12345u

static void build_inner_frame(struct frame *f, uint16_t len)
{
	static const uint8_t broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t src[6] = {0x02, 0, 0, 0, 0, 0x0a};

	memset(f, 0, sizeof(*f));
	put_macs(f, broadcast, src);
	put_be16(f, 0x88b5);
	while (f->len < len)
		put_u8(f, 0x5a);
}

static void template_for_reference(struct vxlan_outer_template *t)
{
	vxlan_template_init(t, &local_mac, &next_hop_mac, local_ip, remote_ip, vxlan_port);
}

static uint16_t be16_at(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Encapsulates an inner frame of inner_len bytes; returns the mbuf. */
static struct rte_mbuf *encap_frame(const struct vxlan_outer_template *t, uint16_t inner_len,
				    uint32_t vni, uint32_t flow_hash)
{
	struct frame inner;
	struct rte_mbuf *m;

	build_inner_frame(&inner, inner_len);
	m = mbuf_from_bytes(inner.bytes, inner.len);
	assert_non_null(m);
	assert_true(vxlan_encap(m, t, vni, flow_hash));
	return m;
}

static void test_reference_checksum_is_rfc1071(void **state)
{
	uint8_t ip[20];
	(void)state;

	memcpy(ip, &reference_outer[IP_OFF], sizeof(ip));
	ip[10] = ip[11] = 0;
	assert_int_equal(rfc1071_checksum(ip, sizeof(ip)), 0x268b);
}

static void test_encap_matches_reference_frame(void **state)
{
	struct vxlan_outer_template t;
	struct frame inner;
	struct rte_mbuf *m;
	const uint8_t *p;
	(void)state;

	template_for_reference(&t);
	build_inner_frame(&inner, 60);
	m = encap_frame(&t, 60, REFERENCE_VNI, REFERENCE_FLOW_HASH);
	assert_int_equal(rte_pktmbuf_pkt_len(m), OUTER_LEN + 60);
	assert_int_equal(rte_pktmbuf_data_len(m), OUTER_LEN + 60);
	p = rte_pktmbuf_mtod(m, const uint8_t *);
	assert_memory_equal(p, reference_outer, OUTER_LEN);
	assert_memory_equal(p + OUTER_LEN, inner.bytes, 60);
	rte_pktmbuf_free(m);
}

/* The template leaves the per-packet fields zero for vxlan_encap(). */
static void test_template_per_packet_fields_zero(void **state)
{
	struct vxlan_outer_template t;
	(void)state;

	template_for_reference(&t);
	assert_int_equal(t.hdr.ip.total_length, 0);
	assert_int_equal(t.hdr.ip.hdr_checksum, 0);
	assert_int_equal(t.hdr.udp.src_port, 0);
	assert_int_equal(t.hdr.udp.dgram_len, 0);
	assert_int_equal(t.hdr.vxlan.vx_vni, 0);
	assert_int_equal(t.hdr.udp.dst_port, vxlan_port);
}

/* Over every inner length and addresses whose sum carries, the header
 * checksum verifies (RFC 1071 over the header gives 0) and the lengths
 * follow the inner frame. */
static void test_encap_lengths_and_checksums(void **state)
{
	static const uint32_t remotes[] = {RTE_BE32(0x0a000002), RTE_BE32(0xfffffffe),
					   RTE_BE32(0xc0a8ffff)};
	(void)state;

	for (unsigned r = 0; r < RTE_DIM(remotes); r++) {
		struct vxlan_outer_template t;

		vxlan_template_init(&t, &local_mac, &next_hop_mac, RTE_BE32(0xfffefdfc),
				    remotes[r], vxlan_port);
		for (uint16_t len = 14; len <= 1514; len++) {
			struct rte_mbuf *m = encap_frame(&t, len, 0xffffff, len);
			const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);

			assert_int_equal(rfc1071_checksum(p + IP_OFF, 20), 0);
			assert_int_equal(be16_at(p + IP_OFF + 2), len + 36);
			assert_int_equal(be16_at(p + UDP_OFF + 4), len + 16);
			rte_pktmbuf_free(m);
		}
	}
}

static void test_encap_fixed_fields(void **state)
{
	static const uint8_t addresses[8] = {10, 0, 0, 1, 10, 0, 0, 2};
	static const uint8_t vxlan_hdr[8] = {0x08, 0, 0, 0, 0xab, 0xcd, 0xef, 0};
	struct vxlan_outer_template t;
	struct rte_mbuf *m;
	const uint8_t *p;
	(void)state;

	template_for_reference(&t);
	m = encap_frame(&t, 100, 0xabcdef, 7);
	p = rte_pktmbuf_mtod(m, const uint8_t *);
	assert_int_equal(be16_at(p + 12), 0x0800);
	assert_int_equal(p[IP_OFF], 0x45);
	assert_int_equal(be16_at(p + IP_OFF + 6), 0x4000); /* DF, offset 0 */
	assert_int_equal(p[IP_OFF + 8], 64);               /* TTL */
	assert_int_equal(p[IP_OFF + 9], 17);               /* UDP */
	assert_memory_equal(p + IP_OFF + 12, addresses, sizeof(addresses));
	assert_int_equal(be16_at(p + UDP_OFF + 2), 4789);
	assert_int_equal(be16_at(p + UDP_OFF + 6), 0); /* no UDP checksum */
	assert_memory_equal(p + VXLAN_OFF, vxlan_hdr, sizeof(vxlan_hdr));
	rte_pktmbuf_free(m);
}

static uint16_t source_port_for(const struct vxlan_outer_template *t, uint32_t flow_hash)
{
	struct rte_mbuf *m = encap_frame(t, 60, 1, flow_hash);
	uint16_t port = be16_at(rte_pktmbuf_mtod(m, const uint8_t *) + UDP_OFF);

	rte_pktmbuf_free(m);
	return port;
}

static void test_source_port_range_and_stability(void **state)
{
	static const uint32_t hashes[] = {0, 1, 0x3fff, 0x4000, 0xc000, 0xffffffff, 0x9e3779b9};
	struct vxlan_outer_template t;
	(void)state;

	template_for_reference(&t);
	for (unsigned i = 0; i < RTE_DIM(hashes); i++) {
		uint16_t port = source_port_for(&t, hashes[i]);

		assert_in_range(port, 49152, 65535);
		assert_int_equal(source_port_for(&t, hashes[i]), port);
	}
	assert_int_equal(source_port_for(&t, 0), 49152);
	assert_int_equal(source_port_for(&t, 0xffffffff), 65535);
	/* Different flows spread over different ports. */
	assert_int_not_equal(source_port_for(&t, 1), source_port_for(&t, 2));
}

static void test_decap_leaves_inner_frame(void **state)
{
	struct vxlan_outer_template t;
	struct pkt_meta meta;
	struct frame inner;
	struct rte_mbuf *m;
	(void)state;

	template_for_reference(&t);
	build_inner_frame(&inner, 77);
	m = encap_frame(&t, 77, REFERENCE_VNI, 99);
	assert_true(pkt_parse(m, &meta, vxlan_port));
	assert_int_equal(meta.inner_off, OUTER_LEN);
	assert_int_equal(meta.vni, REFERENCE_VNI);
	vxlan_decap(m, meta.l3_off, meta.inner_off);
	assert_int_equal(rte_pktmbuf_pkt_len(m), 77);
	assert_int_equal(rte_pktmbuf_data_len(m), 77);
	assert_memory_equal(rte_pktmbuf_mtod(m, const uint8_t *), inner.bytes, 77);
	rte_pktmbuf_free(m);
}

/* An mbuf holding the inner frame after headroom bytes of headroom. */
static struct rte_mbuf *frame_with_headroom(const struct frame *inner, uint16_t headroom)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(eal_fixture_pool());

	assert_non_null(m);
	m->data_off = headroom;
	memcpy(rte_pktmbuf_append(m, inner->len), inner->bytes, inner->len);
	return m;
}

static void test_encap_without_headroom_fails_cleanly(void **state)
{
	struct vxlan_outer_template t;
	struct frame inner;
	struct rte_mbuf *m;
	(void)state;

	template_for_reference(&t);
	build_inner_frame(&inner, 60);
	m = frame_with_headroom(&inner, OUTER_LEN - 1);
	assert_false(vxlan_encap(m, &t, REFERENCE_VNI, REFERENCE_FLOW_HASH));
	assert_int_equal(m->data_off, OUTER_LEN - 1);
	assert_int_equal(rte_pktmbuf_pkt_len(m), 60);
	assert_int_equal(rte_pktmbuf_data_len(m), 60);
	assert_memory_equal(rte_pktmbuf_mtod(m, const uint8_t *), inner.bytes, 60);
	rte_pktmbuf_free(m);

	/* Exactly the outer header's worth of headroom is enough. */
	m = frame_with_headroom(&inner, OUTER_LEN);
	assert_true(vxlan_encap(m, &t, REFERENCE_VNI, REFERENCE_FLOW_HASH));
	assert_memory_equal(rte_pktmbuf_mtod(m, const uint8_t *), reference_outer, OUTER_LEN);
	rte_pktmbuf_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_checksum_is_rfc1071),
		cmocka_unit_test(test_encap_matches_reference_frame),
		cmocka_unit_test(test_template_per_packet_fields_zero),
		cmocka_unit_test(test_encap_lengths_and_checksums),
		cmocka_unit_test(test_encap_fixed_fields),
		cmocka_unit_test(test_source_port_range_and_stability),
		cmocka_unit_test(test_decap_leaves_inner_frame),
		cmocka_unit_test(test_encap_without_headroom_fails_cleanly),
	};
	int failed;

	if (eal_fixture_init("pn_unit_vxlan") != 0)
		return 1;
	failed = cmocka_run_group_tests_name("vxlan", tests, NULL, NULL);
	eal_fixture_fini();
	return failed;
}
