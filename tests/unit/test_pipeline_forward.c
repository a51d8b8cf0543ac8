/* The pipeline, forwarding: flooding, learning, VLAN rewrite, VXLAN
 * encapsulation and the drops of the forwarding decision. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "eal_fixture.h"
#include "pipeline_fixture.h"

/* Broadcast from red's acc0 VLAN 10: every other red attachment (tag
 * rewritten or removed) and both red VTEPs, nothing back to acc0 (where
 * blue's VLAN 20 also lives), nothing for blue's acc2 VLAN 40. */
static void test_flood_from_tagged_attachment(void **state)
{
	struct frame in, untagged, tag11;
	(void)state;

	user_frame(&in, broadcast, mac_a, PCP(5) | 10, 40);
	user_frame(&untagged, broadcast, mac_a, NO_TAG, 40);
	user_frame(&tag11, broadcast, mac_a, PCP(5) | 11, 40);
	send_frame(ACC0, &in, 1000);

	assert_tx_counts(0, 1, 1, 2);
	assert_tx_frame(ACC1, &untagged);
	assert_tx_frame(ACC2, &tag11);
	assert_tx_vxlan_to_red_vteps(&untagged);
	assert_int_equal(w->tenant[RED].flooded, 1);
	assert_int_equal(w->tenant[RED].tx, 4);
	assert_int_equal(w->port[env.port_id[ACC1]].tx, 1);
	assert_int_equal(w->port[env.port_id[UP0]].tx, 2);
	assert_int_equal(w->tenant[BLUE].tx, 0);
}

static void test_flood_from_untagged_attachment_adds_tags(void **state)
{
	struct frame in, tag10, tag11;
	(void)state;

	user_frame(&in, broadcast, mac_a, NO_TAG, 30);
	user_frame(&tag10, broadcast, mac_a, 10, 30);
	user_frame(&tag11, broadcast, mac_a, 11, 30);
	send_frame(ACC1, &in, 1000);

	assert_tx_counts(1, 0, 1, 2);
	assert_tx_frame(ACC0, &tag10);
	assert_tx_frame(ACC2, &tag11);
	assert_tx_vxlan_to_red_vteps(&in);
}

/* Priority-tagged (VID 0) frames belong to the untagged attachment. */
static void test_priority_tagged_frame_keeps_pcp(void **state)
{
	struct frame in, tag10, untagged;
	(void)state;

	user_frame(&in, broadcast, mac_a, PCP(3) | 0, 30);
	user_frame(&tag10, broadcast, mac_a, PCP(3) | 10, 30);
	user_frame(&untagged, broadcast, mac_a, NO_TAG, 30);
	send_frame(ACC1, &in, 1000);

	assert_int_equal(w->tenant[RED].rx, 1);
	assert_tx_counts(1, 0, 1, 2);
	assert_tx_frame(ACC0, &tag10);
	assert_tx_vxlan_to_red_vteps(&untagged);
}

static void test_flood_stays_in_tenant(void **state)
{
	struct frame in, tag40;
	(void)state;

	user_frame(&in, broadcast, mac_a, 20, 30);
	user_frame(&tag40, broadcast, mac_a, 40, 30);
	send_frame(ACC0, &in, 1000);

	assert_tx_counts(0, 0, 1, 0);
	assert_tx_frame(ACC2, &tag40);
	assert_int_equal(w->tenant[BLUE].flooded, 1);
	assert_int_equal(w->tenant[RED].tx, 0);
}

/* From the uplink: local attachments only, never back to VTEPs. */
static void test_flood_from_uplink_split_horizon(void **state)
{
	struct frame inner, in, tag10, tag11;
	(void)state;

	user_frame(&inner, broadcast, mac_remote, NO_TAG, 30);
	user_frame(&tag10, broadcast, mac_remote, 10, 30);
	user_frame(&tag11, broadcast, mac_remote, 11, 30);
	vxlan_frame(&in, VTEP2_IP, LOCAL_IP, 0x08, RED_VNI, &inner);
	send_frame(UP0, &in, 1000);

	assert_int_equal(w->tenant[RED].rx, 1);
	assert_tx_counts(1, 1, 1, 0);
	assert_tx_frame(ACC0, &tag10);
	assert_tx_frame(ACC1, &inner);
	assert_tx_frame(ACC2, &tag11);
}

/* A tenant whose only other member is a VTEP with an unresolved next hop:
 * the encapsulated frame waits on the punt ring for ARP. */
