/* Connection tracking for the stateful security groups: the session tables
 * and the per-protocol state machines.
 *
 * One table per worker, read by every worker. The two directions of a
 * connection usually arrive on different ports, so on different workers:
 * a worker creates sessions in its own table only, and is the only thread
 * that adds or removes keys there (rte_hash in single-writer lock-free
 * mode, RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF: no writer lock), while all
 * workers read all tables without locks. A burst is looked up in the
 * worker's own table first, then its misses in the other tables
 * (ct_lookup_bulk()). Two workers that open the same connection at the same
 * moment may each create a session for it; each then finds its own first,
 * which is harmless.
 *
 * Deferred frees: a removed session's hash slot and entry are reused only
 * after every worker has reported a quiescent state on the table's QSBR
 * variable (rte_hash_rcu_qsbr_add()), so a session pointer a worker found
 * stays valid until the end of its burst even if the owner removes the
 * session meanwhile.
 *
 * Concurrent updates: two workers may move one session at once (each sees
 * one direction), so the state changes only by compare-exchange; last_seen
 * is a relaxed store made at most every refresh interval so that the
 * session's cache line is not written by every packet; the rest is set
 * before the session is published and changes only by atomic stores.
 *
 * Removal: only the owner removes, in ct_expire(), which it calls every
 * loop. A session that a rule change denies is killed (ct_kill(), any
 * thread): it turns CLOSED, refuses every further packet, and its owner
 * removes it once it has been idle for tcp_transitory.
 *
 * Not tracked: TCP sequence numbers and windows (a RST with any sequence
 * number closes), ICMP errors related to a session, TCP simultaneous open. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <netinet/in.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_hash.h>
#include <rte_rcu_qsbr.h>

/* Keys per ct_lookup_bulk() call. */
#define CT_LOOKUP_MAX RTE_HASH_LOOKUP_BULK_MAX

/* The two endpoints of a key: a sorts before b (ct_key_make()). */
enum ct_side {
	CT_SIDE_A,
	CT_SIDE_B,
};

/* A connection, the same for both directions: endpoint a is the smaller of
 * the two (address, port) pairs, comparing addresses as numbers. */
struct ct_key {
	uint16_t tenant;    /* tenant slot */
	uint8_t proto;      /* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_ICMPV6 */
	uint8_t family;     /* 4 or 6 */
	uint16_t port_a;    /* host order; ICMP echo: see ct_key_make() */
	uint16_t port_b;
	uint8_t addr_a[16]; /* network order; IPv4 in the first 4 bytes, the rest zero */
	uint8_t addr_b[16];
};

/* Session states. UDP and ICMP echo sessions (pseudo-connections) use
 * NEW, ESTABLISHED and CLOSED; TCP sessions all but NEW. */
enum ct_state {
	CT_NONE,             /* no session yet: the state an opening packet starts from */
	CT_NEW,              /* UDP, ICMP echo: only the initiator has sent */
	CT_SYN_SENT,         /* TCP: the initiator's SYN */
	CT_SYN_RECV,         /* TCP: the responder's SYN-ACK */
	CT_ESTABLISHED,      /* TCP: the initiator's ACK of that; UDP, ICMP: a reply */
	CT_FIN_BY_INITIATOR, /* TCP: the initiator has sent FIN, the responder not yet */
	CT_FIN_BY_RESPONDER, /* TCP: the responder has sent FIN, the initiator not yet */
	CT_CLOSING,          /* TCP: both have sent FIN */
	CT_CLOSED,           /* TCP: RST; any protocol: killed by a rule change */
	CT_INVALID,          /* not a state: the packet does not fit the session */
};

/* Idle time after which a session is removed, per kind, in TSC cycles
 * (configured per tenant). */
struct ct_timeouts {
	uint64_t tcp_transitory;  /* TCP opening or closing; CLOSED sessions of any protocol */
	uint64_t tcp_established; /* TCP established or half-closed (one FIN) */
	uint64_t udp;             /* UDP and any other protocol tracked without state */
	uint64_t icmp;            /* ICMP and ICMPv6 echo */
};

/* A session. Workers read it through pointers from ct_lookup_bulk() and
 * change it only through the functions below. */
