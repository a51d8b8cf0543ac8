/* What the pipeline tests (test_pipeline_*.c) share. They run the worker
 * pipeline end to end, without lcores: frames go into
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
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <rte_ip.h>

#include "control/table_compile.h"
#include "dataplane/worker.h"
#include "frame.h"

enum test_port { ACC0, ACC1, ACC2, UP0, N_PORTS };

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

extern const struct rte_ether_addr local_mac;
extern const uint8_t vtep2_mac[6];
extern const uint8_t vtep3_mac[6];
extern const uint8_t broadcast[6];
extern const uint8_t mac_a[6];
extern const uint8_t mac_b[6];
extern const uint8_t mac_c[6];
extern const uint8_t mac_remote[6];

/* Shared by all tests of a binary: ports, compiled tables, rings. */
struct pipeline_env {
	uint16_t port_id[N_PORTS];
	struct rte_ring *rx[N_PORTS];
	struct rte_ring *tx[N_PORTS];
	struct config *cfg;
	struct neighbour_table *neighbours;
	struct dp_tables *tables;
	struct dataplane dp;
};

extern struct pipeline_env env;

/* Per test: a fresh worker and MAC table. */
extern struct worker *w;

struct punted {
	struct frame frame;
	enum punt_reason reason;
	uint16_t vtep;
};

int group_setup(void **state);

/* Compiles env.cfg (changed by a test) into new tables and publishes them. */
int tables_recompile(void);

int group_teardown(void **state);

int test_setup(void **state);

int test_teardown(void **state);

void user_frame(struct frame *f, const uint8_t dst[6], const uint8_t src[6], int tci,
		       uint16_t payload_len);

void vxlan_frame(struct frame *f, uint32_t src_ip, uint32_t dst_ip, uint8_t flags,
			uint32_t vni, const struct frame *inner);

void process(enum test_port p, const struct frame *const *frames, uint16_t n,
		    uint64_t now);

void send_frame(enum test_port p, const struct frame *f, uint64_t now);

unsigned tx_count(enum test_port p);

void tx_take(enum test_port p, struct frame *out);

void punt_take(struct punted *p);

void assert_frame_equal(const struct frame *got, const struct frame *want);

void assert_tx_frame(enum test_port p, const struct frame *want);

void assert_tx_counts(unsigned acc0, unsigned acc1, unsigned acc2, unsigned up0);

void assert_nothing_sent(void);

uint64_t port_drops(enum test_port p, enum drop_reason reason);

uint64_t port_drops_total(enum test_port p);

void assert_vxlan(const struct frame *got, uint32_t remote_ip, const uint8_t mac[6],
			 uint32_t vni, const struct frame *inner);

void assert_tx_vxlan_to_red_vteps(const struct frame *inner);

struct learn_event learn_take(void);

void assert_learn_event(uint16_t tenant_id, const uint8_t mac[6], uint64_t location);

void learn_mac(uint16_t tenant_id, const uint8_t mac[6], uint64_t location);

uint64_t local_loc(enum test_port p, uint16_t vlan);

uint64_t red_remote_loc(void);

/* Frees what is left in r. */
void ring_free_mbufs(struct rte_ring *r);

/* Big-endian fields of a frame, read byte by byte. */
uint16_t be16_at(const uint8_t *p);
uint32_t be32_at(const uint8_t *p);

#define PIPELINE_TEST(fn) cmocka_unit_test_setup_teardown(fn, test_setup, test_teardown)
