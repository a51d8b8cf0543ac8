/* The packet pipeline: parse -> classify -> lookup -> forward/rewrite -> tx,
 * each stage a loop over the whole burst so lookups are done in bulk. */
#include <rte_cycles.h>
#include <rte_lcore.h>

#include "dataplane/parse.h"
#include "dataplane/mac_cache.h"
#include "dataplane/stage.h"
#include "dataplane/worker.h"

/* A source MAC's last_seen is refreshed at most this often (1/16 s), so
 * workers do not keep writing the same cache line. */
#define LAST_SEEN_REFRESH_SHIFT 4
/* MAC cache buckets prefetched ahead of the lookup (keys, two per packet). */
#define MAC_CACHE_PREFETCH_AHEAD 8
/* Sessions a worker examines for expiry every millisecond: its whole
 * table (1 << 17 sessions) in about half a second. */
#define SESSION_EXPIRE_BUDGET 256
#define SESSION_EXPIRE_PER_S 1000
/* Idle polls before a worker sleeps. */
#define IDLE_POLLS_BEFORE_SLEEP 256

static const char *const stage_names[STAGE_MAX] = {
	[STAGE_PARSE] = "parse",
	[STAGE_CLASSIFY] = "classify",
	[STAGE_LOOKUP] = "lookup",
	[STAGE_SECURITY] = "security",
	[STAGE_REWRITE] = "rewrite",
	[STAGE_TX] = "tx",
};

const char *worker_stage_name(enum worker_stage stage)
{
	return stage < STAGE_MAX ? stage_names[stage] : "unknown";
}

void worker_flush(struct worker *w)
{
	while (w->tx_pending != 0)
		tx_flush_port(w, __builtin_ctzll(w->tx_pending));
}

/* e is the table's entry for key (NULL if none): a new or moved MAC is
 * reported to the control thread; a confirmed one has its last_seen
 * refreshed (at most every 1/16 s). */
static void learn(struct worker *w, uint64_t key, struct mac_entry *e,
		  uint64_t here, uint64_t now)
{
	const uint64_t refresh = w->dp->tsc_hz >> LAST_SEEN_REFRESH_SHIFT;
	struct learn_event ev;

	if (e != NULL) {
		uint64_t loc = __atomic_load_n(&e->location, __ATOMIC_ACQUIRE);

		if (loc == here || e->is_static) {
			if ((int64_t)(now - e->last_seen) > (int64_t)refresh)
				__atomic_store_n(&e->last_seen, now, __ATOMIC_RELAXED);
			return;
		}
	}
	memcpy(&ev.key, &key, sizeof(ev.key));
	ev.location = here;
	if (rte_ring_mp_enqueue_elem(w->dp->learn_ring, &ev, sizeof(ev)) != 0)
		w->stats.learn_dropped++;
}

/* Where frames of m's source MAC come from. */
static inline uint64_t source_location(const struct rte_mbuf *m, const struct pkt_meta *meta,
				       uint16_t port_id, bool uplink)
{
	if (uplink) {
		const struct rte_ipv4_hdr *ip =
			rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, meta->l3_off);

		return mac_loc_remote(meta->vtep, ip->src_addr);
	}
	return mac_loc_local(port_id, meta->vlan);
}

void worker_process_burst(struct worker *w, const struct dp_tables *t, uint16_t port_id,
			  struct rte_mbuf **pkts, uint16_t n, uint64_t now)
{
	const bool uplink = t->ports[port_id].role == DP_PORT_UPLINK;
	/* Source and destination keys of packet i at 2i and 2i+1, as the 8 bytes
	 * of a struct mac_key: built in a register and stored once, since
	 * narrow stores read back as one word stall store forwarding. */
	uint64_t keys[2 * WORKER_BURST];
	struct mac_entry *found[2 * WORKER_BURST];
	uint32_t key_hash[2 * WORKER_BURST];
	const void *miss_keys[2 * WORKER_BURST];
	uint8_t miss_index[2 * WORKER_BURST]; /* into keys */
	void *entries[2 * WORKER_BURST];
	uint64_t here[WORKER_BURST];
	uint64_t dst_loc[WORKER_BURST];
	unsigned n_miss = 0;
	uint64_t hits = 0;
	const bool profile = (w->stats.bursts++ % WORKER_PROFILE_EVERY) == 0;
	uint64_t tsc[STAGE_TX + 1];
	struct burst b;

