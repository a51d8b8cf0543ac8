/* Connection tracking without tables: canonical keys (both directions of
 * a connection make one key) and the TCP and pseudo-connection state
 * machines, as tables of transitions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <rte_tcp.h>

#include "dataplane/conntrack.h"

#define SYN RTE_TCP_SYN_FLAG
#define ACK RTE_TCP_ACK_FLAG
#define FIN RTE_TCP_FIN_FLAG
#define RST RTE_TCP_RST_FLAG
#define PSH RTE_TCP_PSH_FLAG
#define ECE RTE_TCP_ECE_FLAG
#define CWR RTE_TCP_CWR_FLAG

static const uint8_t ip_a[4] = {10, 0, 0, 1};
static const uint8_t ip_b[4] = {10, 0, 0, 2};
static const uint8_t ip_low[4] = {9, 255, 255, 255};
static const uint8_t ip6_a[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t ip6_b[16] = {0x20, 0x01, 0x0d, 0xb8, [13] = 1};
static const uint8_t ip6_c[16] = {0x20, 0x01, 0x0d, 0xb8, [7] = 1};
static const uint8_t zero[16];

static void test_key_ipv4_same_both_ways(void **state)
{
	struct ct_key there, back;
	(void)state;

	/* Filled with 0xff first: every byte must be written. */
	memset(&there, 0xff, sizeof(there));
	memset(&back, 0xff, sizeof(back));
	assert_int_equal(ct_key_make(&there, 4, IPPROTO_TCP, 3, ip_a, ip_b, 40000, 80), CT_SIDE_A);
	assert_int_equal(ct_key_make(&back, 4, IPPROTO_TCP, 3, ip_b, ip_a, 80, 40000), CT_SIDE_B);
	assert_memory_equal(&there, &back, sizeof(there));
	assert_int_equal(there.tenant, 3);
	assert_int_equal(there.proto, IPPROTO_TCP);
	assert_int_equal(there.family, 4);
	assert_int_equal(there.port_a, 40000);
	assert_int_equal(there.port_b, 80);
	assert_memory_equal(there.addr_a, ip_a, 4);
	assert_memory_equal(there.addr_a + 4, zero, 12);
	assert_memory_equal(there.addr_b, ip_b, 4);
	assert_memory_equal(there.addr_b + 4, zero, 12);
}

static void test_key_ipv4_order(void **state)
{
	struct ct_key key, other;
	(void)state;

	/* Addresses compare as numbers, not as bytes in memory. */
	assert_int_equal(ct_key_make(&key, 4, IPPROTO_UDP, 1, ip_a, ip_low, 1, 2), CT_SIDE_B);
	assert_memory_equal(key.addr_a, ip_low, 4);
	assert_int_equal(key.port_a, 2);
	/* The same address both sides: the ports decide. */
	assert_int_equal(ct_key_make(&key, 4, IPPROTO_UDP, 1, ip_a, ip_a, 2000, 1000), CT_SIDE_B);
	assert_int_equal(key.port_a, 1000);
	assert_int_equal(key.port_b, 2000);
	assert_int_equal(ct_key_make(&key, 4, IPPROTO_UDP, 1, ip_a, ip_a, 1000, 2000), CT_SIDE_A);
	/* The address decides before the port. */
	assert_int_equal(ct_key_make(&key, 4, IPPROTO_UDP, 1, ip_b, ip_a, 1, 65535), CT_SIDE_B);
	/* Tenant and protocol are part of the key. */
	ct_key_make(&key, 4, IPPROTO_UDP, 1, ip_a, ip_b, 1, 2);
	ct_key_make(&other, 4, IPPROTO_UDP, 2, ip_a, ip_b, 1, 2);
	assert_memory_not_equal(&key, &other, sizeof(key));
	ct_key_make(&other, 4, IPPROTO_TCP, 1, ip_a, ip_b, 1, 2);
	assert_memory_not_equal(&key, &other, sizeof(key));
}

static void test_key_ipv6(void **state)
{
	struct ct_key there, back;
	(void)state;

	memset(&there, 0xff, sizeof(there));
	assert_int_equal(ct_key_make(&there, 6, IPPROTO_TCP, 1, ip6_b, ip6_a, 443, 50000),
			 CT_SIDE_B);
	assert_int_equal(ct_key_make(&back, 6, IPPROTO_TCP, 1, ip6_a, ip6_b, 50000, 443), CT_SIDE_A);
	assert_memory_equal(&there, &back, sizeof(there));
	assert_int_equal(there.family, 6);
	assert_memory_equal(there.addr_a, ip6_a, 16);
	assert_memory_equal(there.addr_b, ip6_b, 16);
	assert_int_equal(there.port_a, 50000);
	assert_int_equal(there.port_b, 443);

	/* Differing in the high half, where the low half says the opposite. */
	assert_int_equal(ct_key_make(&there, 6, IPPROTO_UDP, 1, ip6_c, ip6_a, 1, 2), CT_SIDE_B);
	assert_int_equal(ct_key_make(&back, 6, IPPROTO_UDP, 1, ip6_a, ip6_c, 2, 1), CT_SIDE_A);
	assert_memory_equal(&there, &back, sizeof(there));
	assert_memory_equal(there.addr_a, ip6_a, 16);
	/* Same address: the ports decide. */
	assert_int_equal(ct_key_make(&there, 6, IPPROTO_UDP, 1, ip6_a, ip6_a, 9, 8), CT_SIDE_B);
}

