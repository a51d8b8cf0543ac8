/* The packet pipeline: parse -> classify -> lookup -> forward/rewrite -> tx,
 * each stage a loop over the whole burst so lookups are done in bulk. */
#include <rte_cycles.h>
#include <rte_hash_crc.h>
#include <rte_lcore.h>

#include "dataplane/parse.h"
#include "dataplane/worker.h"

/* A source MAC's last_seen is refreshed at most this often (1/16 s), so
 * workers do not keep writing the same cache line. */
#define LAST_SEEN_REFRESH_SHIFT 4
/* Idle polls before a worker sleeps. */
#define IDLE_POLLS_BEFORE_SLEEP 256

static const char *const stage_names[STAGE_MAX] = {
	[STAGE_PARSE] = "parse",
	[STAGE_CLASSIFY] = "classify",
	[STAGE_LOOKUP] = "lookup",
	[STAGE_REWRITE] = "rewrite",
	[STAGE_TX] = "tx",
};

const char *worker_stage_name(enum worker_stage stage)
{
	return stage < STAGE_MAX ? stage_names[stage] : "unknown";
}

/* Packets still alive in the current burst, and the ones to free. */
struct burst {
	uint16_t n;
	struct rte_mbuf *pkts[WORKER_BURST];
	uint16_t n_free;
	struct rte_mbuf *free[WORKER_BURST * (DP_MAX_LOCAL + DP_MAX_REMOTE)];
};

static void drop(struct worker *w, struct burst *b, struct rte_mbuf *m, uint16_t port_id,
		 uint16_t slot, enum drop_reason reason)
{
	w->port[port_id].drop[reason]++;
	if (slot != DP_NO_TENANT)
		w->tenant[slot].drop[reason]++;
	b->free[b->n_free++] = m;
}

static void tx_flush_port(struct worker *w, uint16_t port_id)
{
	struct tx_buffer *buf = &w->tx[port_id];
	uint16_t sent = rte_eth_tx_burst(port_id, w->index, buf->pkts, buf->n);

	w->port[port_id].tx += sent;
	if (sent < buf->n) {
		w->port[port_id].drop[DROP_TX_FULL] += buf->n - sent;
		rte_pktmbuf_free_bulk(&buf->pkts[sent], buf->n - sent);
	}
	buf->n = 0;
	w->tx_pending &= ~(1ull << port_id);
}

static void tx_enqueue(struct worker *w, uint16_t port_id, struct rte_mbuf *m)
{
	struct tx_buffer *buf = &w->tx[port_id];

	buf->pkts[buf->n++] = m;
	w->tx_pending |= 1ull << port_id;
	if (buf->n == RTE_DIM(buf->pkts))
		tx_flush_port(w, port_id);
}

void worker_flush(struct worker *w)
{
	while (w->tx_pending != 0)
		tx_flush_port(w, __builtin_ctzll(w->tx_pending));
}

static inline bool is_bad_src_mac(const struct rte_ether_addr *a)
{
	return rte_is_multicast_ether_addr(a) || rte_is_zero_ether_addr(a);
}

/* Stage classify, access port: (port, VLAN) -> tenant. */
static void classify_access(struct worker *w, const struct dp_tables *t, uint16_t port_id,
			    struct burst *b)
{
	const struct dp_port *port = &t->ports[port_id];
	uint16_t kept = 0;

	for (uint16_t i = 0; i < b->n; i++) {
		struct rte_mbuf *m = b->pkts[i];
		struct pkt_meta *meta = pkt_meta(m);
		const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
		uint16_t slot;

		if (meta->n_tags > 1) {
			drop(w, b, m, port_id, DP_NO_TENANT, DROP_DOUBLE_TAGGED);
			continue;
		}
		slot = port->vlan_tenant[meta->vlan];
		if (slot == DP_NO_TENANT) {
			drop(w, b, m, port_id, DP_NO_TENANT,
			     meta->vlan ? DROP_VLAN_UNKNOWN : DROP_NO_TENANT);
			continue;
		}
		meta->tenant = slot;
		w->tenant[slot].rx++;
		if (is_bad_src_mac(&eth->src_addr)) {
			drop(w, b, m, port_id, slot, DROP_BAD_SRC_MAC);
			continue;
		}
		if (port->vlan_security[meta->vlan] != DP_NO_SECURITY) {
			enum drop_reason why = port_security_check(
				&t->security[port->vlan_security[meta->vlan]], m, meta);

			if (why != DROP_REASON_MAX) {
				drop(w, b, m, port_id, slot, why);
				continue;
			}
		}
		b->pkts[kept++] = m;
	}
	b->n = kept;
}

