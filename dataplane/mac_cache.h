/* The worker's MAC cache (struct mac_cache_bucket, worker.h) and the
 * 8-byte MAC table keys it holds. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_ether.h>

#include "dataplane/worker.h"

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

/* Compares all ways without branching: which way holds a key is random,
 * so an early-exit loop mispredicts on most lookups. */
static inline struct mac_entry *mac_cache_find(const struct mac_cache_bucket *b, uint64_t key)
{
	unsigned hit = 0;

	for (unsigned way = 0; way < MAC_CACHE_WAYS; way++)
		hit |= (unsigned)(b->key[way] == key) << way;
	return likely(hit != 0) ? b->entry[__builtin_ctz(hit)] : NULL;
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
