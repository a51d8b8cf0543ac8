/* The worker pipeline end to end, without lcores: frames go into
 * worker_process_burst() for a port, and the test reads what each port
 * transmitted from the tx ring behind its net_ring ethdev, the learn and
 * punt rings, and the per-worker counters.
 *
 * Topology (tables compiled from a struct config by tables_compile()):
 *   acc0: red VLAN 10, blue VLAN 20
 *   acc1: red untagged, green VLAN 30
 *   acc2: red VLAN 11, blue VLAN 40 (tagged attachments only)
 *   up0:  uplink, local VTEP 10.0.0.1
 *   red   id 100 VNI 5000, remote VTEPs 10.0.0.2 and 10.0.0.3 (resolved)
 *   blue  id 200 VNI 6000, no remote VTEP (so VXLAN from any VTEP)
 *   green id 300 VNI 8000, remote VTEP 10.0.0.4 (next hop unresolved) */
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>

#include "control/table_compile.h"
#include "dataplane/worker.h"
#include "eal_fixture.h"
#include "frame.h"

enum test_port { ACC0, ACC1, ACC2, UP0, N_PORTS };

static const char *const port_names[N_PORTS] = {"acc0", "acc1", "acc2", "up0"};

enum { RED, BLUE, GREEN }; /* tenant slots, in configuration order */
#define RED_ID 100
#define BLUE_ID 200
#define GREEN_ID 300
#define RED_VNI 5000
#define BLUE_VNI 6000
#define GREEN_VNI 8000
#define UNKNOWN_VNI 7000

#define LOCAL_IP RTE_IPV4(10, 0, 0, 1)
#define VTEP2_IP RTE_IPV4(10, 0, 0, 2)
#define VTEP3_IP RTE_IPV4(10, 0, 0, 3)
#define VTEP4_IP RTE_IPV4(10, 0, 0, 4) /* green's: no neighbour entry */
#define STRANGER_IP RTE_IPV4(10, 0, 0, 9)
/* Tenant hosts; RTE_IPV4(192, ...) would shift into the sign bit of an int. */
#define HOST_A_IP 0xc0a80001u /* 192.168.0.1 */
#define HOST_B_IP 0xc0a80002u
#define VTEP2_INDEX 0 /* indexes in dp_tables.vteps, in order of first use */
#define VTEP3_INDEX 1
#define VTEP4_INDEX 2

#define UPLINK_MTU 1500
#define RING_SIZE 256
/* A refresh interval of tsc_hz >> 4 = 100 cycles on the test clock. */
#define TEST_TSC_HZ 1600

#define NO_TAG (-1)
#define PCP(p) ((p) << 13)

static const struct rte_ether_addr local_mac = {{0x02, 0, 0, 0, 0x01, 0x01}};
static const uint8_t vtep2_mac[6] = {0x02, 0, 0, 0, 0x01, 0x02};
static const uint8_t vtep3_mac[6] = {0x02, 0, 0, 0, 0x01, 0x03};
static const uint8_t broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t mac_a[6] = {0x02, 0, 0, 0, 0, 0x0a};
static const uint8_t mac_b[6] = {0x02, 0, 0, 0, 0, 0x0b};
static const uint8_t mac_c[6] = {0x02, 0, 0, 0, 0, 0x0c};
static const uint8_t mac_remote[6] = {0x02, 0, 0, 0, 0, 0x0e};

/* Shared by all tests: ports, compiled tables, rings. */
static struct {
	uint16_t port_id[N_PORTS];
	struct rte_ring *rx[N_PORTS];
	struct rte_ring *tx[N_PORTS];
	struct config *cfg;
	struct neighbour_table *neighbours;
	struct dp_tables *tables;
	struct dataplane dp;
} env;

/* Per test: a fresh worker and MAC table, and the pool level to check leaks. */
static struct worker *w;
static unsigned pool_level;

