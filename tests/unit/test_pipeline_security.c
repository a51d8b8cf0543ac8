/* The pipeline's security stage end to end: security groups on red's
 * attachment acc0 VLAN 10 ("VM A", mac_a, HOST_A_IP) against VM B on acc1
 * untagged (mac_b, HOST_B_IP, no group) and VM C on acc2 VLAN 11 (mac_c,
 * no group). Sessions, rules, defaults, reject answers and a rule change
 * under an open connection; counters as the agent reads them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "eal_fixture.h"
#include "pipeline_fixture.h"

#define HOST_C_IP 0xc0a80003u
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10
#define ICMP_ECHO_REQUEST 8
#define ICMP_ECHO_REPLY 0

#define VM_A_TCI 10 /* acc0 VLAN 10 */
#define VM_C_TCI 11 /* acc2 VLAN 11 */

enum { RULE_TCP_80, RULE_TCP_82_REJECT, RULE_UDP_OUT, RULE_TCP_OUT, RULE_ICMP_OUT, N_RULES };

/* Rule ids are numbered in configuration order (control/sg_compile.h):
 * red is the first tenant, "web" its only group. */
static uint64_t rule_hits(unsigned id)
{
	return env.tables->sg_hits[id];
}

static const struct sg_verdict_counters *vm_a_verdicts(void)
{
	return &w->sg[RED * DP_MAX_LOCAL + 0];
}

static struct sg_rule_config rule(uint32_t seq, enum sg_direction_config dir, uint8_t proto,
				  uint16_t dport, enum sg_action_config action)
{
	return (struct sg_rule_config){
		.sequence = seq,
		.direction = dir,
		.action = action,
		.any_proto = proto == 0,
		.proto = proto,
		.family = proto == IPPROTO_ICMP ? 4 : 0,
		.sport_lo = 0,
		.sport_hi = 65535,
		.dport_lo = dport != 0 ? dport : 0,
		.dport_hi = dport != 0 ? dport : 65535,
	};
}

/* Red's group "web" on VM A: TCP 80 in, TCP 82 rejected, UDP 5678, TCP and
 * ICMP out; defaults: ingress drop, egress drop. */
static void web_group_apply(enum sg_action_config tcp_80_action)
{
	struct tenant_config *red = &env.cfg->tenants[RED];
	struct security_group_config *g;

	if (red->groups == NULL) {
		red->groups = calloc(1, sizeof(*red->groups));
		assert_non_null(red->groups);
		red->n_groups = 1;
		g = &red->groups[0];
		snprintf(g->name, sizeof(g->name), "web");
		g->rules = calloc(N_RULES, sizeof(*g->rules));
		assert_non_null(g->rules);
		g->n_rules = N_RULES;
	}
	g = &red->groups[0];
	g->rules[RULE_TCP_80] = rule(10, SG_DIRECTION_INGRESS, IPPROTO_TCP, 80, tcp_80_action);
	g->rules[RULE_TCP_82_REJECT] =
		rule(20, SG_DIRECTION_INGRESS, IPPROTO_TCP, 82, SG_ACTION_REJECT);
	g->rules[RULE_UDP_OUT] = rule(30, SG_DIRECTION_EGRESS, IPPROTO_UDP, 5678, SG_ACTION_ACCEPT);
	g->rules[RULE_TCP_OUT] = rule(40, SG_DIRECTION_EGRESS, IPPROTO_TCP, 0, SG_ACTION_ACCEPT);
	g->rules[RULE_ICMP_OUT] = rule(50, SG_DIRECTION_EGRESS, IPPROTO_ICMP, 0, SG_ACTION_ACCEPT);
	g->rules[RULE_ICMP_OUT].sport_hi = g->rules[RULE_ICMP_OUT].dport_hi = 0;
	red->conntrack = (struct conntrack_config){65536, 3600, 30, 30, 10};
	red->attachments[0].sg = (struct attachment_sg_config){
		.n_groups = 1,
		.groups = {0},
		.ingress_default = SG_ACTION_DROP,
		.egress_default = SG_ACTION_DROP,
	};
	assert_int_equal(tables_recompile(), 0);
}