static void test_flood_to_unresolved_vtep_is_punted(void **state)
{
	struct frame in, untagged;
	struct punted punted;
	(void)state;

	user_frame(&in, broadcast, mac_a, 30, 30);
	user_frame(&untagged, broadcast, mac_a, NO_TAG, 30);
	send_frame(ACC1, &in, 1000);

	assert_tx_counts(0, 0, 0, 0);
	punt_take(&punted);
	assert_int_equal(punted.reason, PUNT_NEIGHBOUR_WAIT);
	assert_int_equal(punted.vtep, VTEP4_INDEX);
	assert_int_equal(punted.frame.len, 50 + untagged.len);
	assert_memory_equal(&punted.frame.bytes[50], untagged.bytes, untagged.len);
}

static void test_learn_event_then_unicast(void **state)
{
	struct frame from_a, to_a, to_a_tagged;
	(void)state;

	user_frame(&from_a, broadcast, mac_a, 10, 20);
	send_frame(ACC0, &from_a, 1000);
	assert_int_equal(rte_ring_count(env.dp.learn_ring), 1);
	assert_learn_event(RED_ID, mac_a, local_loc(ACC0, 10));
	ring_free_mbufs(env.tx[ACC1]);
	ring_free_mbufs(env.tx[ACC2]);
	ring_free_mbufs(env.tx[UP0]);

	learn_mac(RED_ID, mac_a, local_loc(ACC0, 10));
	user_frame(&to_a, mac_a, mac_b, NO_TAG, 20);
	user_frame(&to_a_tagged, mac_a, mac_b, 10, 20);
	send_frame(ACC1, &to_a, 2000);
	assert_tx_counts(1, 0, 0, 0);
	assert_tx_frame(ACC0, &to_a_tagged);
	assert_int_equal(w->tenant[RED].flooded, 1); /* only the first broadcast */
	assert_learn_event(RED_ID, mac_b, local_loc(ACC1, 0));
}

/* The same MAC learned in blue does not make red's frames unicast. */
static void test_learned_mac_is_per_tenant(void **state)
{
	struct frame to_a;
	(void)state;

	learn_mac(BLUE_ID, mac_a, local_loc(ACC2, 40));
	user_frame(&to_a, mac_a, mac_b, NO_TAG, 20);
	send_frame(ACC1, &to_a, 1000);
	assert_tx_counts(1, 0, 1, 2); /* flooded in red */
	assert_int_equal(w->tenant[RED].flooded, 1);
}

static void test_known_source_sends_no_event_until_it_moves(void **state)
{
	struct frame f;
	(void)state;

	learn_mac(RED_ID, mac_a, local_loc(ACC0, 10));
	user_frame(&f, broadcast, mac_a, 10, 20);
	send_frame(ACC0, &f, 1000);
	assert_int_equal(rte_ring_count(env.dp.learn_ring), 0);

	user_frame(&f, broadcast, mac_a, NO_TAG, 20);
	send_frame(ACC1, &f, 1000);
	assert_learn_event(RED_ID, mac_a, local_loc(ACC1, 0));
}

/* The worker refreshes last_seen once it is older than the refresh
 * period (tsc_hz >> 4), not on every frame; a frame two periods later
 * refreshes it whatever the worker caches in between. */
static void test_known_source_refreshes_last_seen(void **state)
{
	const uint64_t refresh = TEST_TSC_HZ >> 4;
	struct frame f;
	struct mac_entry *e;
	struct mac_key key = {.tenant_id = RED_ID};
	(void)state;

	learn_mac(RED_ID, mac_a, local_loc(ACC0, 10)); /* last_seen 0 */
	memcpy(key.mac.addr_bytes, mac_a, 6);
	e = mac_table_find(env.dp.macs, &key);
	user_frame(&f, broadcast, mac_a, 10, 20);
	send_frame(ACC0, &f, refresh);
	assert_int_equal(e->last_seen, 0);
	send_frame(ACC0, &f, 2 * refresh + 1);
	assert_int_equal(e->last_seen, 2 * refresh + 1);
}

/* A MAC that moves away and comes back is reported both times, so the
 * table follows it back (the worker's MAC cache must not hide the return). */
