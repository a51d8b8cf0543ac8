/* The pipeline tests' topology, ports and helpers (pipeline_fixture.h). */
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
#include "pipeline_fixture.h"

static const char *const port_names[N_PORTS] = {"acc0", "acc1", "acc2", "up0"};

const struct rte_ether_addr local_mac = {{0x02, 0, 0, 0, 0x01, 0x01}};
const uint8_t vtep2_mac[6] = {0x02, 0, 0, 0, 0x01, 0x02};
const uint8_t vtep3_mac[6] = {0x02, 0, 0, 0, 0x01, 0x03};
const uint8_t broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
const uint8_t mac_a[6] = {0x02, 0, 0, 0, 0, 0x0a};
const uint8_t mac_b[6] = {0x02, 0, 0, 0, 0, 0x0b};
const uint8_t mac_c[6] = {0x02, 0, 0, 0, 0, 0x0c};
const uint8_t mac_remote[6] = {0x02, 0, 0, 0, 0, 0x0e};

struct pipeline_env env;
struct worker *w;

/* The pool level at the start of a test, to find leaks at its end. */
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

static uint64_t sg_digest; /* of env.tables */

/* Compiles env.cfg into env.tables, as the agent publishes a commit. */
int tables_recompile(void)
{
	static const uint16_t rx_queues[N_PORTS] = {1, 1, 1, 1};
	static const uint16_t tenant_slots[] = {RED, BLUE, GREEN};
	struct table_inputs in = {
		.cfg = env.cfg,
		.port_ids = env.port_id,
		.port_rx_queues = rx_queues,
		.tenant_slots = tenant_slots,
		.n_workers = 1,
		.local_mac = &local_mac,
		.neighbours = env.neighbours,
		.published_sg_generation = env.tables != NULL ? env.tables->sg_generation : 0,
		.published_sg_digest = env.tables != NULL ? sg_digest : 0,
		.sg_digest = &sg_digest,
	};
	char err[256] = "";
	struct dp_tables *t = tables_compile(&in, err, sizeof(err));

	if (t == NULL) {
		fprintf(stderr, "tables_compile: %s\n", err);
		return -1;
	}
	tables_free(env.tables);
	env.tables = env.dp.tables = t;
	return 0;
}

int group_setup(void **state)
{
	struct dataplane *dp = &env.dp;
	(void)state;

	for (unsigned p = 0; p < N_PORTS; p++)
		if (port_create(p) != 0)
			return -1;
	env.cfg = calloc(1, sizeof(*env.cfg));
	env.neighbours = calloc(1, sizeof(*env.neighbours));
	if (env.cfg == NULL || env.neighbours == NULL)
		return -1;
	config_build(env.cfg);
	if (tables_recompile() != 0)
		return -1;
	dp->pool = eal_fixture_pool();
	dp->tsc_hz = TEST_TSC_HZ;
	dp->learn_ring = rte_ring_create_elem("learn", sizeof(struct learn_event), RING_SIZE,
					      SOCKET_ID_ANY, RING_F_SC_DEQ);
	dp->punt_ring = rte_ring_create("punt", RING_SIZE, SOCKET_ID_ANY, RING_F_SC_DEQ);
	dp->control_tx_ring = rte_ring_create("control_tx", RING_SIZE, SOCKET_ID_ANY, RING_F_SC_DEQ);
	dp->rcu = eal_fixture_rcu();
	if (dp->learn_ring == NULL || dp->punt_ring == NULL || dp->control_tx_ring == NULL ||
	    dp->rcu == NULL)
		return -1;
	return 0;
}

int group_teardown(void **state)
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
	config_free(env.cfg);
	return 0;
}

int test_setup(void **state)
{
	(void)state;
	env.dp.macs = mac_table_create("unit_macs", 64, env.dp.rcu);
	env.dp.n_workers = 1;
	env.dp.sessions[0] = ct_table_create("unit_ct", 64, env.dp.rcu, SOCKET_ID_ANY);
	w = rte_zmalloc("worker", sizeof(*w), RTE_CACHE_LINE_SIZE);
	if (env.dp.macs == NULL || env.dp.sessions[0] == NULL || w == NULL)
		return -1;
	w->dp = &env.dp;
	w->index = 0;
	pool_level = rte_mempool_avail_count(eal_fixture_pool());
	return 0;
}

void ring_free_mbufs(struct rte_ring *r)
{
	void *m;

	while (rte_ring_dequeue(r, &m) == 0)
		rte_pktmbuf_free(m);
}