	if (profile)
		tsc[STAGE_PARSE] = rte_rdtsc();
	b.n = 0;
	b.n_free = 0;
	w->port[port_id].rx += n;
	if (unlikely(t->ports[port_id].role == DP_PORT_UNUSED)) {
		rte_pktmbuf_free_bulk(pkts, n);
		return;
	}
	for (uint16_t i = 0; i < n; i++) {
		if (likely(pkt_parse(pkts[i], pkt_meta(pkts[i]), uplink ? t->udp_port : 0)))
			b.pkts[b.n++] = pkts[i];
		else
			drop(w, &b, pkts[i], port_id, DP_NO_TENANT, DROP_MALFORMED);
	}

	if (profile)
		tsc[STAGE_CLASSIFY] = rte_rdtsc();
	if (uplink)
		classify_uplink(w, t, port_id, &b);
	else
		classify_access(w, t, port_id, &b);

	if (profile)
		tsc[STAGE_LOOKUP] = rte_rdtsc();
	mac_cache_validate(w);
	for (uint16_t i = 0; i < b.n; i++) {
		const struct pkt_meta *meta = pkt_meta(b.pkts[i]);
		const struct rte_ether_hdr *eth =
			rte_pktmbuf_mtod_offset(b.pkts[i], const struct rte_ether_hdr *, meta->inner_off);
		uint16_t id = t->tenants[meta->tenant].id;

		here[i] = source_location(b.pkts[i], meta, port_id, uplink);
		keys[2 * i] = mac_key_make(id, &eth->src_addr);
		keys[2 * i + 1] = mac_key_make(id, &eth->dst_addr);
		key_hash[2 * i] = mac_cache_hash(keys[2 * i]);
		key_hash[2 * i + 1] = mac_cache_hash(keys[2 * i + 1]);
	}
	/* Buckets are prefetched a fixed distance ahead: prefetching the whole
	 * burst at once overruns the core's outstanding-miss slots. */
	for (uint16_t k = 0; k < RTE_MIN(2 * b.n, MAC_CACHE_PREFETCH_AHEAD); k++)
		rte_prefetch0(mac_cache_bucket(w, key_hash[k]));
	for (uint16_t k = 0; k < 2 * b.n; k++) {
		if (k + MAC_CACHE_PREFETCH_AHEAD < 2 * b.n)
			rte_prefetch0(mac_cache_bucket(w, key_hash[k + MAC_CACHE_PREFETCH_AHEAD]));
		found[k] = mac_cache_find(mac_cache_bucket(w, key_hash[k]), keys[k]);
		if (found[k] != NULL) {
			rte_prefetch0(found[k]);
		} else {
			miss_index[n_miss] = k;
			miss_keys[n_miss++] = &keys[k];
		}
	}
	w->stats.mac_lookups += 2 * b.n;
	w->stats.mac_cache_misses += n_miss;
	if (n_miss != 0) {
		rte_hash_lookup_bulk_data(w->dp->macs->hash, miss_keys, n_miss, &hits, entries);
		for (unsigned j = 0; j < n_miss; j++) {
			const uint64_t *key = miss_keys[j];

			if (!((hits >> j) & 1))
				continue;
			found[miss_index[j]] = entries[j];
			mac_cache_insert(mac_cache_bucket(w, key_hash[miss_index[j]]), key_hash[miss_index[j]],
					 *key, entries[j]);
		}
	}

	/* Each destination's location is read once: security and rewrite must
	 * agree on it even if the MAC moves meanwhile. 0: flood. */
	for (uint16_t i = 0; i < b.n; i++) {
		const struct mac_entry *dst = found[2 * i + 1];

		dst_loc[i] = dst == NULL || mac_key_is_multicast(keys[2 * i + 1])
				     ? 0
				     : __atomic_load_n(&dst->location, __ATOMIC_ACQUIRE);
		if (uplink) {
			const struct pkt_meta *meta = pkt_meta(b.pkts[i]);

			vxlan_decap(b.pkts[i], meta->l3_off, meta->inner_off);
		}
	}

	if (profile)
		tsc[STAGE_SECURITY] = rte_rdtsc();
	if (t->sg_attachments != NULL) {
		const struct ingress in = {.port_id = port_id, .uplink = uplink};

		security_check(w, t, &in, &b, dst_loc, now);
	}