static int sg_test_setup(void **state)
{
	if (test_setup(state) != 0)
		return -1;
	env.cfg->tenants[RED].attachments[2].sg = (struct attachment_sg_config){0};
	web_group_apply(SG_ACTION_ACCEPT);
	learn_mac(RED_ID, mac_a, local_loc(ACC0, 10));
	learn_mac(RED_ID, mac_b, local_loc(ACC1, 0));
	learn_mac(RED_ID, mac_c, local_loc(ACC2, 11));
	return 0;
}

/* An IPv4 frame from src to dst with an L4 header l4 of l4_len bytes. */
static void ip4_frame(struct frame *f, const uint8_t dst_mac[6], const uint8_t src_mac[6],
		      int tci, uint8_t proto, uint32_t src, uint32_t dst, const struct frame *l4)
{
	memset(f, 0, sizeof(*f));
	put_macs(f, dst_mac, src_mac);
	if (tci != NO_TAG) {
		put_be16(f, 0x8100);
		put_be16(f, tci);
	}
	put_be16(f, 0x0800);
	put_ipv4(f, 5, 20 + l4->len, 0x4000, proto, src, dst);
	put_bytes(f, l4->bytes, l4->len);
}

static void udp4(struct frame *f, const uint8_t dst_mac[6], const uint8_t src_mac[6], int tci,
		 uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport)
{
	struct frame l4 = {0};

	put_udp(&l4, sport, dport, 12);
	put_be32(&l4, 0xdeadbeef);
	ip4_frame(f, dst_mac, src_mac, tci, IPPROTO_UDP, src, dst, &l4);
}

static void tcp4(struct frame *f, const uint8_t dst_mac[6], const uint8_t src_mac[6], int tci,
		 uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, uint8_t flags)
{
	struct frame l4 = {0};

	put_be16(&l4, sport);
	put_be16(&l4, dport);
	put_be32(&l4, 1000); /* seq */
	put_be32(&l4, flags & TCP_ACK ? 2000 : 0);
	put_u8(&l4, 5 << 4);
	put_u8(&l4, flags);
	put_be16(&l4, 65535); /* window */
	put_be32(&l4, 0);     /* checksum, urgent pointer */
	ip4_frame(f, dst_mac, src_mac, tci, IPPROTO_TCP, src, dst, &l4);
}

static void icmp4(struct frame *f, const uint8_t dst_mac[6], const uint8_t src_mac[6], int tci,
		  uint32_t src, uint32_t dst, uint8_t type, uint16_t id)
{
	struct frame l4 = {0};

	put_u8(&l4, type);
	put_u8(&l4, 0);
	put_be16(&l4, 0);
	put_be16(&l4, id);
	put_be16(&l4, 1); /* sequence */
	ip4_frame(f, dst_mac, src_mac, tci, IPPROTO_ICMP, src, dst, &l4);
}

/* A to B and back through A's egress rule: the reply needs no rule. */
static void test_egress_rule_opens_session_for_reply(void **state)
{
	struct frame out, back, other;
	(void)state;

	udp4(&out, mac_b, mac_a, VM_A_TCI, HOST_A_IP, HOST_B_IP, 1234, 5678);
	send_frame(ACC0, &out, 1);
	assert_tx_counts(0, 1, 0, 0);
	ring_free_mbufs(env.tx[ACC1]);

	udp4(&back, mac_a, mac_b, NO_TAG, HOST_B_IP, HOST_A_IP, 5678, 1234);
	send_frame(ACC1, &back, 2);
	assert_tx_counts(1, 0, 0, 0);
	ring_free_mbufs(env.tx[ACC0]);

	/* Another flow from B: no session, and A's ingress default drops it. */
	udp4(&other, mac_a, mac_b, NO_TAG, HOST_B_IP, HOST_A_IP, 5678, 1235);
	send_frame(ACC1, &other, 3);
	assert_nothing_sent();
	assert_int_equal(port_drops(ACC1, DROP_SG_DENIED), 1);
	assert_int_equal(w->tenant[RED].drop[DROP_SG_DENIED], 1);

	assert_int_equal(rule_hits(RULE_UDP_OUT), 1);
	assert_int_equal(vm_a_verdicts()->accepted, 2);
	assert_int_equal(vm_a_verdicts()->dropped, 1);
	assert_int_equal(ct_tenant_sessions(env.dp.sessions, 1, RED), 1);
}

