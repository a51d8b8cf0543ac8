/* Anti-spoofing: what an attachment with declared addresses lets in. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dataplane/parse.h"
#include "dataplane/port_security.h"
#include "eal_fixture.h"
#include "frame.h"

static const uint8_t vm_mac[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t other_mac[6] = {0x02, 0, 0, 0, 0, 0x99};
static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
#define VM_IP 0x0a000001    /* 10.0.0.1 */
#define OTHER_IP 0x0a000002 /* 10.0.0.2 */

/* The VM may use vm_mac, 10.0.0.1 and 2001:db8::1. */
static struct dp_port_security vm_security(void)
{
	struct dp_port_security sec = {.n_macs = 1, .n_ipv4 = 1, .n_ipv6 = 1};

	memcpy(sec.macs[0].addr_bytes, vm_mac, 6);
	sec.ipv4[0] = htonl(VM_IP);
	sec.ipv6[0][0] = 0x20;
	sec.ipv6[0][1] = 0x01;
	sec.ipv6[0][2] = 0x0d;
	sec.ipv6[0][3] = 0xb8;
	sec.ipv6[0][15] = 1;
	return sec;
}

static enum drop_reason check(const struct dp_port_security *sec, const struct frame *f)
{
	struct rte_mbuf *m = mbuf_from_bytes(f->bytes, f->len);
	struct pkt_meta meta;
	enum drop_reason why;

	assert_non_null(m);
	assert_true(pkt_parse(m, &meta, 0));
	why = port_security_check(sec, m, &meta);
	rte_pktmbuf_free(m);
	return why;
}

static void udp_frame(struct frame *f, const uint8_t *src_mac, uint32_t src_ip)
{
	f->len = 0;
	put_macs(f, bcast, src_mac);
	put_be16(f, 0x0800);
	put_ipv4(f, 5, 28, 0, 17, src_ip, 0x0a0000ff);
	put_udp(f, 1000, 2000, 8);
}

static void arp_frame(struct frame *f, const uint8_t *eth_src, const uint8_t *sha, uint32_t spa)
{
	f->len = 0;
	put_macs(f, bcast, eth_src);
	put_be16(f, 0x0806);
	put_be16(f, 1);      /* Ethernet */
	put_be16(f, 0x0800); /* IPv4 */
	put_u8(f, 6);
	put_u8(f, 4);
	put_be16(f, 2); /* reply */
	put_bytes(f, sha, 6);
	put_be32(f, spa);
	put_zeros(f, 6);
	put_be32(f, OTHER_IP);
}

/* ICMPv6 neighbour advertisement from ::1 (see put_ipv6) for target. */
static void na_frame(struct frame *f, const uint8_t target[16])
{
	f->len = 0;
	put_macs(f, bcast, vm_mac);
	put_be16(f, 0x86dd);
	put_ipv6(f, 24, 58);
	put_u8(f, 136);
	put_u8(f, 0);
	put_be16(f, 0);
	put_be32(f, 0);
	put_bytes(f, target, 16);
}

static void test_own_addresses_pass(void **state)
{
	struct dp_port_security sec = vm_security();
	struct frame f;
	(void)state;

	udp_frame(&f, vm_mac, VM_IP);
	assert_int_equal(check(&sec, &f), DROP_REASON_MAX);
	arp_frame(&f, vm_mac, vm_mac, VM_IP);
	assert_int_equal(check(&sec, &f), DROP_REASON_MAX);
}

static void test_foreign_source_mac_dropped(void **state)
{
	struct dp_port_security sec = vm_security();
	struct frame f;
	(void)state;

	udp_frame(&f, other_mac, VM_IP);
	assert_int_equal(check(&sec, &f), DROP_SPOOFED_MAC);
}

static void test_foreign_source_ip_dropped(void **state)
{
	struct dp_port_security sec = vm_security();
	struct frame f;
	(void)state;

	udp_frame(&f, vm_mac, OTHER_IP);
	assert_int_equal(check(&sec, &f), DROP_SPOOFED_IP);
	udp_frame(&f, vm_mac, 0); /* DHCP discover */
	assert_int_equal(check(&sec, &f), DROP_REASON_MAX);
}

static void test_arp_claiming_another_address_dropped(void **state)
{
	struct dp_port_security sec = vm_security();
	struct frame f;
	(void)state;

	arp_frame(&f, vm_mac, vm_mac, OTHER_IP);
	assert_int_equal(check(&sec, &f), DROP_SPOOFED_ARP);
	arp_frame(&f, vm_mac, other_mac, VM_IP); /* sender MAC is not the frame's */
	assert_int_equal(check(&sec, &f), DROP_SPOOFED_ARP);
}

static void test_ipv6_source_and_advertisement(void **state)
{
	struct dp_port_security sec = vm_security();
	uint8_t own[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	uint8_t foreign[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
	struct frame f;
	(void)state;

	/* put_ipv6's source ::1 is not declared: spoofed. */
	na_frame(&f, own);
	assert_int_equal(check(&sec, &f), DROP_SPOOFED_IP);
	memcpy(sec.ipv6[1], (uint8_t[16]){[15] = 1}, 16);
	sec.n_ipv6 = 2;
	assert_int_equal(check(&sec, &f), DROP_REASON_MAX);
	na_frame(&f, foreign);
	assert_int_equal(check(&sec, &f), DROP_SPOOFED_ARP);
}

static void test_nothing_declared_allows_all(void **state)
{
	struct dp_port_security sec = {0};
	struct frame f;
	(void)state;

	udp_frame(&f, other_mac, OTHER_IP);
	assert_int_equal(check(&sec, &f), DROP_REASON_MAX);
	arp_frame(&f, other_mac, other_mac, OTHER_IP);
	assert_int_equal(check(&sec, &f), DROP_REASON_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_addresses_pass),
		cmocka_unit_test(test_foreign_source_mac_dropped),
		cmocka_unit_test(test_foreign_source_ip_dropped),
		cmocka_unit_test(test_arp_claiming_another_address_dropped),
		cmocka_unit_test(test_ipv6_source_and_advertisement),
		cmocka_unit_test(test_nothing_declared_allows_all),
	};
	int ret;

	if (eal_fixture_init("pn-unit-port-security") != 0)
		return 1;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	eal_fixture_fini();
	return ret;
}
