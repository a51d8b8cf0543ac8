/* The pipeline, classification and drops: which tenant a frame belongs to,
 * and every reason a frame is dropped before forwarding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "eal_fixture.h"
#include "pipeline_fixture.h"

static void test_tables_compiled_as_configured(void **state)
{
	const struct dp_tables *t = env.tables;
	(void)state;

	assert_int_equal(t->uplink_port, env.port_id[UP0]);
	assert_int_equal(t->ports[env.port_id[ACC0]].vlan_tenant[10], RED);
	assert_int_equal(t->ports[env.port_id[ACC1]].vlan_tenant[0], RED);
	assert_int_equal(t->ports[env.port_id[ACC2]].vlan_tenant[40], BLUE);
	assert_int_equal(t->ports[env.port_id[ACC2]].vlan_tenant[0], DP_NO_TENANT);
	assert_int_equal(t->workers[0].n, N_PORTS);
	assert_int_equal(t->n_vteps, 3);
	assert_true(t->vteps[VTEP2_INDEX].resolved);
	assert_true(t->vteps[VTEP3_INDEX].resolved);
	assert_false(t->vteps[VTEP4_INDEX].resolved);
}

static void test_tagged_frame_classified_by_port_and_vlan(void **state)
{
	struct frame f;
	(void)state;

	user_frame(&f, broadcast, mac_a, 20, 20);
	send_frame(ACC0, &f, 1000);
	assert_int_equal(w->port[env.port_id[ACC0]].rx, 1);
	assert_int_equal(w->tenant[BLUE].rx, 1);
	assert_int_equal(w->tenant[RED].rx, 0);
	assert_int_equal(port_drops_total(ACC0), 0);
}

static void test_untagged_frame_classified_to_untagged_attachment(void **state)
{
	struct frame f;
	(void)state;

	user_frame(&f, broadcast, mac_a, NO_TAG, 20);
	send_frame(ACC1, &f, 1000);
	assert_int_equal(w->tenant[RED].rx, 1);
	assert_int_equal(w->tenant[GREEN].rx, 0);
	assert_int_equal(port_drops_total(ACC1), 0);
}

static void test_unknown_vlan_dropped(void **state)
{
	struct frame f;
	(void)state;

	user_frame(&f, broadcast, mac_a, 99, 20);
	send_frame(ACC0, &f, 1000);
	assert_int_equal(port_drops(ACC0, DROP_VLAN_UNKNOWN), 1);
	assert_int_equal(port_drops_total(ACC0), 1);
	assert_int_equal(w->tenant[RED].rx + w->tenant[BLUE].rx, 0);
	assert_nothing_sent();
	assert_int_equal(rte_ring_count(env.dp.learn_ring), 0);
}

static void test_untagged_on_tagged_only_port_has_no_tenant(void **state)
{
	struct frame f;
	(void)state;

	user_frame(&f, broadcast, mac_a, NO_TAG, 20);
	send_frame(ACC2, &f, 1000);
	assert_int_equal(port_drops(ACC2, DROP_NO_TENANT), 1);
	assert_int_equal(port_drops_total(ACC2), 1);
	assert_nothing_sent();
}

static void test_double_tagged_dropped(void **state)
{
	struct frame dot1q, dot1ad;
	(void)state;

	/* Outer tag of a configured VLAN, inner tag of another tenant's. */
	memset(&dot1q, 0, sizeof(dot1q));
	put_macs(&dot1q, broadcast, mac_a);
	put_be16(&dot1q, 0x8100);
	put_be16(&dot1q, 10);
	put_be16(&dot1q, 0x8100);
	put_be16(&dot1q, 20);
	put_be16(&dot1q, 0x0806);
	put_zeros(&dot1q, 28);
	dot1ad = dot1q;
	dot1ad.bytes[12] = 0x88;
	dot1ad.bytes[13] = 0xa8;
	send_frame(ACC0, &dot1q, 1000);
	send_frame(ACC0, &dot1ad, 1000);
	assert_int_equal(port_drops(ACC0, DROP_DOUBLE_TAGGED), 2);
	assert_int_equal(port_drops_total(ACC0), 2);
	assert_int_equal(w->tenant[RED].rx + w->tenant[BLUE].rx, 0);
	assert_nothing_sent();
}