/* Every mbuf a test sent must be transmitted or freed: the pool is back
 * to its level once the rings are emptied. */
int test_teardown(void **state)
{
	unsigned level;
	(void)state;

	for (unsigned p = 0; p < N_PORTS; p++)
		ring_free_mbufs(env.tx[p]);
	ring_free_mbufs(env.dp.punt_ring);
	rte_ring_reset(env.dp.learn_ring);
	mac_table_destroy(env.dp.macs);
	ct_table_free(env.dp.sessions[0]);
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
void user_frame(struct frame *f, const uint8_t dst[6], const uint8_t src[6], int tci,
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
void vxlan_frame(struct frame *f, uint32_t src_ip, uint32_t dst_ip, uint8_t flags,
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

void process(enum test_port p, const struct frame *const *frames, uint16_t n,
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

void send_frame(enum test_port p, const struct frame *f, uint64_t now)
{
	process(p, &f, 1, now);
}

unsigned tx_count(enum test_port p)
{
	return rte_ring_count(env.tx[p]);
}

/* What the worker handed the control thread. */

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

void tx_take(enum test_port p, struct frame *out)
{
	ring_take(env.tx[p], out, NULL);
}

void punt_take(struct punted *p)
{
	ring_take(env.dp.punt_ring, &p->frame, p);
}

void assert_frame_equal(const struct frame *got, const struct frame *want)
{
	assert_int_equal(got->len, want->len);
	assert_memory_equal(got->bytes, want->bytes, want->len);
}

/* The next frame port p sent is want, byte for byte. */
void assert_tx_frame(enum test_port p, const struct frame *want)
{
	struct frame got;

	tx_take(p, &got);
	assert_frame_equal(&got, want);
}

void assert_tx_counts(unsigned acc0, unsigned acc1, unsigned acc2, unsigned up0)
{
	assert_int_equal(tx_count(ACC0), acc0);
	assert_int_equal(tx_count(ACC1), acc1);
	assert_int_equal(tx_count(ACC2), acc2);
	assert_int_equal(tx_count(UP0), up0);
}

void assert_nothing_sent(void)
{
	assert_tx_counts(0, 0, 0, 0);
	assert_int_equal(rte_ring_count(env.dp.punt_ring), 0);
}

uint64_t port_drops(enum test_port p, enum drop_reason reason)
{
	return w->port[env.port_id[p]].drop[reason];
}

uint64_t port_drops_total(enum test_port p)
{
	uint64_t n = 0;

	for (unsigned r = 0; r < DROP_REASON_MAX; r++)
		n += w->port[env.port_id[p]].drop[r];
	return n;
}

uint16_t be16_at(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

uint32_t be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* got is inner encapsulated for the VTEP at remote_ip (next hop mac) with vni. */
void assert_vxlan(const struct frame *got, uint32_t remote_ip, const uint8_t mac[6],
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
void assert_tx_vxlan_to_red_vteps(const struct frame *inner)
{
	struct frame out[2];
	unsigned to_vtep2;

	tx_take(UP0, &out[0]);
	tx_take(UP0, &out[1]);
	to_vtep2 = be32_at(&out[0].bytes[30]) == VTEP2_IP ? 0 : 1;
	assert_vxlan(&out[to_vtep2], VTEP2_IP, vtep2_mac, RED_VNI, inner);
	assert_vxlan(&out[1 - to_vtep2], VTEP3_IP, vtep3_mac, RED_VNI, inner);
}

struct learn_event learn_take(void)
{
	struct learn_event ev;

	assert_int_equal(rte_ring_dequeue_elem(env.dp.learn_ring, &ev, sizeof(ev)), 0);
	return ev;
}

void assert_learn_event(uint16_t tenant_id, const uint8_t mac[6], uint64_t location)
{
	struct learn_event ev = learn_take();

	assert_int_equal(ev.key.tenant_id, tenant_id);
	assert_memory_equal(ev.key.mac.addr_bytes, mac, 6);
	assert_true(ev.location == location);
}

void learn_mac(uint16_t tenant_id, const uint8_t mac[6], uint64_t location)
{
	struct mac_key key = {.tenant_id = tenant_id};

	memcpy(key.mac.addr_bytes, mac, 6);
	assert_int_equal(mac_table_learn(env.dp.macs, &key, location, 0), 0);
}

uint64_t local_loc(enum test_port p, uint16_t vlan)
{
	return mac_loc_local(env.port_id[p], vlan);
}

uint64_t red_remote_loc(void)
{
	return mac_loc_remote(VTEP2_INDEX, rte_cpu_to_be_32(VTEP2_IP));
}
