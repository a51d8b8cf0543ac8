/* The worker's cache of the security verdicts of recent flows (stage
 * security, dataplane/security.c): the session of an accepted flow, or
 * the rules' verdict on a denied one. A hit costs one cache line instead
 * of a session-table lookup (an rte_hash with 40-byte keys, in every
 * worker's table) or, for a denied flow, the classifier (hundreds of cycles
 * a key with 1,000 rules). An entry is valid only for the tables it was
 * made with, and a session only while it still holds the flow's key. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <rte_hash_crc.h>
#include <rte_prefetch.h>

#include "dataplane/conntrack.h"
#include "dataplane/sg_acl.h"

/* 32,768 sets of 2 entries of one cache line: 4 MiB a worker. W3's 10,000
 * flows hit 97.7 % of the time (74.6 % with 8,192 sets). */
#define FLOW_CACHE_SETS 32768 /* a power of two */
#define FLOW_CACHE_WAYS 2

struct flow_cache_entry {
	struct ct_key key;       /* the flow, with... */
	uint8_t side;            /* ...the side this direction comes from (enum ct_side) */
	uint8_t action;          /* SG_ACCEPT: session holds it; else denied */
	uint16_t from, to;       /* the attachments it leaves and enters (dp_sg_attachment) */
	uint32_t tables_version; /* low bits of dp_tables.version: 0 = empty */
	union {
		struct ct_session *session;
		struct {
			uint16_t denied_by; /* dp_sg_attachment whose rule or default denied it */
			uint32_t rule_id;   /* its rule (hit counter), UINT32_MAX for the default */
		} deny;
	};
} __rte_cache_aligned;

struct flow_cache {
	struct flow_cache_entry set[FLOW_CACHE_SETS][FLOW_CACHE_WAYS];
};

/* One direction of a flow as the cache knows it. */
struct flow_cache_key {
	const struct ct_key *key;
	uint32_t hash; /* flow_cache_hash() */
	uint8_t side;  /* enum ct_side of the packet's source */
	uint16_t from, to;
};

static inline uint32_t flow_cache_hash(const struct ct_key *key, enum ct_side side)
{
	return rte_hash_crc(key, sizeof(*key), side);
}

static inline struct flow_cache_entry *flow_cache_set(struct flow_cache *c, uint32_t hash)
{
	return c->set[hash & (FLOW_CACHE_SETS - 1)];
}

/* Fetches the way flow_cache_add() fills first: most sets hold one flow. */
static inline void flow_cache_prefetch(struct flow_cache *c, uint32_t hash)
{
	rte_prefetch0(flow_cache_set(c, hash));
}

/* The entry of fk made under tables_version, with an accepted flow's
 * session still holding the flow; NULL if none. */
static inline const struct flow_cache_entry *flow_cache_find(struct flow_cache *c,
							     uint32_t tables_version,
							     const struct flow_cache_key *fk)
{
	const struct flow_cache_entry *set = flow_cache_set(c, fk->hash);

	for (unsigned way = 0; way < FLOW_CACHE_WAYS; way++) {
		const struct flow_cache_entry *e = &set[way];

		if (e->tables_version != tables_version || e->side != fk->side ||
		    e->from != fk->from || e->to != fk->to || !ct_key_equal(&e->key, fk->key))
			continue;
		if (e->action != SG_ACCEPT)
			return e;
		/* A removed session's entry may since hold another flow: odd
		 * versions are free entries (conntrack.h). */
		if ((__atomic_load_n(&e->session->version, __ATOMIC_ACQUIRE) & 1) == 0 &&
		    ct_key_equal(&e->session->key, fk->key))
			return e;
		return NULL;
	}
	return NULL;
}

/* An entry for fk, to be completed by the caller: the first way of older
 * tables if there is one, else the one the hash's top bit picks. */
static inline struct flow_cache_entry *flow_cache_add(struct flow_cache *c,
						      uint32_t tables_version,
						      const struct flow_cache_key *fk,
						      enum sg_action action)
{
	struct flow_cache_entry *set = flow_cache_set(c, fk->hash);
	struct flow_cache_entry *e = &set[fk->hash >> 31];

	for (unsigned way = FLOW_CACHE_WAYS; way-- > 0;)
		if (set[way].tables_version != tables_version)
			e = &set[way];
	e->key = *fk->key;
	e->side = fk->side;
	e->action = action;
	e->from = fk->from;
	e->to = fk->to;
	e->tables_version = tables_version;
	return e;
}