	if (profile)
		tsc[STAGE_REWRITE] = rte_rdtsc();
	for (uint16_t i = 0; i < b.n; i++) {
		struct rte_mbuf *m = b.pkts[i];

		if (m == NULL) /* consumed by the security stage */
			continue;
		const struct pkt_meta *meta = pkt_meta(m);
		const uint64_t loc = dst_loc[i];
		struct ingress in = {
			.port_id = port_id,
			.vlan = meta->vlan,
			.uplink = uplink,
			.tagged = !uplink && meta->n_tags != 0,
			.slot = meta->tenant,
			.meta = meta,
		};

		learn(w, keys[2 * i], found[2 * i], here[i], now);
		if (loc == 0) {
			flood(w, &b, t, &in, m);
			continue;
		}
		if ((loc & MAC_LOC_KIND_MASK) == MAC_LOC_LOCAL) {
			struct dp_attachment out = {mac_loc_port(loc), mac_loc_vlan(loc)};

			if (!uplink && out.port_id == port_id && out.vlan == meta->vlan)
				drop(w, &b, m, port_id, in.slot, DROP_SAME_PORT);
			else
				output_local(w, &b, t, &in, m, &out);
			continue;
		}
		if (uplink) {
			drop(w, &b, m, port_id, in.slot, DROP_SPLIT_HORIZON);
			continue;
		}
		uint16_t vtep = mac_loc_vtep_index(loc);
		if (vtep >= t->n_vteps || t->vteps[vtep].ip != mac_loc_vtep_ip(loc))
			vtep = dp_vtep_find(t, mac_loc_vtep_ip(loc));
		if (vtep == DP_NO_VTEP)
			drop(w, &b, m, port_id, in.slot, DROP_NO_NEIGHBOUR);
		else
			output_remote(w, &b, t, &in, m, vtep);
	}

	if (profile)
		tsc[STAGE_TX] = rte_rdtsc();
	if (b.n_free != 0)
		rte_pktmbuf_free_bulk(b.free, b.n_free);
	if (!profile)
		return;
	for (int s = STAGE_PARSE; s < STAGE_TX; s++)
		w->stats.stage_cycles[s] += tsc[s + 1] - tsc[s];
	w->stats.profiled_packets += n;
	w->profiled = true;
}

/* Worker 0 sends what the control thread queued. */
static unsigned control_tx_drain(struct worker *w)
{
	struct rte_mbuf *pkts[WORKER_BURST];
	unsigned n = rte_ring_sc_dequeue_burst(w->dp->control_tx_ring, (void **)pkts, WORKER_BURST, NULL);

	for (unsigned i = 0; i < n; i++)
		tx_enqueue(w, pkts[i]->port, pkts[i]);
	return n;
}

int worker_main(void *arg)
{
	struct worker *w = arg;
	struct dataplane *dp = w->dp;
	struct rte_mbuf *pkts[WORKER_BURST];
	uint64_t start = rte_rdtsc();
	unsigned idle = 0;

	w->expire_interval = dp->tsc_hz / SESSION_EXPIRE_PER_S;
	rte_rcu_qsbr_thread_register(dp->rcu, w->index);
	rte_rcu_qsbr_thread_online(dp->rcu, w->index);
	while (!dp->stop) {
		const struct dp_tables *t = __atomic_load_n(&dp->tables, __ATOMIC_ACQUIRE);
		uint64_t now = rte_rdtsc();
		uint64_t tx_start, end;
		unsigned got = 0;

		const struct dp_worker_rxqs *rxqs = &t->workers[w->index];

		for (uint16_t q = 0; q < rxqs->n; q++) {
			uint16_t port_id = rxqs->rxq[q].port_id;
			uint16_t n = rte_eth_rx_burst(port_id, rxqs->rxq[q].queue_id, pkts, WORKER_BURST);

			if (n == 0)
				continue;
			got += n;
			worker_process_burst(w, t, port_id, pkts, n, now);
		}
		if (w->index == 0 && !rte_ring_empty(dp->control_tx_ring))
			idle = control_tx_drain(w) != 0 ? 0 : idle;
		tx_start = w->profiled ? rte_rdtsc() : 0;
		worker_flush(w);
		end = rte_rdtsc();
		if (w->profiled) {
			w->stats.stage_cycles[STAGE_TX] += end - tx_start;
			w->profiled = false;
		}
		if (t->sg_attachments != NULL && now - w->sessions_expired_at > w->expire_interval) {
			ct_expire(dp->sessions[w->index], now, t->ct_timeouts, SESSION_EXPIRE_BUDGET);
			w->sessions_expired_at = now;
		}
		rte_rcu_qsbr_quiescent(dp->rcu, w->index);
		w->stats.cycles = end - start;
		if (got != 0) {
			w->stats.packets += got;
			w->stats.busy_cycles += end - now;
			idle = 0;
		} else if (dp->idle_sleep_us != 0 && ++idle > IDLE_POLLS_BEFORE_SLEEP) {
			/* Offline while asleep, so grace periods need not wait for us. */
			rte_rcu_qsbr_thread_offline(dp->rcu, w->index);
			rte_delay_us_sleep(dp->idle_sleep_us);
			rte_rcu_qsbr_thread_online(dp->rcu, w->index);
		}
	}
	worker_flush(w);
	rte_rcu_qsbr_thread_offline(dp->rcu, w->index);
	rte_rcu_qsbr_thread_unregister(dp->rcu, w->index);
	return 0;
}
