/* Session tables (creation, expiry and removal by the owning worker, bulk
 * lookups by every worker, the control thread's walk) and the state
 * machines. */
#include <errno.h>

#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_tcp.h>

#include "dataplane/conntrack.h"
#include "dataplane/tables.h"

/* Once this many removals wait for their grace period, each further
 * removal also frees the ones whose period has ended, at most this many. */
#define CT_RECLAIM_BATCH 32

/* The TCP flags the state machine looks at; the others (PSH, URG, ECE,
 * CWR) may come with any of them. */
#define TCP_TRACKED_FLAGS \
	(RTE_TCP_FIN_FLAG | RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG)

/* rte_hash frees a removed key's slot after its grace period, and with it
 * the session entry (session_free()), but only from inside the owner's
 * rte_hash_add_key_data() and rte_hash_del_key(): DPDK 22.11 has no call
 * to reclaim on demand. So a table has one entry more than hash slots:
 * ct_create() always finds a free entry, and when no slot is free,
 * rte_hash_add_key_data() reclaims the slots (and entries) whose grace
 * period has ended before it gives up. */
struct ct_table {
	struct rte_hash *hash;       /* key: struct ct_key, data: struct ct_session * */
	struct ct_session *sessions; /* n_entries entries */
	uint32_t n_entries;          /* hash slots + 1 */
	uint32_t n_free;
	uint32_t *free;       /* indexes of the free entries: a stack */
	uint32_t expire_next; /* the entry ct_expire() examines next */
	/* Live sessions per tenant slot: stored by the owner, loaded by all. */
	uint32_t tenant_sessions[DP_MAX_TENANTS];
};

/* rte_hash's callback once no reader can still hold the session. */
static void session_free(void *table, void *session)
{
	struct ct_table *t = table;
	const struct ct_session *s = session;

	t->free[t->n_free++] = s - t->sessions;
}