static void test_egress_default_drop(void **state)
{
	struct frame f;
	(void)state;

	udp4(&f, mac_b, mac_a, VM_A_TCI, HOST_A_IP, HOST_B_IP, 1234, 9999);
	send_frame(ACC0, &f, 1);
	assert_nothing_sent();
	assert_int_equal(port_drops(ACC0, DROP_SG_DENIED), 1);
	assert_int_equal(ct_tenant_sessions(env.dp.sessions, 1, RED), 0);
}

/* B's SYNs to A:80 while a rule drops them: the second is denied from the
 * worker's cache of denied flows, counted the same; once the rule accepts
 * (a commit), the cache no longer applies. */
static void test_denied_flow_cached_until_commit(void **state)
{
	struct frame syn;
	(void)state;

	web_group_apply(SG_ACTION_DROP);
	tcp4(&syn, mac_a, mac_b, NO_TAG, HOST_B_IP, HOST_A_IP, 40004, 80, TCP_SYN);
	send_frame(ACC1, &syn, 1);
	send_frame(ACC1, &syn, 2);
	assert_nothing_sent();
	assert_int_equal(port_drops(ACC1, DROP_SG_DENIED), 2);
	assert_int_equal(vm_a_verdicts()->dropped, 2);
	assert_int_equal(rule_hits(RULE_TCP_80), 2);
	assert_int_equal(w->stats.flow_cache_hits, 1);

	web_group_apply(SG_ACTION_ACCEPT);
	send_frame(ACC1, &syn, 3);
	assert_tx_counts(1, 0, 0, 0);
	assert_int_equal(rule_hits(RULE_TCP_80), 1); /* new tables, counters from 0 */
}

/* B connects to A:80: the handshake and data pass both ways. */
static void test_ingress_rule_accepts_tcp_handshake(void **state)
{
	struct frame syn, syn_ack, ack;
	(void)state;

	tcp4(&syn, mac_a, mac_b, NO_TAG, HOST_B_IP, HOST_A_IP, 40000, 80, TCP_SYN);
	tcp4(&syn_ack, mac_b, mac_a, VM_A_TCI, HOST_A_IP, HOST_B_IP, 80, 40000, TCP_SYN | TCP_ACK);
	tcp4(&ack, mac_a, mac_b, NO_TAG, HOST_B_IP, HOST_A_IP, 40000, 80, TCP_ACK);
	send_frame(ACC1, &syn, 1);
	assert_tx_counts(1, 0, 0, 0);
	send_frame(ACC0, &syn_ack, 2);
	assert_tx_counts(1, 1, 0, 0);
	send_frame(ACC1, &ack, 3);
	assert_tx_counts(2, 1, 0, 0);
	assert_int_equal(rule_hits(RULE_TCP_80), 1);
	assert_int_equal(vm_a_verdicts()->accepted, 3);
}

static void test_tcp_without_session_is_invalid(void **state)
{
	struct frame ack;
	(void)state;

	tcp4(&ack, mac_a, mac_b, NO_TAG, HOST_B_IP, HOST_A_IP, 40000, 80, TCP_ACK);
	send_frame(ACC1, &ack, 1);
	assert_nothing_sent();
	assert_int_equal(port_drops(ACC1, DROP_CT_INVALID), 1);
	assert_int_equal(vm_a_verdicts()->invalid, 1);
	assert_int_equal(rule_hits(RULE_TCP_80), 0);
}