/* The remote VTEP index of src_ip among the tenant's VTEPs, or DP_NO_VTEP. */
static uint16_t tenant_vtep_find(const struct dp_tables *t, const struct dp_tenant *tn,
				 uint32_t src_ip)
{
	for (uint16_t i = 0; i < tn->n_remote; i++)
		if (t->vteps[tn->remote[i]].ip == src_ip)
			return tn->remote[i];
	return DP_NO_VTEP;
}

/* Stage classify, uplink: ARP to the control thread, VXLAN VNI -> tenant. */
static void classify_uplink(struct worker *w, const struct dp_tables *t, uint16_t port_id,
			    struct burst *b)
{
	uint16_t kept = 0;

	for (uint16_t i = 0; i < b->n; i++) {
		struct rte_mbuf *m = b->pkts[i];
		struct pkt_meta *meta = pkt_meta(m);
		const struct rte_ipv4_hdr *ip;
		const struct rte_ether_hdr *inner;
		const struct dp_tenant *tn;
		uint16_t slot;

		if (meta->ethertype == RTE_BE16(RTE_ETHER_TYPE_ARP)) {
			punt_set(m, PUNT_ARP, DP_NO_VTEP);
			if (rte_ring_mp_enqueue(w->dp->punt_ring, m) != 0)
				drop(w, b, m, port_id, DP_NO_TENANT, DROP_PUNT_FULL);
			continue;
		}
		ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, meta->l3_off);
		if (meta->inner_off == 0 || meta->n_tags != 0 || ip->dst_addr != t->local_ip) {
			drop(w, b, m, port_id, DP_NO_TENANT, DROP_NOT_FOR_VTEP);
			continue;
		}
		slot = dp_vni_tenant(t, meta->vni);
		if (slot == DP_NO_TENANT) {
			drop(w, b, m, port_id, DP_NO_TENANT, DROP_VNI_UNKNOWN);
			continue;
		}
		tn = &t->tenants[slot];
		meta->tenant = slot;
		w->tenant[slot].rx++;
		meta->vtep = tenant_vtep_find(t, tn, ip->src_addr);
		if (meta->vtep == DP_NO_VTEP && tn->vtep_filter) {
			drop(w, b, m, port_id, slot, DROP_VTEP_UNKNOWN);
			continue;
		}
		inner = rte_pktmbuf_mtod_offset(m, const struct rte_ether_hdr *, meta->inner_off);
		if (inner->ether_type == RTE_BE16(RTE_ETHER_TYPE_VLAN) ||
		    inner->ether_type == RTE_BE16(RTE_ETHER_TYPE_QINQ)) {
			drop(w, b, m, port_id, slot, DROP_INNER_TAGGED);
			continue;
		}
		if (is_bad_src_mac(&inner->src_addr)) {
			drop(w, b, m, port_id, slot, DROP_BAD_SRC_MAC);
			continue;
		}
		b->pkts[kept++] = m;
	}
	b->n = kept;
}

/* Hash of the inner flow (addresses and ports), for the outer UDP source port. */
static uint32_t flow_hash(const struct rte_mbuf *m, const struct pkt_meta *meta)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint64_t addrs;
	uint32_t ports, h;

	/* memcpy: headers after an odd-length L2 header are not aligned. */
	if (meta->ethertype == RTE_BE16(RTE_ETHER_TYPE_IPV4)) {
		memcpy(&addrs, p + meta->l3_off + 12, sizeof(addrs));
		h = rte_hash_crc_8byte(addrs, 0);
	} else if (meta->ethertype == RTE_BE16(RTE_ETHER_TYPE_IPV6)) {
		h = rte_hash_crc(p + meta->l3_off + 8, 32, 0);
	} else {
		return rte_hash_crc(p, 2 * RTE_ETHER_ADDR_LEN, 0);
	}
	if (meta->l4_off != 0 &&
	    (meta->l4_proto == IPPROTO_UDP || meta->l4_proto == IPPROTO_TCP)) {
		memcpy(&ports, p + meta->l4_off, sizeof(ports));
		h = rte_hash_crc_4byte(ports, h);
	}
	return h;
}

/* Makes the frame carry VLAN want (0: untagged); tagged says whether it
 * carries one now. Returns false when there is no headroom for a tag. */