static void test_vxlan_unknown_vni_dropped(void **state)
{
	struct frame inner, in;
	(void)state;

	user_frame(&inner, broadcast, mac_remote, NO_TAG, 20);
	vxlan_frame(&in, VTEP2_IP, LOCAL_IP, 0x08, UNKNOWN_VNI, &inner);
	send_frame(UP0, &in, 1000);
	assert_int_equal(port_drops(UP0, DROP_VNI_UNKNOWN), 1);
	assert_int_equal(port_drops_total(UP0), 1);
	assert_nothing_sent();
}

static void test_vxlan_from_unlisted_vtep_dropped(void **state)
{
	struct frame inner, in;
	(void)state;

	user_frame(&inner, broadcast, mac_remote, NO_TAG, 20);
	vxlan_frame(&in, STRANGER_IP, LOCAL_IP, 0x08, RED_VNI, &inner);
	send_frame(UP0, &in, 1000);
	assert_int_equal(port_drops(UP0, DROP_VTEP_UNKNOWN), 1);
	assert_int_equal(w->tenant[RED].drop[DROP_VTEP_UNKNOWN], 1);
	assert_nothing_sent();
	assert_int_equal(rte_ring_count(env.dp.learn_ring), 0);
}

/* blue lists no VTEP, so it takes VXLAN from any. */
static void test_vxlan_for_tenant_without_vtep_list(void **state)
{
	struct frame inner, in, tag20, tag40;
	(void)state;

	user_frame(&inner, broadcast, mac_remote, NO_TAG, 20);
	user_frame(&tag20, broadcast, mac_remote, 20, 20);
	user_frame(&tag40, broadcast, mac_remote, 40, 20);
	vxlan_frame(&in, STRANGER_IP, LOCAL_IP, 0x08, BLUE_VNI, &inner);
	send_frame(UP0, &in, 1000);
	assert_tx_counts(1, 0, 1, 0);
	assert_tx_frame(ACC0, &tag20);
	assert_tx_frame(ACC2, &tag40);
}

static void test_vxlan_for_another_vtep_not_for_us(void **state)
{
	struct frame inner, in;
	(void)state;

	user_frame(&inner, broadcast, mac_remote, NO_TAG, 20);
	vxlan_frame(&in, VTEP2_IP, VTEP3_IP, 0x08, RED_VNI, &inner);
	send_frame(UP0, &in, 1000);
	assert_int_equal(port_drops(UP0, DROP_NOT_FOR_VTEP), 1);
	assert_nothing_sent();
}

static void test_vxlan_inner_tagged_dropped(void **state)
{
	struct frame inner, in;
	(void)state;

	user_frame(&inner, broadcast, mac_remote, 10, 20);
	vxlan_frame(&in, VTEP2_IP, LOCAL_IP, 0x08, RED_VNI, &inner);
	send_frame(UP0, &in, 1000);
	assert_int_equal(port_drops(UP0, DROP_INNER_TAGGED), 1);
	assert_nothing_sent();
}

static void test_arp_on_uplink_punted(void **state)
{
	struct frame arp;
	struct punted punted;
	(void)state;

	memset(&arp, 0, sizeof(arp));
	put_macs(&arp, broadcast, vtep2_mac);
	put_be16(&arp, 0x0806);
	put_zeros(&arp, 28);
	send_frame(UP0, &arp, 1000);
	assert_tx_counts(0, 0, 0, 0);
	punt_take(&punted);
	assert_int_equal(punted.reason, PUNT_ARP);
	assert_frame_equal(&punted.frame, &arp);
}

static void test_malformed_dropped(void **state)
{
	struct frame bad_ip, inner, bad_vxlan;
	(void)state;

	user_frame(&bad_ip, broadcast, mac_a, 10, 20);
	bad_ip.len -= 1; /* IPv4 total length now beyond the frame */
	send_frame(ACC0, &bad_ip, 1000);
	assert_int_equal(port_drops(ACC0, DROP_MALFORMED), 1);

	user_frame(&inner, broadcast, mac_remote, NO_TAG, 20);
	vxlan_frame(&bad_vxlan, VTEP2_IP, LOCAL_IP, 0x00 /* no I flag */, RED_VNI, &inner);
	send_frame(UP0, &bad_vxlan, 1000);
	assert_int_equal(port_drops(UP0, DROP_MALFORMED), 1);
	assert_nothing_sent();
}