struct ct_table *ct_table_create(const char *name, uint32_t capacity, struct rte_rcu_qsbr *rcu,
				 int socket_id)
{
	/* EXT_TABLE: every slot is usable, however the keys hash. */
	struct rte_hash_parameters params = {
		.name = name,
		.entries = capacity,
		.key_len = sizeof(struct ct_key),
		.hash_func = rte_hash_crc, /* ct_lookup_bulk() hashes with it too */
		.socket_id = socket_id,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF | RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct rte_hash_rcu_config rcu_config = {
		.v = rcu,
		.mode = RTE_HASH_QSBR_MODE_DQ,
		.trigger_reclaim_limit = CT_RECLAIM_BATCH,
		.max_reclaim_size = CT_RECLAIM_BATCH,
		.free_key_data_func = session_free,
	};
	struct ct_table *t;

	t = rte_zmalloc_socket(name, sizeof(*t), RTE_CACHE_LINE_SIZE, socket_id);
	if (t == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	t->hash = rte_hash_create(&params); /* checks capacity */
	if (t->hash == NULL) {
		ct_table_free(t);
		return NULL;
	}
	t->n_entries = capacity + 1;
	t->sessions = rte_zmalloc_socket(name, t->n_entries * sizeof(*t->sessions),
					 RTE_CACHE_LINE_SIZE, socket_id);
	t->free = rte_malloc_socket(name, t->n_entries * sizeof(*t->free), 0, socket_id);
	if (t->sessions == NULL || t->free == NULL) {
		ct_table_free(t);
		rte_errno = ENOMEM;
		return NULL;
	}
	rcu_config.key_data_ptr = t;
	if (rte_hash_rcu_qsbr_add(t->hash, &rcu_config) != 0) {
		ct_table_free(t);
		rte_errno = ENOMEM;
		return NULL;
	}
	for (uint32_t i = 0; i < t->n_entries; i++) {
		t->sessions[i].version = 1; /* odd: free */
		t->free[i] = t->n_entries - 1 - i; /* entry 0 on top */
	}
	t->n_free = t->n_entries;
	return t;
}

void ct_table_free(struct ct_table *t)
{
	if (t == NULL)
		return;
	/* First: freeing the hash frees the waiting removals into t->free. */
	rte_hash_free(t->hash);
	rte_free(t->free);
	rte_free(t->sessions);
	rte_free(t);
}

void ct_lookup_bulk(struct ct_table *const *tables, unsigned n_tables, unsigned own,
		    const struct ct_key *keys, unsigned n, struct ct_session **found)
{
	/* The keys still missing, compacted after each table. */
	const void *missing[CT_LOOKUP_MAX];
	hash_sig_t sigs[CT_LOOKUP_MAX];
	uint8_t index[CT_LOOKUP_MAX]; /* into keys */
	void *data[CT_LOOKUP_MAX];
	unsigned n_missing = n;

	RTE_ASSERT(n <= CT_LOOKUP_MAX);
	for (unsigned i = 0; i < n; i++) {
		missing[i] = &keys[i];
		/* Once for all tables: they all hash with rte_hash_crc, seed 0. */
		sigs[i] = rte_hash_crc(&keys[i], sizeof(keys[i]), 0);
		index[i] = i;
		found[i] = NULL;
	}
	for (unsigned k = 0; k < n_tables && n_missing > 0; k++) {
		const struct ct_table *t = tables[(own + k) % n_tables];
		uint64_t hits = 0;
		unsigned still = 0;

		rte_hash_lookup_with_hash_bulk_data(t->hash, missing, sigs, n_missing, &hits, data);
		for (unsigned i = 0; i < n_missing; i++) {
			if (hits & (1ull << i)) {
				found[index[i]] = data[i];
				continue;
			}
			missing[still] = missing[i];
			sigs[still] = sigs[i];
			index[still] = index[i];
			still++;
		}
		n_missing = still;
	}
}

uint32_t ct_tenant_sessions(struct ct_table *const *tables, unsigned n_tables, uint16_t tenant)
{
	uint32_t n = 0;

	for (unsigned i = 0; i < n_tables; i++)
		n += __atomic_load_n(&tables[i]->tenant_sessions[tenant], __ATOMIC_RELAXED);
	return n;
}

/* Counts a session of tenant in or out of t (owner only: a plain
 * read-modify-write, stored atomically for the other workers). */
static void tenant_count(struct ct_table *t, uint16_t tenant, int delta)
{
	__atomic_store_n(&t->tenant_sessions[tenant], t->tenant_sessions[tenant] + delta,
			 __ATOMIC_RELAXED);
}

struct ct_session *ct_create(struct ct_table *const *tables, unsigned n_tables, unsigned own,
			     const struct ct_open *open, uint32_t tenant_max_sessions,
			     uint64_t now)
{
	struct ct_table *t = tables[own];
	const struct ct_key *key = open->key;
	struct ct_session *s;
	void *existing;

	if (rte_hash_lookup_data(t->hash, key, &existing) >= 0)
		return existing;
	if (tenant_max_sessions != 0 &&
	    ct_tenant_sessions(tables, n_tables, key->tenant) >= tenant_max_sessions) {
		rte_errno = EDQUOT;
		return NULL;
	}
	RTE_ASSERT(t->n_free > 0);
	s = &t->sessions[t->free[--t->n_free]];
	/* For ct_table_walk(): the odd version stored when the entry was last
	 * removed is visible before any of the writes below. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	s->key = *key;
	s->last_seen = now;
	s->policy_generation = open->policy_generation;
	s->sides = open->sides;
	s->state = open->state;
	s->initiator = open->initiator;
	/* rte_hash publishes s with a release store: complete before found. */
	if (rte_hash_add_key_data(t->hash, key, s) < 0) {
		t->free[t->n_free++] = s - t->sessions;
		rte_errno = ENOSPC;
		return NULL;
	}
	__atomic_store_n(&s->version, s->version + 1, __ATOMIC_RELEASE);
	tenant_count(t, key->tenant, +1);
	return s;
}

/* Removes a live session of t; its entry is freed after a grace period. */
static void session_remove(struct ct_table *t, struct ct_session *s)
{
	tenant_count(t, s->key.tenant, -1);
	__atomic_store_n(&s->version, s->version + 1, __ATOMIC_RELAXED);
	rte_hash_del_key(t->hash, &s->key);
}

static uint64_t session_timeout(uint8_t proto, enum ct_state state,
				const struct ct_timeouts *timeouts)
{
	if (state == CT_CLOSED)
		return timeouts->tcp_transitory;
	switch (proto) {
	case IPPROTO_TCP:
		switch (state) {
		case CT_ESTABLISHED:
		case CT_FIN_BY_INITIATOR: /* half-closed: may stay quiet as long */
		case CT_FIN_BY_RESPONDER:
			return timeouts->tcp_established;
		default:
			return timeouts->tcp_transitory;
		}
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return timeouts->icmp;
	default:
		return timeouts->udp;
	}
}

bool ct_session_expired(const struct ct_session *s, uint64_t now,
			const struct ct_timeouts *timeouts)
{
	uint64_t timeout =
		session_timeout(s->key.proto, __atomic_load_n(&s->state, __ATOMIC_RELAXED), timeouts);

	/* Signed: another worker may have stamped last_seen after now was read. */
	return (int64_t)(now - __atomic_load_n(&s->last_seen, __ATOMIC_RELAXED)) > (int64_t)timeout;
}

unsigned ct_expire(struct ct_table *t, uint64_t now, const struct ct_timeouts *timeouts,
		   unsigned budget)
{
	unsigned removed = 0;

	for (unsigned n = RTE_MIN(budget, t->n_entries); n > 0; n--) {
		struct ct_session *s = &t->sessions[t->expire_next];

		if (++t->expire_next == t->n_entries)
			t->expire_next = 0;
		if ((s->version & 1) == 0 &&
		    ct_session_expired(s, now, &timeouts[s->key.tenant])) {
			session_remove(t, s);
			removed++;
		}
	}
	return removed;
}

/* A SYN (with tcp_flags masked to TCP_TRACKED_FLAGS, no RST). */
static enum ct_state tcp_next_syn(enum ct_state s, bool from_initiator, uint8_t tcp_flags)
{
	if (tcp_flags & RTE_TCP_FIN_FLAG)
		return CT_INVALID;
	if (tcp_flags & RTE_TCP_ACK_FLAG) { /* SYN-ACK, maybe retransmitted */
		if (!from_initiator && (s == CT_SYN_SENT || s == CT_SYN_RECV))
			return CT_SYN_RECV;
		return CT_INVALID;
	}
	if (!from_initiator)
		return CT_INVALID;
	switch (s) {
	case CT_NONE:
	case CT_SYN_SENT: /* retransmitted */
	case CT_CLOSING:  /* the initiator opens the same ports again */
		return CT_SYN_SENT;
	case CT_SYN_RECV: /* retransmitted: the SYN-ACK was lost */
		return CT_SYN_RECV;
	default:
		return CT_INVALID;
	}
}

/* A segment with ACK and without SYN or RST. */
static enum ct_state tcp_next_ack(enum ct_state s, bool from_initiator, bool fin)
{
	switch (s) {
	case CT_SYN_RECV:
		if (!from_initiator) /* data before the handshake completes */
			return CT_INVALID;
		return fin ? CT_FIN_BY_INITIATOR : CT_ESTABLISHED;
	case CT_ESTABLISHED:
		if (!fin)
			return CT_ESTABLISHED;
		return from_initiator ? CT_FIN_BY_INITIATOR : CT_FIN_BY_RESPONDER;
	case CT_FIN_BY_INITIATOR:
		return fin && !from_initiator ? CT_CLOSING : s;
	case CT_FIN_BY_RESPONDER:
		return fin && from_initiator ? CT_CLOSING : s;
	case CT_CLOSING:
		return CT_CLOSING;
	default: /* no session, no SYN-ACK yet, or CLOSED */
		return CT_INVALID;
	}
}

enum ct_state ct_tcp_next(enum ct_state s, bool from_initiator, uint8_t tcp_flags)
{
	const uint8_t flags = tcp_flags & TCP_TRACKED_FLAGS;

	if (flags & RTE_TCP_RST_FLAG)
		return s == CT_NONE ? CT_INVALID : CT_CLOSED;
	if (flags & RTE_TCP_SYN_FLAG)
		return tcp_next_syn(s, from_initiator, flags);
	if ((flags & RTE_TCP_ACK_FLAG) == 0) /* every segment after the SYN has it */
		return CT_INVALID;
	return tcp_next_ack(s, from_initiator, flags & RTE_TCP_FIN_FLAG);
}

void ct_table_walk(const struct ct_table *t, int (*fn)(const struct ct_session *s, void *ctx),
		   void *ctx)
{
	for (uint32_t i = 0; i < t->n_entries; i++) {
		const struct ct_session *s = &t->sessions[i];
		uint32_t version = __atomic_load_n(&s->version, __ATOMIC_ACQUIRE);
		struct ct_session copy;

		if (version & 1)
			continue;
		copy.key = s->key;
		copy.initiator = s->initiator;
		copy.version = version;
		copy.state = __atomic_load_n(&s->state, __ATOMIC_RELAXED);
		copy.last_seen = __atomic_load_n(&s->last_seen, __ATOMIC_RELAXED);
		copy.policy_generation = __atomic_load_n(&s->policy_generation, __ATOMIC_RELAXED);
		copy.sides = __atomic_load_n(&s->sides, __ATOMIC_RELAXED);
		/* The copy is complete before version is read again. */
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&s->version, __ATOMIC_RELAXED) != version)
			continue; /* removed, maybe reused, while copied */
		if (fn(&copy, ctx) != 0)
			return;
	}
}