struct ct_session {
	struct ct_key key;          /* set at creation */
	uint64_t last_seen;         /* TSC of the last accepted packet, give or take refresh_cycles */
	uint32_t policy_generation; /* of the rules that last accepted it (ct_session_stale()) */
	/* The filtered attachments (dp_sg_attachment indexes, DP_NO_SG for
	 * none) the rules checked it between, in its opening direction: from
	 * << 16 | to. A packet of the connection between other attachments
	 * (a destination MAC that moved, or a forged one) is checked again. */
	uint32_t sides;
	/* Even while the entry holds a live session: the owner increments it
	 * when a session is published and when it is removed, so a reader that
	 * sees the same even value before and after copying the entry has a
	 * consistent copy of a live session (ct_table_walk()). */
	uint32_t version;
	uint8_t state;     /* enum ct_state, changed by compare-exchange */
	uint8_t initiator; /* enum ct_side of the endpoint that opened it; set at creation */
} __rte_cache_aligned;

/* What a worker knows when a rule accepts a packet that may open a session. */
struct ct_open {
	const struct ct_key *key;   /* the connection */
	enum ct_side initiator;     /* the opening packet's source (ct_key_make()) */
	enum ct_state state;        /* ct_next(key->proto, CT_NONE, true, tcp_flags) */
	uint32_t sides;             /* as ct_session.sides */
	uint32_t policy_generation; /* of the rules that accepted it */
};

struct ct_table;

/* first, or second when pick_second, without a branch: which side a
 * packet comes from is random, so a branch would mispredict on about half
 * the packets. */
static inline uint64_t ct_pick(bool pick_second, uint64_t first, uint64_t second)
{
	return first ^ ((first ^ second) & -(uint64_t)pick_second);
}

/* Fills key for a packet of a tenant slot and returns the side its source
 * is. Addresses are 4 (family 4) or 16 (family 6) bytes in network order,
 * ports in host order. ICMP and ICMPv6 echo: the identifier is the
 * requester's port and 0 the other's (a request passes src_port = id,
 * dst_port = 0; its reply src_port = 0, dst_port = id), so a request and its
 * reply make one key, and the peer's own pings with the same identifier
 * another (except for identifier 0).
 *
 * The key is built as five 8-byte words in registers and stored whole: the
 * hash function reads it back as words, and narrow stores read back as one
 * word stall store forwarding. The first word assumes a little-endian CPU. */
static inline enum ct_side ct_key_make(struct ct_key *key, uint8_t family, uint8_t proto,
				       uint16_t tenant, const void *src_addr, const void *dst_addr,
				       uint16_t src_port, uint16_t dst_port)
{
	uint64_t src_hi, src_lo, dst_hi, dst_lo; /* address bytes as loaded */
	uint64_t ports, words[5];
	bool src_is_b;

	if (family == 4) {
		uint32_t src, dst;

		memcpy(&src, src_addr, sizeof(src));
		memcpy(&dst, dst_addr, sizeof(dst));
		src_hi = src;
		dst_hi = dst;
		src_lo = dst_lo = 0;
		src_is_b = ((uint64_t)rte_be_to_cpu_32(src) << 16 | src_port) >
			   ((uint64_t)rte_be_to_cpu_32(dst) << 16 | dst_port);
	} else {
		uint64_t src_hi_num, src_lo_num, dst_hi_num, dst_lo_num;

		memcpy(&src_hi, src_addr, sizeof(src_hi));
		memcpy(&src_lo, (const uint8_t *)src_addr + 8, sizeof(src_lo));
		memcpy(&dst_hi, dst_addr, sizeof(dst_hi));
		memcpy(&dst_lo, (const uint8_t *)dst_addr + 8, sizeof(dst_lo));
		src_hi_num = rte_be_to_cpu_64(src_hi);
		src_lo_num = rte_be_to_cpu_64(src_lo);
		dst_hi_num = rte_be_to_cpu_64(dst_hi);
		dst_lo_num = rte_be_to_cpu_64(dst_lo);
		/* & and |, not && and ||: no branches either. */
		src_is_b = (src_hi_num > dst_hi_num) |
			   ((src_hi_num == dst_hi_num) &
			    ((src_lo_num > dst_lo_num) |
			     ((src_lo_num == dst_lo_num) & (src_port > dst_port))));
	}
	ports = ct_pick(src_is_b, src_port | (uint32_t)dst_port << 16,
			dst_port | (uint32_t)src_port << 16);
	words[0] = tenant | (uint32_t)proto << 16 | (uint32_t)family << 24 | ports << 32;
	words[1] = ct_pick(src_is_b, src_hi, dst_hi);
	words[2] = ct_pick(src_is_b, src_lo, dst_lo);
	words[3] = ct_pick(src_is_b, dst_hi, src_hi);
	words[4] = ct_pick(src_is_b, dst_lo, src_lo);
	memcpy(key, words, sizeof(words));
	return src_is_b ? CT_SIDE_B : CT_SIDE_A;
}

