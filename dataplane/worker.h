/* Datapath workers: each polls its receive queues and runs every packet to
 * completion in bursts. Workers read the published tables, take no locks
 * and make no system calls except the optional idle sleep. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "dataplane/conntrack.h"
#include "dataplane/counters.h"
#include "dataplane/flow_cache.h"
#include "dataplane/mac_table.h"
#include "dataplane/tables.h"

#define WORKER_BURST 32
#define WORKER_MAX DP_MAX_WORKERS
/* Stage cycles are measured on one burst in this many: reading the TSC
 * costs tens of cycles, too much to do between every stage of every burst. */
#define WORKER_PROFILE_EVERY 16

/* Why a packet is handed to the control thread (punt_ring). */
enum punt_reason {
	PUNT_ARP,           /* ARP on the uplink */
	PUNT_NEIGHBOUR_WAIT, /* encapsulated; waiting for its next hop's MAC */
};

/* State shared by the control thread and the workers. */
struct dataplane {
	struct dp_tables *tables; /* published: read with __atomic_load_n */
	struct mac_table *macs;
	struct rte_ring *learn_ring; /* struct learn_event, workers -> control */
	struct rte_ring *punt_ring;  /* struct rte_mbuf *, workers -> control */
	/* Frames the control thread sends (ARP, released pending packets),
	 * m->port naming the output port: worker 0 transmits them on its own
	 * queues, so no port needs a queue for the control thread. */
	struct rte_ring *control_tx_ring;
	struct rte_mempool *pool;
	struct rte_rcu_qsbr *rcu;
	/* Connection-tracking sessions: one table per worker, written by that
	 * worker only, read by all (dataplane/conntrack.h). */
	unsigned n_workers;
	struct ct_table *sessions[DP_MAX_WORKERS];
	uint64_t tsc_hz;
	uint32_t idle_sleep_us; /* sleep after idle polls; 0 = busy poll */
	volatile bool stop;
};

struct tx_buffer {
	uint16_t n;
	struct rte_mbuf *pkts[WORKER_BURST * 2];
};

/* A per-worker direct-mapped cache in front of the MAC table: key ->
 * entry. Entries move in place (their location is reread on every use),
 * so only removals invalidate it: the table's generation changes, and the
 * worker empties its cache before its next burst. A removed entry is not
 * reused before the worker's next quiescent state, so a pointer read from
 * the cache stays valid for the rest of the burst. Misses are not cached. */
#define MAC_CACHE_WAYS 4
#define MAC_CACHE_BUCKETS 1024 /* a power of two: 4096 keys, 64 KiB */

/* One cache line: a key is found by comparing four. */
struct mac_cache_bucket {
	uint64_t key[MAC_CACHE_WAYS]; /* struct mac_key as 8 bytes; 0 = empty (no tenant id 0) */
	struct mac_entry *entry[MAC_CACHE_WAYS];
} __rte_cache_aligned;

struct worker {
	struct dataplane *dp;
	unsigned lcore_id;
	unsigned index;    /* 0..n-1: also the RCU thread id and the tx queue id */
	uint64_t tx_pending; /* bit p: tx[p] holds packets */
	bool profiled;       /* this loop ran a profiled burst: time its tx */
	struct tx_buffer tx[RTE_MAX_ETHPORTS];
	struct worker_stats stats;
	uint64_t mac_cache_generation; /* of the MAC table the cache reflects */
	uint64_t sessions_expired_at; /* TSC of the last ct_expire() */
	uint64_t expire_interval;     /* TSC cycles between ct_expire() calls */
	struct mac_cache_bucket mac_cache[MAC_CACHE_BUCKETS];
	struct port_counters port[RTE_MAX_ETHPORTS];
	struct tenant_counters tenant[DP_MAX_TENANTS];
	/* By dp_sg_attachment.counter */
	struct sg_verdict_counters sg[DP_MAX_TENANTS * DP_MAX_LOCAL];
	struct flow_cache flow_cache;
};

/* The punt reason and VTEP index travel in the mbuf's metadata. */
static inline void punt_set(struct rte_mbuf *m, enum punt_reason reason, uint16_t vtep)
{
	m->hash.usr = (uint32_t)reason << 16 | vtep;
}

static inline enum punt_reason punt_reason_of(const struct rte_mbuf *m)
{
	return m->hash.usr >> 16;
}

static inline uint16_t punt_vtep_of(const struct rte_mbuf *m)
{
	return m->hash.usr & 0xffff;
}

/* lcore entry point: arg is a struct worker. Returns when dp->stop is set. */
int worker_main(void *arg);

/* Runs one received burst of port_id through the pipeline (exposed for
 * unit tests, which call it without launching lcores). */
void worker_process_burst(struct worker *w, const struct dp_tables *t, uint16_t port_id,
			  struct rte_mbuf **pkts, uint16_t n, uint64_t now);

/* Sends what the worker buffered for every port. */
void worker_flush(struct worker *w);
