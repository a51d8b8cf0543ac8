/* Per-tenant MAC learning table: one rte_hash keyed by (tenant id, MAC),
 * lock-free for the workers that read it, written only by the control
 * thread (which learns from events the workers send on a ring). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_hash.h>
#include <rte_rcu_qsbr.h>

struct mac_key {
	uint16_t tenant_id;
	struct rte_ether_addr mac;
}; /* 8 bytes, no padding: hashed as raw bytes */

/* Where a MAC lives, packed in 64 bits so it is read and moved atomically:
 * bits 63..62 kind, then either port id (31..16) and VLAN (15..0), or
 * VTEP index (47..32) and VTEP IPv4 in network order (31..0). */
#define MAC_LOC_LOCAL (1ull << 62)
#define MAC_LOC_REMOTE (2ull << 62)
#define MAC_LOC_KIND_MASK (3ull << 62)

static inline uint64_t mac_loc_local(uint16_t port_id, uint16_t vlan)
{
	return MAC_LOC_LOCAL | (uint64_t)port_id << 16 | vlan;
}

static inline uint64_t mac_loc_remote(uint16_t vtep_index, uint32_t vtep_ip)
{
	return MAC_LOC_REMOTE | (uint64_t)vtep_index << 32 | vtep_ip;
}

static inline uint16_t mac_loc_port(uint64_t loc) { return (loc >> 16) & 0xffff; }
static inline uint16_t mac_loc_vlan(uint64_t loc) { return loc & 0xffff; }
static inline uint16_t mac_loc_vtep_index(uint64_t loc) { return (loc >> 32) & 0xffff; }
static inline uint32_t mac_loc_vtep_ip(uint64_t loc) { return (uint32_t)loc; }

struct mac_entry {
	uint64_t location;  /* written by control, read by workers */
	uint64_t last_seen; /* TSC of the last frame from this MAC (workers) */
	bool is_static;
	uint32_t next_free; /* free-list link while unused (control) */
};

/* What a worker sends the control thread when a source MAC is new or moved. */
struct learn_event {
	struct mac_key key;
	uint64_t location;
};

struct mac_table {
	struct rte_hash *hash; /* key: struct mac_key, data: struct mac_entry * */
	uint64_t generation;   /* incremented by every removal (workers' caches) */
	struct mac_entry *entries;
	uint32_t capacity;
	uint32_t free_head;
	uint32_t n_used;
	uint32_t *n_dynamic; /* learned (not static) entries per tenant id */
};

/* Creates a table for capacity entries whose freed slots are reclaimed
 * after an RCU grace period of rcu. Returns NULL with rte_errno set. */
struct mac_table *mac_table_create(const char *name, uint32_t capacity, struct rte_rcu_qsbr *rcu);
void mac_table_destroy(struct mac_table *t);

/* Learns or moves a dynamic entry (static entries are never changed).
 * now is in TSC cycles. Returns 0, or -ENOSPC when the table is full. */
int mac_table_learn(struct mac_table *t, const struct mac_key *key, uint64_t location, uint64_t now);

/* Installs or replaces a static entry. */
int mac_table_add_static(struct mac_table *t, const struct mac_key *key, uint64_t location);

/* Learned (not static) entries of a tenant. */
static inline uint32_t mac_table_dynamic_count(const struct mac_table *t, uint16_t tenant_id)
{
	return t->n_dynamic[tenant_id];
}

/* Removes the entry; returns -ENOENT when there is none. */
int mac_table_remove(struct mac_table *t, const struct mac_key *key);

/* Entry for key, or NULL. */
struct mac_entry *mac_table_find(const struct mac_table *t, const struct mac_key *key);

/* Removes dynamic entries not seen for longer than their tenant's ageing
 * time: ageing_cycles(tenant_id, ctx) in TSC cycles, 0 meaning "never".
 * Returns the number removed. */
unsigned mac_table_age(struct mac_table *t, uint64_t now,
		       uint64_t (*ageing_cycles)(uint16_t tenant_id, void *ctx), void *ctx);

/* Removes every entry of tenant_id. */
unsigned mac_table_flush_tenant(struct mac_table *t, uint16_t tenant_id);

/* Removes every entry for which stale(key, entry, ctx) is true. */
unsigned mac_table_remove_if(struct mac_table *t,
			     bool (*stale)(const struct mac_key *key, const struct mac_entry *e,
					   void *ctx),
			     void *ctx);

/* Calls fn for each entry (in hash order); stops when fn returns non-zero. */
void mac_table_walk(const struct mac_table *t,
		    int (*fn)(const struct mac_key *key, const struct mac_entry *e, void *ctx),
		    void *ctx);

_Static_assert(sizeof(struct mac_key) == 8, "mac_key is hashed as 8 raw bytes");