/* Whether a and b are the same key: five word compares, no memcmp call. */
static inline bool ct_key_equal(const struct ct_key *a, const struct ct_key *b)
{
	uint64_t wa[5], wb[5], diff = 0;

	memcpy(wa, a, sizeof(wa));
	memcpy(wb, b, sizeof(wb));
	for (unsigned i = 0; i < 5; i++)
		diff |= wa[i] ^ wb[i];
	return diff == 0;
}

/* The TCP state after a segment with tcp_flags (the TCP header's flags byte)
 * from the initiator or the responder, or CT_INVALID. Only a SYN without ACK
 * opens a session (from CT_NONE, or again from CT_CLOSING when the initiator
 * reuses the ports); the responder answers with SYN-ACK; every later segment
 * carries ACK; a RST closes from any state; CLOSED is final. */
enum ct_state ct_tcp_next(enum ct_state s, bool from_initiator, uint8_t tcp_flags);

/* The state of a UDP or ICMP echo pseudo-connection after a packet, or
 * CT_INVALID: the initiator's first packet opens it (NEW), the responder's
 * first makes it ESTABLISHED; CLOSED is final. The caller opens ICMP
 * sessions for echo requests only. */
static inline enum ct_state ct_pseudo_next(enum ct_state s, bool from_initiator)
{
	switch (s) {
	case CT_NONE:
		return from_initiator ? CT_NEW : CT_INVALID;
	case CT_NEW:
		return from_initiator ? CT_NEW : CT_ESTABLISHED;
	case CT_ESTABLISHED:
		return CT_ESTABLISHED;
	default:
		return CT_INVALID;
	}
}

/* ct_tcp_next() for TCP, ct_pseudo_next() for any other protocol. */
static inline enum ct_state ct_next(uint8_t proto, enum ct_state s, bool from_initiator,
				    uint8_t tcp_flags)
{
	return proto == IPPROTO_TCP ? ct_tcp_next(s, from_initiator, tcp_flags)
				    : ct_pseudo_next(s, from_initiator);
}

/* Creates an empty table for capacity (>= 8) sessions, with its memory on
 * socket_id. Removed sessions are reused after a grace period of rcu, on
 * which every worker that reads the table must report quiescence. name
 * must be unique and at most 15 characters (DPDK names rings after it
 * with a 13-character prefix). Returns NULL with rte_errno set. */
struct ct_table *ct_table_create(const char *name, uint32_t capacity, struct rte_rcu_qsbr *rcu,
				 int socket_id);

/* Frees t (NULL is allowed) once the workers have stopped: with every
 * reader offline on rcu, the removals still waiting are freed with it. */
void ct_table_free(struct ct_table *t);

/* Looks up n keys (n <= CT_LOOKUP_MAX): found[i] is the session of keys[i]
 * or NULL. tables[own] is searched first, the other tables for its misses
 * only. Any worker; a session found stays valid until the caller's next
 * quiescent state. */
void ct_lookup_bulk(struct ct_table *const *tables, unsigned n_tables, unsigned own,
		    const struct ct_key *keys, unsigned n, struct ct_session **found);

/* Creates a session in tables[own], last seen at now (TSC), and returns it;
 * when tables[own] already holds the key (an earlier packet of the same
 * burst opened it) returns that session unchanged. Returns NULL with
 * rte_errno EDQUOT when the tenant already has tenant_max_sessions sessions
 * in all tables (0: no limit; the count may be exceeded by one per worker
 * creating at the same time), or ENOSPC when tables[own] is full. Only the
 * worker that owns tables[own]. */
struct ct_session *ct_create(struct ct_table *const *tables, unsigned n_tables, unsigned own,
			     const struct ct_open *open, uint32_t tenant_max_sessions,
			     uint64_t now);

/* Moves s by a packet from side `from` of its key (tcp_flags: ignored
 * unless TCP) and, when last_seen is more than refresh_cycles before now,
 * sets it to now. Returns the new state, or CT_INVALID (s unchanged) when
 * the packet does not fit the session: the caller drops it. Any worker,
 * also while another updates s. */