static void test_invalid_segment_in_session(void **state)
{
	struct frame syn, bad;
	(void)state;

	tcp4(&syn, mac_a, mac_b, NO_TAG, HOST_B_IP, HOST_A_IP, 40000, 80, TCP_SYN);
	send_frame(ACC1, &syn, 1);
	/* The initiator cannot answer its own SYN with a SYN-ACK. */
	tcp4(&bad, mac_a, mac_b, NO_TAG, HOST_B_IP, HOST_A_IP, 40000, 80, TCP_SYN | TCP_ACK);
	send_frame(ACC1, &bad, 2);
	assert_tx_counts(1, 0, 0, 0);
	assert_int_equal(port_drops(ACC1, DROP_CT_INVALID), 1);
}

/* A reject rule answers B's SYN with a RST from A, sent back to B. */
static void test_reject_answers_with_rst(void **state)
{
	struct frame syn, rst;
	(void)state;

	tcp4(&syn, mac_a, mac_b, NO_TAG, HOST_B_IP, HOST_A_IP, 40001, 82, TCP_SYN);
	send_frame(ACC1, &syn, 1);
	assert_tx_counts(0, 1, 0, 0);
	tx_take(ACC1, &rst);
	assert_memory_equal(rst.bytes, mac_b, 6);
	assert_memory_equal(rst.bytes + 6, mac_a, 6);
	assert_int_equal(be32_at(rst.bytes + 14 + 12), HOST_A_IP);
	assert_int_equal(be32_at(rst.bytes + 14 + 16), HOST_B_IP);
	assert_int_equal(be16_at(rst.bytes + 34), 82);
	assert_int_equal(be16_at(rst.bytes + 36), 40001);
	assert_int_equal(rst.bytes[34 + 13], TCP_RST | TCP_ACK);
	assert_int_equal(be32_at(rst.bytes + 34 + 8), 1001); /* the SYN's seq + 1 */
	assert_int_equal(port_drops(ACC1, DROP_SG_REJECTED), 1);
	assert_int_equal(vm_a_verdicts()->rejected, 1);
	assert_int_equal(rule_hits(RULE_TCP_82_REJECT), 1);
}

/* A rule that now drops what a session was opened by stops it at its
 * next packet, in either direction, and for good. */
static void test_rule_change_stops_open_connection(void **state)
{
	struct frame syn, syn_ack, ack;
	uint32_t generation = env.tables->sg_generation;
	(void)state;

	tcp4(&syn, mac_a, mac_b, NO_TAG, HOST_B_IP, HOST_A_IP, 40002, 80, TCP_SYN);
	tcp4(&syn_ack, mac_b, mac_a, VM_A_TCI, HOST_A_IP, HOST_B_IP, 80, 40002, TCP_SYN | TCP_ACK);
	tcp4(&ack, mac_a, mac_b, NO_TAG, HOST_B_IP, HOST_A_IP, 40002, 80, TCP_ACK);
	send_frame(ACC1, &syn, 1);
	assert_tx_counts(1, 0, 0, 0);
	ring_free_mbufs(env.tx[ACC0]);

	web_group_apply(SG_ACTION_DROP);
	assert_int_not_equal(env.tables->sg_generation, generation);
	send_frame(ACC0, &syn_ack, 2); /* from the responder: checked as B -> A:80 */
	assert_nothing_sent();
	assert_int_equal(port_drops(ACC0, DROP_SG_DENIED), 1);
	send_frame(ACC1, &ack, 3);
	assert_nothing_sent();
	assert_int_equal(port_drops(ACC1, DROP_SG_DENIED), 1);
	/* Allowed again: the connection stays closed. */
	web_group_apply(SG_ACTION_ACCEPT);
	send_frame(ACC1, &ack, 4);
	assert_nothing_sent();
	assert_int_equal(port_drops(ACC1, DROP_CT_INVALID), 1);
}

/* A UDP flow a rule change denies stops, and goes on once a later change
 * allows it again. */