static int port_create(enum test_port p)
{
	struct rte_eth_conf conf = {0};
	char name[RTE_RING_NAMESIZE];
	int id;

	snprintf(name, sizeof(name), "%s_rx", port_names[p]);
	env.rx[p] = rte_ring_create(name, RING_SIZE, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "%s_tx", port_names[p]);
	env.tx[p] = rte_ring_create(name, RING_SIZE, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (env.rx[p] == NULL || env.tx[p] == NULL)
		return -1;
	snprintf(name, sizeof(name), "net_ring_%s", port_names[p]);
	id = rte_eth_from_rings(name, &env.rx[p], 1, &env.tx[p], 1, SOCKET_ID_ANY);
	if (id < 0)
		return -1;
	env.port_id[p] = id;
	if (rte_eth_dev_configure(id, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(id, 0, RING_SIZE, SOCKET_ID_ANY, NULL, eal_fixture_pool()) != 0 ||
	    rte_eth_tx_queue_setup(id, 0, RING_SIZE, SOCKET_ID_ANY, NULL) != 0 ||
	    rte_eth_dev_start(id) != 0)
		return -1;
	return 0;
}

static struct tenant_config *tenant_add(struct config *cfg, const char *name, uint16_t id,
					uint32_t vni)
{
	struct tenant_config *tc = &cfg->tenants[cfg->n_tenants++];

	snprintf(tc->name, sizeof(tc->name), "%s", name);
	tc->id = id;
	tc->vni = vni;
	tc->mac_ageing_s = 300;
	return tc;
}

static void attach(struct tenant_config *tc, enum test_port p, uint16_t vlan)
{
	struct attachment_config *a = &tc->attachments[tc->n_attachments++];

	snprintf(a->name, sizeof(a->name), "%s.%u", port_names[p], vlan);
	snprintf(a->port, sizeof(a->port), "%s", port_names[p]);
	a->vlan = vlan;
}

static void neighbour_add(uint32_t ip_host, const uint8_t mac[6])
{
	struct underlay_config *u = &env.cfg->underlay;
	struct neighbour_config *nc = &u->neighbours[u->n_neighbours++];
	struct neighbour *n = &env.neighbours->entries[env.neighbours->n++];

	nc->ip = rte_cpu_to_be_32(ip_host);
	memcpy(nc->mac.addr_bytes, mac, 6);
	n->ip = nc->ip;
	n->resolved = true;
	n->is_static = true;
	n->mac = nc->mac;
}

static void config_build(struct config *cfg)
{
	struct underlay_config *u = &cfg->underlay;
	struct tenant_config *tc;

	for (unsigned p = 0; p < N_PORTS; p++) {
		struct port_config *pc = &cfg->ports[cfg->n_ports++];

		snprintf(pc->name, sizeof(pc->name), "%s", port_names[p]);
		snprintf(pc->devargs, sizeof(pc->devargs), "net_ring_%s", port_names[p]);
		pc->role = p == UP0 ? PORT_ROLE_UPLINK : PORT_ROLE_ACCESS;
		pc->mtu = UPLINK_MTU;
	}
	u->present = true;
	u->local_ip = rte_cpu_to_be_32(LOCAL_IP);
	u->prefix_len = 24;
	snprintf(u->uplink, sizeof(u->uplink), "up0");
	u->udp_port = 4789;
	neighbour_add(VTEP2_IP, vtep2_mac);
	neighbour_add(VTEP3_IP, vtep3_mac);

	tc = tenant_add(cfg, "red", RED_ID, RED_VNI);
	attach(tc, ACC0, 10);
	attach(tc, ACC1, 0);
	attach(tc, ACC2, 11);
	tc->vteps[tc->n_vteps++] = rte_cpu_to_be_32(VTEP2_IP);
	tc->vteps[tc->n_vteps++] = rte_cpu_to_be_32(VTEP3_IP);
	tc = tenant_add(cfg, "blue", BLUE_ID, BLUE_VNI);
	attach(tc, ACC0, 20);
	attach(tc, ACC2, 40);
	tc = tenant_add(cfg, "green", GREEN_ID, GREEN_VNI);
	attach(tc, ACC1, 30);
	tc->vteps[tc->n_vteps++] = rte_cpu_to_be_32(VTEP4_IP);
}

static int group_setup(void **state)
{
	static const uint16_t rx_queues[N_PORTS] = {1, 1, 1, 1};
	static const uint16_t tenant_slots[] = {RED, BLUE, GREEN};
	struct dataplane *dp = &env.dp;
	struct table_inputs in = {
		.port_ids = env.port_id,
		.port_rx_queues = rx_queues,
		.tenant_slots = tenant_slots,
		.n_workers = 1,
		.local_mac = &local_mac,
	};
	char err[256] = "";
	(void)state;

	for (unsigned p = 0; p < N_PORTS; p++)
		if (port_create(p) != 0)
			return -1;
	env.cfg = calloc(1, sizeof(*env.cfg));
	env.neighbours = calloc(1, sizeof(*env.neighbours));
	if (env.cfg == NULL || env.neighbours == NULL)
		return -1;
	config_build(env.cfg);
	in.cfg = env.cfg;
	in.neighbours = env.neighbours;
	env.tables = tables_compile(&in, err, sizeof(err));
	if (env.tables == NULL) {
		fprintf(stderr, "tables_compile: %s\n", err);
		return -1;
	}
	dp->tables = env.tables;
	dp->pool = eal_fixture_pool();
	dp->tsc_hz = TEST_TSC_HZ;
	dp->learn_ring = rte_ring_create_elem("learn", sizeof(struct learn_event), RING_SIZE,
					      SOCKET_ID_ANY, RING_F_SC_DEQ);
	dp->punt_ring = rte_ring_create("punt", RING_SIZE, SOCKET_ID_ANY, RING_F_SC_DEQ);
	dp->control_tx_ring = rte_ring_create("control_tx", RING_SIZE, SOCKET_ID_ANY, RING_F_SC_DEQ);
	dp->rcu = rte_zmalloc("rcu", rte_rcu_qsbr_get_memsize(1), RTE_CACHE_LINE_SIZE);
	if (dp->learn_ring == NULL || dp->punt_ring == NULL || dp->control_tx_ring == NULL ||
	    dp->rcu == NULL || rte_rcu_qsbr_init(dp->rcu, 1) != 0)
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	for (unsigned p = 0; p < N_PORTS; p++) {
		rte_eth_dev_stop(env.port_id[p]);
		rte_eth_dev_close(env.port_id[p]);
		rte_ring_free(env.rx[p]);
		rte_ring_free(env.tx[p]);
	}
	tables_free(env.tables);
	rte_ring_free(env.dp.learn_ring);
	rte_ring_free(env.dp.punt_ring);
	rte_ring_free(env.dp.control_tx_ring);
	rte_free(env.dp.rcu);
	free(env.neighbours);
	free(env.cfg);
	return 0;
}

static int test_setup(void **state)
{
	(void)state;
	env.dp.macs = mac_table_create("unit_macs", 64, env.dp.rcu);
	w = rte_zmalloc("worker", sizeof(*w), RTE_CACHE_LINE_SIZE);
	if (env.dp.macs == NULL || w == NULL)
		return -1;
	w->dp = &env.dp;
	w->index = 0;
	pool_level = rte_mempool_avail_count(eal_fixture_pool());
	return 0;
}

static void ring_free_mbufs(struct rte_ring *r)
{
	void *m;

	while (rte_ring_dequeue(r, &m) == 0)
		rte_pktmbuf_free(m);
}

/* Every mbuf a test sent must be transmitted or freed: the pool is back
 * to its level once the rings are emptied. */
static int test_teardown(void **state)
{
	unsigned level;
	(void)state;

	for (unsigned p = 0; p < N_PORTS; p++)
		ring_free_mbufs(env.tx[p]);
	ring_free_mbufs(env.dp.punt_ring);
	rte_ring_reset(env.dp.learn_ring);
	mac_table_destroy(env.dp.macs);
	rte_free(w);
	level = rte_mempool_avail_count(eal_fixture_pool());
	if (level != pool_level) {
		fprintf(stderr, "mbuf leak: pool has %u, had %u\n", level, pool_level);
		return -1;
	}
	return 0;
}

/* A frame from a tenant host: MACs, an optional 802.1Q tag, IPv4/UDP with
 * payload_len bytes of payload. */
static void user_frame(struct frame *f, const uint8_t dst[6], const uint8_t src[6], int tci,
		       uint16_t payload_len)
{
	memset(f, 0, sizeof(*f));
	put_macs(f, dst, src);
	if (tci != NO_TAG) {
		put_be16(f, 0x8100);
		put_be16(f, tci);
	}
	put_be16(f, 0x0800);
	put_ipv4(f, 5, 28 + payload_len, 0, IPPROTO_UDP, HOST_A_IP, HOST_B_IP);
	put_udp(f, 1234, 5678, 8 + payload_len);
	for (uint16_t i = 0; i < payload_len; i++)
		put_u8(f, i);
}

/* What a remote VTEP sends us: inner frame in VXLAN from src_ip to dst_ip. */
static void vxlan_frame(struct frame *f, uint32_t src_ip, uint32_t dst_ip, uint8_t flags,
			uint32_t vni, const struct frame *inner)
{
	memset(f, 0, sizeof(*f));
	put_macs(f, local_mac.addr_bytes, vtep2_mac);
	put_be16(f, 0x0800);
	put_ipv4(f, 5, 36 + inner->len, 0x4000, IPPROTO_UDP, src_ip, dst_ip);
	put_udp(f, 50000, 4789, 16 + inner->len);
	put_vxlan(f, flags, vni);
	put_bytes(f, inner->bytes, inner->len);
}

static void process(enum test_port p, const struct frame *const *frames, uint16_t n,
		    uint64_t now)
{
	struct rte_mbuf *pkts[WORKER_BURST];

	for (uint16_t i = 0; i < n; i++) {
		pkts[i] = mbuf_from_bytes(frames[i]->bytes, frames[i]->len);
		assert_non_null(pkts[i]);
	}
	worker_process_burst(w, env.tables, env.port_id[p], pkts, n, now);
	worker_flush(w);
}

static void send_frame(enum test_port p, const struct frame *f, uint64_t now)
{
	process(p, &f, 1, now);
}

static unsigned tx_count(enum test_port p)
{
	return rte_ring_count(env.tx[p]);
}

/* What the worker handed the control thread. */
struct punted {
	struct frame frame;
	enum punt_reason reason;
	uint16_t vtep;
};

/* Copies the next mbuf of r into *out and frees it, so that a failed
 * assertion on the bytes does not also leak the mbuf. */
static void ring_take(struct rte_ring *r, struct frame *out, struct punted *punted)
{
	struct rte_mbuf *m = NULL;
	bool single_segment;

	assert_int_equal(rte_ring_dequeue(r, (void **)&m), 0);
	single_segment = rte_pktmbuf_data_len(m) == rte_pktmbuf_pkt_len(m);
	out->len = RTE_MIN(rte_pktmbuf_data_len(m), (uint32_t)FRAME_MAX);
	memcpy(out->bytes, rte_pktmbuf_mtod(m, const uint8_t *), out->len);
	if (punted != NULL) {
		punted->reason = punt_reason_of(m);
		punted->vtep = punt_vtep_of(m);
	}
	rte_pktmbuf_free(m);
	assert_true(single_segment);
}

static void tx_take(enum test_port p, struct frame *out)
{
	ring_take(env.tx[p], out, NULL);
}

static void punt_take(struct punted *p)
{
	ring_take(env.dp.punt_ring, &p->frame, p);
}

static void assert_frame_equal(const struct frame *got, const struct frame *want)
{
	assert_int_equal(got->len, want->len);
	assert_memory_equal(got->bytes, want->bytes, want->len);
}

/* The next frame port p sent is want, byte for byte. */
static void assert_tx_frame(enum test_port p, const struct frame *want)
{
	struct frame got;

	tx_take(p, &got);
	assert_frame_equal(&got, want);
}

static void assert_tx_counts(unsigned acc0, unsigned acc1, unsigned acc2, unsigned up0)
{
	assert_int_equal(tx_count(ACC0), acc0);
	assert_int_equal(tx_count(ACC1), acc1);
	assert_int_equal(tx_count(ACC2), acc2);
	assert_int_equal(tx_count(UP0), up0);
}

static void assert_nothing_sent(void)
{
	assert_tx_counts(0, 0, 0, 0);
	assert_int_equal(rte_ring_count(env.dp.punt_ring), 0);
}

static uint64_t port_drops(enum test_port p, enum drop_reason reason)
{
	return w->port[env.port_id[p]].drop[reason];
}

static uint64_t port_drops_total(enum test_port p)
{
	uint64_t n = 0;

	for (unsigned r = 0; r < DROP_REASON_MAX; r++)
		n += w->port[env.port_id[p]].drop[r];
	return n;
}

static uint16_t be16_at(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* got is inner encapsulated for the VTEP at remote_ip (next hop mac) with vni. */
static void assert_vxlan(const struct frame *got, uint32_t remote_ip, const uint8_t mac[6],
			 uint32_t vni, const struct frame *inner)
{
	const uint8_t *p = got->bytes;

	assert_int_equal(got->len, 50 + inner->len);
	assert_memory_equal(p, mac, 6);
	assert_memory_equal(p + 6, local_mac.addr_bytes, 6);
	assert_int_equal(be16_at(p + 12), 0x0800);
	assert_int_equal(p[14], 0x45);
	assert_int_equal(be16_at(p + 16), 36 + inner->len);
	assert_int_equal(be16_at(p + 20), 0x4000);
	assert_int_equal(p[22], 64);
	assert_int_equal(p[23], IPPROTO_UDP);
	assert_int_equal(rfc1071_checksum(p + 14, 20), 0);
	assert_int_equal(be32_at(p + 26), LOCAL_IP);
	assert_int_equal(be32_at(p + 30), remote_ip);
	assert_in_range(be16_at(p + 34), 49152, 65535);
	assert_int_equal(be16_at(p + 36), 4789);
	assert_int_equal(be16_at(p + 38), 16 + inner->len);
	assert_int_equal(be32_at(p + 42), 0x08000000);
	assert_int_equal(be32_at(p + 46), vni << 8);
	assert_memory_equal(p + 50, inner->bytes, inner->len);
}

/* The two frames up0 sent are inner, one to each of red's VTEPs. */
static void assert_tx_vxlan_to_red_vteps(const struct frame *inner)
{
	struct frame out[2];
	unsigned to_vtep2;

	tx_take(UP0, &out[0]);
	tx_take(UP0, &out[1]);
	to_vtep2 = be32_at(&out[0].bytes[30]) == VTEP2_IP ? 0 : 1;
	assert_vxlan(&out[to_vtep2], VTEP2_IP, vtep2_mac, RED_VNI, inner);
	assert_vxlan(&out[1 - to_vtep2], VTEP3_IP, vtep3_mac, RED_VNI, inner);
}

static struct learn_event learn_take(void)
{
	struct learn_event ev;

	assert_int_equal(rte_ring_dequeue_elem(env.dp.learn_ring, &ev, sizeof(ev)), 0);
	return ev;
}

static void assert_learn_event(uint16_t tenant_id, const uint8_t mac[6], uint64_t location)
{
	struct learn_event ev = learn_take();

	assert_int_equal(ev.key.tenant_id, tenant_id);
	assert_memory_equal(ev.key.mac.addr_bytes, mac, 6);
	assert_true(ev.location == location);
}

static void learn_mac(uint16_t tenant_id, const uint8_t mac[6], uint64_t location)
{
	struct mac_key key = {.tenant_id = tenant_id};

	memcpy(key.mac.addr_bytes, mac, 6);
	assert_int_equal(mac_table_learn(env.dp.macs, &key, location, 0), 0);
}

static uint64_t local_loc(enum test_port p, uint16_t vlan)
{
	return mac_loc_local(env.port_id[p], vlan);
}

static uint64_t red_remote_loc(void)
{
	return mac_loc_remote(VTEP2_INDEX, rte_cpu_to_be_32(VTEP2_IP));
}

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

#define PIPELINE_TEST(fn) cmocka_unit_test_setup_teardown(fn, test_setup, test_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		PIPELINE_TEST(test_tables_compiled_as_configured),
		PIPELINE_TEST(test_tagged_frame_classified_by_port_and_vlan),
		PIPELINE_TEST(test_untagged_frame_classified_to_untagged_attachment),
		PIPELINE_TEST(test_unknown_vlan_dropped),
		PIPELINE_TEST(test_untagged_on_tagged_only_port_has_no_tenant),
		PIPELINE_TEST(test_double_tagged_dropped),
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
		PIPELINE_TEST(test_vxlan_unknown_vni_dropped),
		PIPELINE_TEST(test_vxlan_from_unlisted_vtep_dropped),
		PIPELINE_TEST(test_vxlan_for_tenant_without_vtep_list),
		PIPELINE_TEST(test_vxlan_for_another_vtep_not_for_us),
		PIPELINE_TEST(test_vxlan_inner_tagged_dropped),
		PIPELINE_TEST(test_arp_on_uplink_punted),
		PIPELINE_TEST(test_malformed_dropped),
		PIPELINE_TEST(test_bad_source_mac_dropped),
		PIPELINE_TEST(test_unicast_to_same_attachment_dropped),
		PIPELINE_TEST(test_unicast_to_attachment_of_another_tenant_dropped),
		PIPELINE_TEST(test_uplink_to_remote_mac_split_horizon),
		PIPELINE_TEST(test_mtu_exceeded),
		PIPELINE_TEST(test_mixed_burst),
		PIPELINE_TEST(test_full_burst_flood),
	};
	int failed;

	if (eal_fixture_init("pn_unit_pipeline") != 0)
		return 1;
	failed = cmocka_run_group_tests_name("pipeline", tests, group_setup, group_teardown);
	eal_fixture_fini();
	return failed;
}