static inline enum ct_state ct_session_update(struct ct_session *s, enum ct_side from,
					      uint8_t tcp_flags, uint64_t now,
					      uint64_t refresh_cycles)
{
	const bool from_initiator = from == s->initiator;
	uint8_t state = __atomic_load_n(&s->state, __ATOMIC_RELAXED);
	enum ct_state next;

	do {
		next = ct_next(s->key.proto, state, from_initiator, tcp_flags);
		if (next == CT_INVALID)
			return CT_INVALID;
		/* Most packets keep the state: no write, the line stays shared. */
		if (next == state)
			break;
	} while (!__atomic_compare_exchange_n(&s->state, &state, next, false, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	if ((int64_t)(now - __atomic_load_n(&s->last_seen, __ATOMIC_RELAXED)) >
	    (int64_t)refresh_cycles)
		__atomic_store_n(&s->last_seen, now, __ATOMIC_RELAXED);
	return next;
}

/* Whether s has been idle longer than its state's timeout at now (TSC). */
bool ct_session_expired(const struct ct_session *s, uint64_t now,
			const struct ct_timeouts *timeouts);

/* Whether the rules changed since s was last accepted: the worker then
 * re-checks the connection against the rules in the initiator's direction,
 * and calls ct_session_reaccept() or ct_kill(). */
static inline bool ct_session_stale(const struct ct_session *s, uint32_t policy_generation)
{
	return __atomic_load_n(&s->policy_generation, __ATOMIC_RELAXED) != policy_generation;
}

/* Records that the rules at policy_generation accept s between sides. */
static inline void ct_session_reaccept(struct ct_session *s, uint32_t sides,
				       uint32_t policy_generation)
{
	__atomic_store_n(&s->sides, sides, __ATOMIC_RELAXED);
	__atomic_store_n(&s->policy_generation, policy_generation, __ATOMIC_RELAXED);
}

/* Opens again, from side initiator, a UDP or ICMP echo session that a
 * rule change closed (ct_kill()) and the rules now accept: the flow goes
 * on with the same addresses and ports. False if s is not closed. */
static inline bool ct_session_reopen(struct ct_session *s, enum ct_side initiator)
{
	uint8_t closed = CT_CLOSED;

	__atomic_store_n(&s->initiator, initiator, __ATOMIC_RELAXED);
	return __atomic_compare_exchange_n(&s->state, &closed, CT_NEW, false, __ATOMIC_RELEASE,
					   __ATOMIC_RELAXED);
}

/* Closes s for a rule change that denies it: every later packet is
 * CT_INVALID, and its owner removes it once it has been idle (no packet
 * accepted) for tcp_transitory. Any thread. */
static inline void ct_kill(struct ct_session *s)
{
	__atomic_store_n(&s->state, CT_CLOSED, __ATOMIC_RELAXED);
}

/* Examines the next `budget` sessions of t, continuing where the previous
 * call stopped, and removes those expired at now (TSC) by their tenant's
 * timeouts: timeouts[tenant slot]. Returns how many it removed. Only t's
 * owner, every loop. */
unsigned ct_expire(struct ct_table *t, uint64_t now, const struct ct_timeouts *timeouts,
		   unsigned budget);

/* Sessions of a tenant slot in all tables. Any thread. */
uint32_t ct_tenant_sessions(struct ct_table *const *tables, unsigned n_tables, uint16_t tenant);

/* Calls fn with a consistent copy of each live session of t, in no
 * particular order, until fn returns non-zero. For the control thread,
 * while the owner keeps adding and removing: it walks the entry array, not
 * the hash, because rte_hash_iterate() is not safe against a concurrent
 * writer (unlike lookups it ignores the table's change counter, so a cuckoo
 * move can make it skip or repeat a key; and the control thread is no RCU
 * reader, so a slot can be freed and rewritten while it reads the key). A
 * session created or removed during the walk may be missed. */
void ct_table_walk(const struct ct_table *t, int (*fn)(const struct ct_session *s, void *ctx),
		   void *ctx);

_Static_assert(sizeof(struct ct_key) == 40, "ct_key is hashed as 40 raw bytes");
_Static_assert(sizeof(struct ct_session) == RTE_CACHE_LINE_SIZE, "a session is one cache line");
_Static_assert(RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN, "ct_key_make() builds little-endian words");