static void test_key_icmp_echo(void **state)
{
	const uint16_t id = 0x1234;
	struct ct_key request, reply, peer_request;
	(void)state;

	/* a pings b: the request carries (id, 0), the reply (0, id). */
	assert_int_equal(ct_key_make(&request, 4, IPPROTO_ICMP, 1, ip_a, ip_b, id, 0), CT_SIDE_A);
	assert_int_equal(ct_key_make(&reply, 4, IPPROTO_ICMP, 1, ip_b, ip_a, 0, id), CT_SIDE_B);
	assert_memory_equal(&request, &reply, sizeof(request));
	/* b pinging a with the same identifier is another connection. */
	ct_key_make(&peer_request, 4, IPPROTO_ICMP, 1, ip_b, ip_a, id, 0);
	assert_memory_not_equal(&request, &peer_request, sizeof(request));
	/* The same for ICMPv6, where b is the requester. */
	assert_int_equal(ct_key_make(&request, 6, IPPROTO_ICMPV6, 1, ip6_b, ip6_a, id, 0),
			 CT_SIDE_B);
	assert_int_equal(ct_key_make(&reply, 6, IPPROTO_ICMPV6, 1, ip6_a, ip6_b, 0, id), CT_SIDE_A);
	assert_memory_equal(&request, &reply, sizeof(request));
}

struct tcp_transition {
	enum ct_state from;
	bool by_initiator;
	uint8_t flags;
	enum ct_state to;
};

#define I true  /* from the initiator */
#define R false /* from the responder */