static void test_udp_flow_denied_then_allowed_again(void **state)
{
	struct frame out;
	struct tenant_config *red = &env.cfg->tenants[RED];
	(void)state;

	udp4(&out, mac_b, mac_a, VM_A_TCI, HOST_A_IP, HOST_B_IP, 1234, 5678);
	send_frame(ACC0, &out, 1);
	assert_tx_counts(0, 1, 0, 0);
	ring_free_mbufs(env.tx[ACC1]);

	red->groups[0].rules[RULE_UDP_OUT].action = SG_ACTION_DROP;
	assert_int_equal(tables_recompile(), 0);
	send_frame(ACC0, &out, 2);
	send_frame(ACC0, &out, 3);
	assert_nothing_sent();
	assert_int_equal(port_drops(ACC0, DROP_SG_DENIED), 2);

	red->groups[0].rules[RULE_UDP_OUT].action = SG_ACTION_ACCEPT;
	assert_int_equal(tables_recompile(), 0);
	send_frame(ACC0, &out, 4);
	send_frame(ACC0, &out, 5);
	assert_tx_counts(0, 2, 0, 0);
	assert_int_equal(port_drops(ACC0, DROP_CT_INVALID), 0);
}

/* A's first packet to C goes out while C's MAC is unknown: flooded, A's
 * egress rule accepts it but C's ingress rules were not asked, so it opens
 * no session; C's copy faces them (and is dropped), and so does the next
 * packet once C is known. A session opened by the flood would have let
 * it through. */
static void test_flooded_packet_opens_no_session(void **state)
{
	struct frame out;
	struct tenant_config *red = &env.cfg->tenants[RED];
	(void)state;

	red->attachments[2].sg = red->attachments[0].sg; /* C gets A's group: no UDP in */
	assert_int_equal(tables_recompile(), 0);
	mac_table_flush_tenant(env.dp.macs, RED_ID); /* forget C */
	learn_mac(RED_ID, mac_a, local_loc(ACC0, 10));
	learn_mac(RED_ID, mac_b, local_loc(ACC1, 0));

	udp4(&out, mac_c, mac_a, VM_A_TCI, HOST_A_IP, HOST_C_IP, 1234, 5678);
	send_frame(ACC0, &out, 1);
	assert_tx_counts(0, 1, 0, 2); /* B and the remote VTEPs; not C */
	ring_free_mbufs(env.tx[ACC1]);
	ring_free_mbufs(env.tx[UP0]);
	assert_int_equal(ct_tenant_sessions(env.dp.sessions, 1, RED), 0);

	learn_mac(RED_ID, mac_c, local_loc(ACC2, 11));
	send_frame(ACC0, &out, 2);
	assert_nothing_sent();
	assert_int_equal(port_drops(ACC0, DROP_SG_DENIED), 1);
}

/* A change elsewhere in the configuration keeps the generation: sessions
 * are not sent through the rules again. */
static void test_unrelated_change_keeps_generation(void **state)
{
	uint32_t generation = env.tables->sg_generation;
	(void)state;

	env.cfg->tenants[BLUE].mac_ageing_s = 60;
	assert_int_equal(tables_recompile(), 0);
	assert_int_equal(env.tables->sg_generation, generation);
}

/* At the tenant's session limit an accepted flow that needs a new session
 * is dropped and counted; flows with a session go on. */
static void test_session_limit(void **state)
{
	struct frame first, second, reply;
	(void)state;

	env.cfg->tenants[RED].conntrack.session_limit = 1;
	assert_int_equal(tables_recompile(), 0);
	udp4(&first, mac_b, mac_a, VM_A_TCI, HOST_A_IP, HOST_B_IP, 1234, 5678);
	udp4(&second, mac_b, mac_a, VM_A_TCI, HOST_A_IP, HOST_B_IP, 1235, 5678);
	udp4(&reply, mac_a, mac_b, NO_TAG, HOST_B_IP, HOST_A_IP, 5678, 1234);
	send_frame(ACC0, &first, 1);
	send_frame(ACC0, &second, 2);
	assert_tx_counts(0, 1, 0, 0);
	assert_int_equal(port_drops(ACC0, DROP_CT_FULL), 1);
	assert_int_equal(ct_tenant_sessions(env.dp.sessions, 1, RED), 1);
	send_frame(ACC1, &reply, 3);
	assert_tx_counts(1, 1, 0, 0);
}