static bool vlan_rewrite(struct rte_mbuf *m, bool tagged, uint16_t want)
{
	struct rte_vlan_hdr *tag;
	uint8_t *p;

	if (tagged && want != 0) {
		p = rte_pktmbuf_mtod(m, uint8_t *);
		/* A single 802.1ad tag leaves as 802.1Q: access ports speak 802.1Q. */
		*(uint16_t *)(p + 2 * RTE_ETHER_ADDR_LEN) = RTE_BE16(RTE_ETHER_TYPE_VLAN);
		tag = (struct rte_vlan_hdr *)(p + RTE_ETHER_HDR_LEN);
		tag->vlan_tci = rte_cpu_to_be_16((rte_be_to_cpu_16(tag->vlan_tci) & 0xf000) | want);
		return true;
	}
	if (tagged) {
		p = rte_pktmbuf_mtod(m, uint8_t *);
		memmove(p + sizeof(*tag), p, 2 * RTE_ETHER_ADDR_LEN);
		rte_pktmbuf_adj(m, sizeof(*tag));
		return true;
	}
	if (want == 0)
		return true;
	p = (uint8_t *)rte_pktmbuf_prepend(m, sizeof(*tag));
	if (p == NULL)
		return false;
	memmove(p, p + sizeof(*tag), 2 * RTE_ETHER_ADDR_LEN);
	*(uint16_t *)(p + 2 * RTE_ETHER_ADDR_LEN) = RTE_BE16(RTE_ETHER_TYPE_VLAN);
	*(uint16_t *)(p + 2 * RTE_ETHER_ADDR_LEN + 2) = rte_cpu_to_be_16(want);
	return true;
}

/* Where a packet came from, for learning, split horizon and rewrites. */
struct ingress {
	uint16_t port_id;
	uint16_t vlan;
	bool uplink;
	bool tagged; /* the frame still carries its access-port tag */
	uint16_t slot;
	const struct pkt_meta *meta; /* offsets into the frame as received */
};

static void output_local(struct worker *w, struct burst *b, const struct dp_tables *t,
			 const struct ingress *in, struct rte_mbuf *m, const struct dp_attachment *out)
{
	/* A MAC entry may still name an attachment that a configuration
	 * change just gave to another tenant, or removed: never send there. */
	if (unlikely(t->ports[out->port_id].vlan_tenant[out->vlan] != in->slot)) {
		drop(w, b, m, in->port_id, in->slot, DROP_ATTACHMENT_GONE);
		return;
	}
	if (!vlan_rewrite(m, in->tagged, out->vlan)) {
		drop(w, b, m, in->port_id, in->slot, DROP_NO_MBUF);
		return;
	}
	w->tenant[in->slot].tx++;
	tx_enqueue(w, out->port_id, m);
}

static void output_remote(struct worker *w, struct burst *b, const struct dp_tables *t,
			  const struct ingress *in, struct rte_mbuf *m, uint16_t vtep_index)
{
	const struct dp_vtep *vtep = &t->vteps[vtep_index];
	uint32_t hash = flow_hash(m, in->meta);

	if (in->tagged)
		vlan_rewrite(m, true, 0);
	if (rte_pktmbuf_pkt_len(m) + VXLAN_OUTER_LEN - RTE_ETHER_HDR_LEN >
	    t->ports[t->uplink_port].mtu) {
		drop(w, b, m, in->port_id, in->slot, DROP_MTU_EXCEEDED);
		return;
	}
	if (!vxlan_encap(m, &vtep->outer, t->tenants[in->slot].vni, hash)) {
		drop(w, b, m, in->port_id, in->slot, DROP_NO_MBUF);
		return;
	}
	w->tenant[in->slot].tx++;
	if (likely(vtep->resolved)) {
		tx_enqueue(w, t->uplink_port, m);
		return;
	}
	/* The control thread holds it until ARP resolves the next hop. */
	punt_set(m, PUNT_NEIGHBOUR_WAIT, vtep_index);
	if (rte_ring_mp_enqueue(w->dp->punt_ring, m) != 0) {
		w->tenant[in->slot].tx--;
		drop(w, b, m, in->port_id, in->slot, DROP_PUNT_FULL);
	}
}

/* Broadcast, multicast and unknown unicast: a copy to every other local
 * attachment and, from access ports only (split horizon), to every remote
 * VTEP of the tenant (head-end replication). */