static void test_bad_source_mac_dropped(void **state)
{
	static const uint8_t multicast_src[6] = {0x01, 0, 0x5e, 0, 0, 1};
	static const uint8_t zero_src[6] = {0};
	struct frame f;
	(void)state;

	user_frame(&f, broadcast, multicast_src, 10, 20);
	send_frame(ACC0, &f, 1000);
	user_frame(&f, broadcast, zero_src, NO_TAG, 20);
	send_frame(ACC1, &f, 1000);
	assert_int_equal(port_drops(ACC0, DROP_BAD_SRC_MAC), 1);
	assert_int_equal(port_drops(ACC1, DROP_BAD_SRC_MAC), 1);
	assert_int_equal(w->tenant[RED].drop[DROP_BAD_SRC_MAC], 2);
	assert_nothing_sent();
	assert_int_equal(rte_ring_count(env.dp.learn_ring), 0);
}

/* One burst mixing drops, floods and unicast from two tenants: each
 * packet's own fate, whatever its position in the burst. */
static void test_mixed_burst(void **state)
{
	struct frame unknown_vlan, red_to_a, blue_bcast, red_bcast, red_to_remote;
	struct frame red_to_a_out, blue_out, red_bcast_untagged, red_bcast_tag11,
		red_to_remote_untagged;
	const struct frame *burst[] = {&unknown_vlan, &red_to_a, &blue_bcast, &red_bcast,
				       &red_to_remote};
	struct frame out;
	(void)state;

	learn_mac(RED_ID, mac_a, local_loc(ACC1, 0));
	learn_mac(RED_ID, mac_remote, red_remote_loc());
	user_frame(&unknown_vlan, broadcast, mac_b, 99, 20);
	user_frame(&red_to_a, mac_a, mac_b, 10, 21);
	user_frame(&blue_bcast, broadcast, mac_c, 20, 22);
	user_frame(&red_bcast, broadcast, mac_b, 10, 23);
	user_frame(&red_to_remote, mac_remote, mac_b, 10, 24);
	user_frame(&red_to_a_out, mac_a, mac_b, NO_TAG, 21);
	user_frame(&blue_out, broadcast, mac_c, 40, 22);
	user_frame(&red_bcast_untagged, broadcast, mac_b, NO_TAG, 23);
	user_frame(&red_bcast_tag11, broadcast, mac_b, 11, 23);
	user_frame(&red_to_remote_untagged, mac_remote, mac_b, NO_TAG, 24);
	process(ACC0, burst, RTE_DIM(burst), 1000);

	assert_int_equal(port_drops(ACC0, DROP_VLAN_UNKNOWN), 1);
	assert_int_equal(port_drops_total(ACC0), 1);
	assert_tx_counts(0, 2, 2, 3);
	assert_tx_frame(ACC1, &red_to_a_out);
	assert_tx_frame(ACC1, &red_bcast_untagged);
	assert_tx_frame(ACC2, &blue_out);
	assert_tx_frame(ACC2, &red_bcast_tag11);
	assert_tx_vxlan_to_red_vteps(&red_bcast_untagged);
	tx_take(UP0, &out);
	assert_vxlan(&out, VTEP2_IP, vtep2_mac, RED_VNI, &red_to_remote_untagged);
	assert_int_equal(w->tenant[RED].rx, 3);
	assert_int_equal(w->tenant[BLUE].rx, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		PIPELINE_TEST(test_tables_compiled_as_configured),
		PIPELINE_TEST(test_tagged_frame_classified_by_port_and_vlan),
		PIPELINE_TEST(test_untagged_frame_classified_to_untagged_attachment),
		PIPELINE_TEST(test_unknown_vlan_dropped),
		PIPELINE_TEST(test_untagged_on_tagged_only_port_has_no_tenant),
		PIPELINE_TEST(test_double_tagged_dropped),
		PIPELINE_TEST(test_vxlan_unknown_vni_dropped),
		PIPELINE_TEST(test_vxlan_from_unlisted_vtep_dropped),
		PIPELINE_TEST(test_vxlan_for_tenant_without_vtep_list),
		PIPELINE_TEST(test_vxlan_for_another_vtep_not_for_us),
		PIPELINE_TEST(test_vxlan_inner_tagged_dropped),
		PIPELINE_TEST(test_arp_on_uplink_punted),
		PIPELINE_TEST(test_malformed_dropped),
		PIPELINE_TEST(test_bad_source_mac_dropped),
		PIPELINE_TEST(test_mixed_burst),
	};
	int failed;

	if (eal_fixture_init("pn_unit_pipeline_classify") != 0)
		return 1;
	failed = cmocka_run_group_tests_name("pn_unit_pipeline_classify", tests, group_setup, group_teardown);
	eal_fixture_fini();
	return failed;
}