/* Echo requests A sends open a session; B's requests to A are dropped. */
static void test_icmp_echo(void **state)
{
	struct frame req, reply, in_req;
	(void)state;

	icmp4(&req, mac_b, mac_a, VM_A_TCI, HOST_A_IP, HOST_B_IP, ICMP_ECHO_REQUEST, 77);
	icmp4(&reply, mac_a, mac_b, NO_TAG, HOST_B_IP, HOST_A_IP, ICMP_ECHO_REPLY, 77);
	icmp4(&in_req, mac_a, mac_b, NO_TAG, HOST_B_IP, HOST_A_IP, ICMP_ECHO_REQUEST, 77);
	send_frame(ACC0, &req, 1);
	send_frame(ACC1, &reply, 2);
	assert_tx_counts(1, 1, 0, 0);
	send_frame(ACC1, &in_req, 3);
	assert_tx_counts(1, 1, 0, 0);
	assert_int_equal(port_drops(ACC1, DROP_SG_DENIED), 1);
	assert_int_equal(rule_hits(RULE_ICMP_OUT), 1);
}

/* Attachments without groups are not filtered, whatever the ports. */
static void test_unfiltered_attachments_pass(void **state)
{
	struct frame f;
	(void)state;

	tcp4(&f, mac_c, mac_b, NO_TAG, HOST_B_IP, HOST_C_IP, 40003, 4444, TCP_ACK);
	send_frame(ACC1, &f, 1);
	assert_tx_counts(0, 0, 1, 0);
	assert_int_equal(vm_a_verdicts()->accepted + vm_a_verdicts()->dropped +
				 vm_a_verdicts()->invalid,
			 0);
}

/* Broadcast from B: the copy to A faces A's ingress rules (default drop),
 * the others are delivered. */
static void test_flood_copy_checked(void **state)
{
	struct frame f;
	(void)state;

	udp4(&f, broadcast, mac_b, NO_TAG, HOST_B_IP, 0xffffffffu, 68, 67);
	send_frame(ACC1, &f, 1);
	assert_tx_counts(0, 0, 1, 2); /* acc2 VLAN 11, and the two remote VTEPs */
	assert_int_equal(vm_a_verdicts()->dropped, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define SG_TEST(fn) cmocka_unit_test_setup_teardown(fn, sg_test_setup, test_teardown)
		SG_TEST(test_egress_rule_opens_session_for_reply),
		SG_TEST(test_egress_default_drop),
		SG_TEST(test_denied_flow_cached_until_commit),
		SG_TEST(test_ingress_rule_accepts_tcp_handshake),
		SG_TEST(test_tcp_without_session_is_invalid),
		SG_TEST(test_invalid_segment_in_session),
		SG_TEST(test_reject_answers_with_rst),
		SG_TEST(test_rule_change_stops_open_connection),
		SG_TEST(test_udp_flow_denied_then_allowed_again),
		SG_TEST(test_flooded_packet_opens_no_session),
		SG_TEST(test_unrelated_change_keeps_generation),
		SG_TEST(test_session_limit),
		SG_TEST(test_icmp_echo),
		SG_TEST(test_unfiltered_attachments_pass),
		SG_TEST(test_flood_copy_checked),
	};

	int failed;

	if (eal_fixture_init("pn_unit_pipeline_security") != 0)
		return 1;
	failed = cmocka_run_group_tests_name("pn_unit_pipeline_security", tests, group_setup,
					     group_teardown);
	eal_fixture_fini();
	return failed;
}