static void flood(struct worker *w, struct burst *b, const struct dp_tables *t,
		  const struct ingress *in, struct rte_mbuf *m)
{
	const struct dp_tenant *tn = &t->tenants[in->slot];
	uint16_t n_remote = in->uplink ? 0 : tn->n_remote;
	int targets = tn->n_local + n_remote;
	struct rte_mbuf *c;

	w->tenant[in->slot].flooded++;
	if (!in->uplink)
		targets--; /* the ingress attachment itself */
	for (uint16_t i = 0; i < tn->n_local + n_remote; i++) {
		const struct dp_attachment *a = i < tn->n_local ? &tn->local[i] : NULL;

		if (a != NULL && !in->uplink && a->port_id == in->port_id && a->vlan == in->vlan)
			continue;
		if (--targets == 0) {
			c = m;
		} else {
			c = rte_pktmbuf_copy(m, w->dp->pool, 0, UINT32_MAX);
			if (c == NULL) {
				w->port[in->port_id].drop[DROP_NO_MBUF]++;
				w->tenant[in->slot].drop[DROP_NO_MBUF]++;
				continue;
			}
		}
		if (a != NULL)
			output_local(w, b, t, in, c, a);
		else
			output_remote(w, b, t, in, c, tn->remote[i - tn->n_local]);
		if (c == m)
			return;
	}
	b->free[b->n_free++] = m; /* no other attachment: nothing to send */
}

/* A struct mac_key as its 8 bytes (little-endian: tenant id, then MAC). */
static inline uint64_t mac_key_make(uint16_t tenant_id, const struct rte_ether_addr *mac)
{
	uint32_t low;
	uint16_t high;

	/* Two register loads: a 6-byte memcpy into a u64 goes through the stack. */
	memcpy(&low, mac->addr_bytes, sizeof(low));
	memcpy(&high, mac->addr_bytes + sizeof(low), sizeof(high));
	return tenant_id | (uint64_t)low << 16 | (uint64_t)high << 48;
}

static inline bool mac_key_is_multicast(uint64_t key)
{
	return key & (1ull << 16); /* the group bit of the MAC's first byte */
}

/* Fibonacci hashing: the top 32 bits of key times 2^64/phi, the only
 * bits every bit of the key reaches. */
static inline uint32_t mac_cache_hash(uint64_t key)
{
	return (key * 0x9e3779b97f4a7c15ull) >> 32;
}

static inline struct mac_cache_bucket *mac_cache_bucket(struct worker *w, uint32_t hash)
{
	return &w->mac_cache[hash >> (32 - __builtin_ctz(MAC_CACHE_BUCKETS))];
}

static inline struct mac_entry *mac_cache_find(const struct mac_cache_bucket *b, uint64_t key)
{
	for (unsigned way = 0; way < MAC_CACHE_WAYS; way++)
		if (b->key[way] == key)
			return b->entry[way];
	return NULL;
}

/* Takes an empty way, else the one the hash's low bits pick. */
static inline void mac_cache_insert(struct mac_cache_bucket *b, uint32_t hash, uint64_t key,
				    struct mac_entry *e)
{
	unsigned way;

	for (way = 0; way < MAC_CACHE_WAYS; way++)
		if (b->key[way] == 0)
			break;
	if (way == MAC_CACHE_WAYS)
		way = hash % MAC_CACHE_WAYS;
	b->key[way] = key;
	b->entry[way] = e;
}

static inline void mac_cache_validate(struct worker *w)
{
	uint64_t generation = __atomic_load_n(&w->dp->macs->generation, __ATOMIC_ACQUIRE);

	if (unlikely(generation != w->mac_cache_generation)) {
		memset(w->mac_cache, 0, sizeof(w->mac_cache));
		w->mac_cache_generation = generation;
	}
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
		for (uint16_t k = 2 * i; k <= 2 * i + 1; k++) {
			key_hash[k] = mac_cache_hash(keys[k]);
			rte_prefetch0(mac_cache_bucket(w, key_hash[k]));
		}
	}
	for (uint16_t k = 0; k < 2 * b.n; k++) {
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

	if (profile)
		tsc[STAGE_REWRITE] = rte_rdtsc();
	for (uint16_t i = 0; i < b.n; i++) {
		struct rte_mbuf *m = b.pkts[i];
		const struct pkt_meta *meta = pkt_meta(m);
		struct mac_entry *dst = found[2 * i + 1];
		struct ingress in = {
			.port_id = port_id,
			.vlan = meta->vlan,
			.uplink = uplink,
			.tagged = !uplink && meta->n_tags != 0,
			.slot = meta->tenant,
			.meta = meta,
		};

		learn(w, keys[2 * i], found[2 * i], here[i], now);
		if (uplink)
			vxlan_decap(m, meta->l3_off, meta->inner_off);

		if (dst == NULL || mac_key_is_multicast(keys[2 * i + 1])) {
			flood(w, &b, t, &in, m);
			continue;
		}
		uint64_t loc = __atomic_load_n(&dst->location, __ATOMIC_ACQUIRE);
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