static void test_mac_moving_back_is_relearned(void **state)
{
	struct frame from_a_acc0, from_a_acc1;
	(void)state;

	learn_mac(RED_ID, mac_a, local_loc(ACC0, 10));
	user_frame(&from_a_acc0, broadcast, mac_a, 10, 20);
	user_frame(&from_a_acc1, broadcast, mac_a, NO_TAG, 20);
	send_frame(ACC0, &from_a_acc0, 1000);
	assert_int_equal(rte_ring_count(env.dp.learn_ring), 0);

	send_frame(ACC1, &from_a_acc1, 1001);
	assert_learn_event(RED_ID, mac_a, local_loc(ACC1, 0));
	learn_mac(RED_ID, mac_a, local_loc(ACC1, 0)); /* the control thread applies it */

	send_frame(ACC0, &from_a_acc0, 1002);
	assert_int_equal(rte_ring_count(env.dp.learn_ring), 1);
	assert_learn_event(RED_ID, mac_a, local_loc(ACC0, 10));
}

static void test_static_mac_not_moved_by_traffic(void **state)
{
	struct mac_key key = {.tenant_id = RED_ID};
	struct frame f;
	(void)state;

	memcpy(key.mac.addr_bytes, mac_a, 6);
	assert_int_equal(mac_table_add_static(env.dp.macs, &key, local_loc(ACC0, 10)), 0);
	user_frame(&f, broadcast, mac_a, NO_TAG, 20);
	send_frame(ACC1, &f, 1000);
	assert_int_equal(rte_ring_count(env.dp.learn_ring), 0);
}

static void test_learn_from_uplink_then_unicast_encapsulated(void **state)
{
	struct frame inner, in, to_remote, to_remote_untagged, out;
	(void)state;

	user_frame(&inner, broadcast, mac_remote, NO_TAG, 20);
	vxlan_frame(&in, VTEP3_IP, LOCAL_IP, 0x08, RED_VNI, &inner);
	send_frame(UP0, &in, 1000);
	assert_learn_event(RED_ID, mac_remote,
			   mac_loc_remote(VTEP3_INDEX, rte_cpu_to_be_32(VTEP3_IP)));
	ring_free_mbufs(env.tx[ACC0]);
	ring_free_mbufs(env.tx[ACC1]);
	ring_free_mbufs(env.tx[ACC2]);

	learn_mac(RED_ID, mac_remote, mac_loc_remote(VTEP3_INDEX, rte_cpu_to_be_32(VTEP3_IP)));
	user_frame(&to_remote, mac_remote, mac_a, 10, 100);
	user_frame(&to_remote_untagged, mac_remote, mac_a, NO_TAG, 100);
	send_frame(ACC0, &to_remote, 2000);
	assert_tx_counts(0, 0, 0, 1);
	tx_take(UP0, &out);
	assert_vxlan(&out, VTEP3_IP, vtep3_mac, RED_VNI, &to_remote_untagged);
	assert_int_equal(w->tenant[RED].flooded, 1); /* only the first broadcast */
}

/* The outer UDP source port follows the inner flow: same flow, same port.
 * Under UBSan this also checks that flow_hash() reads the unaligned IPv4
 * addresses and ports without undefined behaviour. */
static void test_encapsulated_flow_keeps_source_port(void **state)
{
	struct frame f;
	uint16_t ports[2];
	(void)state;

	learn_mac(RED_ID, mac_remote, red_remote_loc());
	user_frame(&f, mac_remote, mac_a, NO_TAG, 20);
	for (unsigned i = 0; i < 2; i++) {
		struct frame out;

		send_frame(ACC1, &f, 1000);
		tx_take(UP0, &out);
		ports[i] = be16_at(&out.bytes[34]);
	}
	assert_int_equal(ports[0], ports[1]);
}

static void test_unicast_to_same_attachment_dropped(void **state)
{
	struct frame f;
	(void)state;

	learn_mac(RED_ID, mac_a, local_loc(ACC0, 10));
	user_frame(&f, mac_a, mac_b, 10, 20);
	send_frame(ACC0, &f, 1000);
	assert_int_equal(port_drops(ACC0, DROP_SAME_PORT), 1);
	assert_nothing_sent();
}

/* A MAC entry naming an attachment that is no longer the tenant's (a
 * configuration change gave acc2 VLAN 40 to blue) is never used. */
static void test_unicast_to_attachment_of_another_tenant_dropped(void **state)
{
	struct frame f;
	(void)state;

	learn_mac(RED_ID, mac_a, local_loc(ACC2, 40));
	user_frame(&f, mac_a, mac_b, NO_TAG, 20);
	send_frame(ACC1, &f, 1000);
	assert_int_equal(port_drops(ACC1, DROP_ATTACHMENT_GONE), 1);
	assert_int_equal(w->tenant[RED].drop[DROP_ATTACHMENT_GONE], 1);
	assert_nothing_sent();
}

