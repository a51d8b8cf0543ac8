/* Per-worker counters: each worker writes only its own, readers sum them.
 * Plain 64-bit stores are atomic on the platforms DPDK supports. */
#pragma once

#include <stdint.h>

#include <rte_common.h>

#include "dataplane/drop_reason.h"

struct port_counters {
	uint64_t rx;
	uint64_t tx;
	uint64_t drop[DROP_REASON_MAX];
} __rte_cache_aligned;

struct tenant_counters {
	uint64_t rx;      /* frames classified to the tenant */
	uint64_t tx;      /* frames sent for the tenant (each flood copy counts) */
	uint64_t flooded; /* frames flooded (broadcast, multicast, unknown unicast) */
	uint64_t drop[DROP_REASON_MAX];
} __rte_cache_aligned;

/* Security-group verdicts of one filtered attachment, both directions. */
struct sg_verdict_counters {
	uint64_t accepted; /* by a session or a rule (or the default action) */
	uint64_t dropped;  /* by a drop rule or default */
	uint64_t rejected; /* by a reject rule or default: answered with RST or unreachable */
	uint64_t invalid;  /* not valid in its session's TCP state */
};

enum worker_stage {
	STAGE_PARSE,
	STAGE_CLASSIFY,
	STAGE_LOOKUP,
	STAGE_SECURITY,
	STAGE_REWRITE,
	STAGE_TX,
	STAGE_MAX,
};

const char *worker_stage_name(enum worker_stage stage);

struct worker_stats {
	uint64_t packets;     /* received */
	uint64_t cycles;      /* TSC cycles in the loop since start */
	uint64_t busy_cycles; /* TSC cycles in iterations that received packets */
	uint64_t stage_cycles[STAGE_MAX]; /* over the profiled bursts only */
	uint64_t profiled_packets;        /* packets of the profiled bursts */
	uint64_t bursts;
	uint64_t learn_dropped; /* learn events lost to a full ring */
	uint64_t mac_lookups;     /* MAC keys looked up (two per packet) */
	uint64_t mac_cache_misses; /* of those, the ones the MAC cache missed */
	uint64_t flow_cache_hits;  /* packets the security flow cache decided */
} __rte_cache_aligned;