static const struct tcp_transition tcp_transitions[] = {
	/* Opening: only a SYN without ACK. */
	{CT_NONE, I, SYN, CT_SYN_SENT},
	{CT_NONE, I, SYN | ECE | CWR, CT_SYN_SENT}, /* ECN set-up */
	{CT_NONE, I, SYN | ACK, CT_INVALID},
	{CT_NONE, I, SYN | FIN, CT_INVALID},
	{CT_NONE, I, ACK, CT_INVALID},
	{CT_NONE, I, RST, CT_INVALID},
	{CT_NONE, I, 0, CT_INVALID},
	/* SYN_SENT */
	{CT_SYN_SENT, I, SYN, CT_SYN_SENT}, /* retransmitted */
	{CT_SYN_SENT, R, SYN | ACK, CT_SYN_RECV},
	{CT_SYN_SENT, I, SYN | ACK, CT_INVALID}, /* SYN-ACK from the initiator */
	{CT_SYN_SENT, R, SYN, CT_INVALID},       /* simultaneous open */
	{CT_SYN_SENT, I, ACK | PSH, CT_INVALID}, /* data before the handshake */
	{CT_SYN_SENT, R, ACK, CT_INVALID},
	{CT_SYN_SENT, R, RST | ACK, CT_CLOSED}, /* port closed */
	/* SYN_RECV */
	{CT_SYN_RECV, R, SYN | ACK, CT_SYN_RECV}, /* retransmitted */
	{CT_SYN_RECV, I, SYN, CT_SYN_RECV},       /* retransmitted: SYN-ACK lost */
	{CT_SYN_RECV, I, ACK, CT_ESTABLISHED},
	{CT_SYN_RECV, I, ACK | PSH, CT_ESTABLISHED}, /* data with the third segment */
	{CT_SYN_RECV, I, FIN | ACK, CT_FIN_BY_INITIATOR},
	{CT_SYN_RECV, I, SYN | ACK, CT_INVALID},
	{CT_SYN_RECV, R, ACK | PSH, CT_INVALID}, /* responder's data before the ACK */
	{CT_SYN_RECV, I, RST, CT_CLOSED},
	/* ESTABLISHED */
	{CT_ESTABLISHED, I, ACK | PSH, CT_ESTABLISHED},
	{CT_ESTABLISHED, R, ACK, CT_ESTABLISHED},
	{CT_ESTABLISHED, I, SYN, CT_INVALID},
	{CT_ESTABLISHED, R, SYN | ACK, CT_INVALID},
	{CT_ESTABLISHED, I, PSH, CT_INVALID}, /* no ACK */
	{CT_ESTABLISHED, I, FIN, CT_INVALID},
	{CT_ESTABLISHED, I, FIN | ACK, CT_FIN_BY_INITIATOR},
	{CT_ESTABLISHED, R, FIN | ACK | PSH, CT_FIN_BY_RESPONDER},
	{CT_ESTABLISHED, R, RST, CT_CLOSED},
	{CT_ESTABLISHED, I, RST | ACK, CT_CLOSED},
	/* One side has closed. */
	{CT_FIN_BY_INITIATOR, I, FIN | ACK, CT_FIN_BY_INITIATOR}, /* retransmitted */
	{CT_FIN_BY_INITIATOR, R, ACK | PSH, CT_FIN_BY_INITIATOR}, /* half-close */
	{CT_FIN_BY_INITIATOR, I, ACK, CT_FIN_BY_INITIATOR},
	{CT_FIN_BY_INITIATOR, R, FIN | ACK, CT_CLOSING},
	{CT_FIN_BY_INITIATOR, I, SYN, CT_INVALID},
	{CT_FIN_BY_RESPONDER, R, FIN | ACK, CT_FIN_BY_RESPONDER},
	{CT_FIN_BY_RESPONDER, I, ACK | PSH, CT_FIN_BY_RESPONDER},
	{CT_FIN_BY_RESPONDER, I, FIN | ACK, CT_CLOSING},
	{CT_FIN_BY_RESPONDER, R, RST, CT_CLOSED},
	/* Both sides have closed. */
	{CT_CLOSING, I, ACK, CT_CLOSING}, /* the last ACK */
	{CT_CLOSING, R, FIN | ACK, CT_CLOSING},
	{CT_CLOSING, I, SYN, CT_SYN_SENT}, /* the same ports again */
	{CT_CLOSING, R, SYN, CT_INVALID},
	{CT_CLOSING, R, SYN | ACK, CT_INVALID},
	{CT_CLOSING, I, RST, CT_CLOSED},
	/* CLOSED is final. */
	{CT_CLOSED, I, SYN, CT_INVALID},
	{CT_CLOSED, R, SYN | ACK, CT_INVALID},
	{CT_CLOSED, I, ACK, CT_INVALID},
	{CT_CLOSED, R, RST, CT_CLOSED},
};

static void test_tcp_state_machine(void **state)
{
	(void)state;

	for (unsigned i = 0; i < RTE_DIM(tcp_transitions); i++) {
		const struct tcp_transition *t = &tcp_transitions[i];
		enum ct_state got = ct_tcp_next(t->from, t->by_initiator, t->flags);

		if (got != t->to)
			fail_msg("row %u: state %d, %s, flags 0x%02x: got %d, expected %d", i,
				 t->from, t->by_initiator ? "initiator" : "responder", t->flags, got,
				 t->to);
		assert_int_equal(ct_next(IPPROTO_TCP, t->from, t->by_initiator, t->flags), t->to);
	}
}

static void test_pseudo_state_machine(void **state)
{
	static const struct {
		enum ct_state from;
		bool by_initiator;
		enum ct_state to;
	} rows[] = {
		{CT_NONE, I, CT_NEW},
		{CT_NONE, R, CT_INVALID},
		{CT_NEW, I, CT_NEW},
		{CT_NEW, R, CT_ESTABLISHED},
		{CT_ESTABLISHED, I, CT_ESTABLISHED},
		{CT_ESTABLISHED, R, CT_ESTABLISHED},
		{CT_CLOSED, I, CT_INVALID},
		{CT_CLOSED, R, CT_INVALID},
	};
	(void)state;

	for (unsigned i = 0; i < RTE_DIM(rows); i++) {
		assert_int_equal(ct_pseudo_next(rows[i].from, rows[i].by_initiator), rows[i].to);
		/* TCP flags mean nothing to other protocols. */
		assert_int_equal(ct_next(IPPROTO_UDP, rows[i].from, rows[i].by_initiator, RST),
				 rows[i].to);
		assert_int_equal(ct_next(IPPROTO_ICMP, rows[i].from, rows[i].by_initiator, 0),
				 rows[i].to);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_ipv4_same_both_ways),
		cmocka_unit_test(test_key_ipv4_order),
		cmocka_unit_test(test_key_ipv6),
		cmocka_unit_test(test_key_icmp_echo),
		cmocka_unit_test(test_tcp_state_machine),
		cmocka_unit_test(test_pseudo_state_machine),
	};

	return cmocka_run_group_tests_name("conntrack_state", tests, NULL, NULL);
}