static void test_uplink_to_remote_mac_split_horizon(void **state)
{
	struct frame inner, in;
	(void)state;

	learn_mac(RED_ID, mac_c, mac_loc_remote(VTEP3_INDEX, rte_cpu_to_be_32(VTEP3_IP)));
	user_frame(&inner, mac_c, mac_remote, NO_TAG, 20);
	vxlan_frame(&in, VTEP2_IP, LOCAL_IP, 0x08, RED_VNI, &inner);
	send_frame(UP0, &in, 1000);
	assert_int_equal(port_drops(UP0, DROP_SPLIT_HORIZON), 1);
	assert_nothing_sent();
}

/* The encapsulated packet may be exactly the uplink MTU, not one byte more. */
static void test_mtu_exceeded(void **state)
{
	const uint16_t fits = UPLINK_MTU - 36 - 14 - 28; /* payload: inner frame 1464 bytes */
	struct frame f;
	(void)state;

	learn_mac(RED_ID, mac_remote, red_remote_loc());
	user_frame(&f, mac_remote, mac_a, NO_TAG, fits);
	send_frame(ACC1, &f, 1000);
	assert_int_equal(tx_count(UP0), 1);
	ring_free_mbufs(env.tx[UP0]);
	/* The access tag is removed before the check. */
	user_frame(&f, mac_remote, mac_a, 10, fits);
	send_frame(ACC0, &f, 1000);
	assert_int_equal(tx_count(UP0), 1);
	ring_free_mbufs(env.tx[UP0]);

	user_frame(&f, mac_remote, mac_a, NO_TAG, fits + 1);
	send_frame(ACC1, &f, 1000);
	assert_int_equal(port_drops(ACC1, DROP_MTU_EXCEEDED), 1);
	assert_int_equal(w->tenant[RED].drop[DROP_MTU_EXCEEDED], 1);
	assert_nothing_sent();
}

/* A full burst flooded to four destinations each fills the uplink's
 * tx buffer exactly: nothing may be lost. */
static void test_full_burst_flood(void **state)
{
	struct frame f[WORKER_BURST];
	const struct frame *burst[WORKER_BURST];
	(void)state;

	for (unsigned i = 0; i < WORKER_BURST; i++) {
		user_frame(&f[i], broadcast, mac_a, 10, 20 + i);
		burst[i] = &f[i];
	}
	process(ACC0, burst, WORKER_BURST, 1000);
	assert_tx_counts(0, WORKER_BURST, WORKER_BURST, 2 * WORKER_BURST);
	assert_int_equal(w->tenant[RED].flooded, WORKER_BURST);
	assert_int_equal(w->tenant[RED].tx, 4 * WORKER_BURST);
	assert_int_equal(port_drops_total(ACC0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		PIPELINE_TEST(test_flood_from_tagged_attachment),
		PIPELINE_TEST(test_flood_from_untagged_attachment_adds_tags),
		PIPELINE_TEST(test_priority_tagged_frame_keeps_pcp),
		PIPELINE_TEST(test_flood_stays_in_tenant),
		PIPELINE_TEST(test_flood_from_uplink_split_horizon),
		PIPELINE_TEST(test_flood_to_unresolved_vtep_is_punted),
		PIPELINE_TEST(test_learn_event_then_unicast),
		PIPELINE_TEST(test_learned_mac_is_per_tenant),
		PIPELINE_TEST(test_known_source_sends_no_event_until_it_moves),
		PIPELINE_TEST(test_known_source_refreshes_last_seen),
		PIPELINE_TEST(test_mac_moving_back_is_relearned),
		PIPELINE_TEST(test_static_mac_not_moved_by_traffic),
		PIPELINE_TEST(test_learn_from_uplink_then_unicast_encapsulated),
		PIPELINE_TEST(test_encapsulated_flow_keeps_source_port),
		PIPELINE_TEST(test_unicast_to_same_attachment_dropped),
		PIPELINE_TEST(test_unicast_to_attachment_of_another_tenant_dropped),
		PIPELINE_TEST(test_uplink_to_remote_mac_split_horizon),
		PIPELINE_TEST(test_mtu_exceeded),
		PIPELINE_TEST(test_full_burst_flood),
	};
	int failed;

	if (eal_fixture_init("pn_unit_pipeline_forward") != 0)
		return 1;
	failed = cmocka_run_group_tests_name("pn_unit_pipeline_forward", tests, group_setup, group_teardown);
	eal_fixture_fini();
	return failed;
}
