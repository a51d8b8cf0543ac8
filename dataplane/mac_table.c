/* Control-thread side of the MAC table. Workers only call
 * rte_hash_lookup_bulk_data() on t->hash and read/refresh entries. */
#include <errno.h>
#include <stdio.h>

#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "dataplane/mac_table.h"

#define MAC_TABLE_NONE UINT32_MAX

/* A removed key: its hash slot and entry are reused only after every
 * worker has passed a quiescent state (rte_rcu_qsbr_dq). */
struct mac_deferred_free {
	int32_t position;
	uint32_t entry;
};

struct mac_table_impl {
	struct mac_table pub;
	struct rte_rcu_qsbr_dq *dq;
};

static void entry_release(struct mac_table *t, uint32_t index)
{
	t->entries[index].next_free = t->free_head;
	t->free_head = index;
	t->n_used--;
}

static void deferred_free(void *p, void *elems, unsigned n)
{
	struct mac_table *t = p;
	const struct mac_deferred_free *f = elems;

	for (unsigned i = 0; i < n; i++) {
		rte_hash_free_key_with_position(t->hash, f[i].position);
		entry_release(t, f[i].entry);
	}
}

struct mac_table *mac_table_create(const char *name, uint32_t capacity, struct rte_rcu_qsbr *rcu)
{
	struct mac_table_impl *impl;
	struct mac_table *t;
	char dq_name[RTE_RCU_QSBR_DQ_NAMESIZE];

	impl = rte_zmalloc(name, sizeof(*impl), RTE_CACHE_LINE_SIZE);
	if (impl == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	t = &impl->pub;
	t->capacity = capacity;
	t->entries = rte_zmalloc(name, capacity * sizeof(*t->entries), RTE_CACHE_LINE_SIZE);
	t->n_dynamic = rte_zmalloc(name, (UINT16_MAX + 1) * sizeof(*t->n_dynamic), 0);
	/* Twice the entries in hash slots, so bucket collisions never make
	 * the table refuse keys before capacity entries are used. */
	struct rte_hash_parameters params = {
		.name = name,
		.entries = capacity * 2,
		.key_len = sizeof(struct mac_key),
		.hash_func = rte_hash_crc,
		.socket_id = SOCKET_ID_ANY,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};
	t->hash = rte_hash_create(&params);
	snprintf(dq_name, sizeof(dq_name), "%.*s", (int)sizeof(dq_name) - 1, name);
	struct rte_rcu_qsbr_dq_parameters dq_params = {
		.name = dq_name,
		.size = capacity,
		.esize = sizeof(struct mac_deferred_free),
		.trigger_reclaim_limit = 64,
		.max_reclaim_size = capacity,
		.free_fn = deferred_free,
		.p = t,
		.v = rcu,
	};
	impl->dq = rte_rcu_qsbr_dq_create(&dq_params);
	if (t->entries == NULL || t->n_dynamic == NULL || t->hash == NULL || impl->dq == NULL) {
		mac_table_destroy(t);
		rte_errno = ENOMEM;
		return NULL;
	}
	t->free_head = MAC_TABLE_NONE;
	for (uint32_t i = capacity; i-- > 0;) {
		t->entries[i].next_free = t->free_head;
		t->free_head = i;
	}
	return t;
}

void mac_table_destroy(struct mac_table *t)
{
	struct mac_table_impl *impl;

	if (t == NULL)
		return;
	impl = container_of(t, struct mac_table_impl, pub);
	if (impl->dq != NULL)
		rte_rcu_qsbr_dq_delete(impl->dq);
	rte_hash_free(t->hash);
	rte_free(t->entries);
	rte_free(t->n_dynamic);
	rte_free(impl);
}

struct mac_entry *mac_table_find(const struct mac_table *t, const struct mac_key *key)
{
	void *data;

	if (rte_hash_lookup_data(t->hash, key, &data) < 0)
		return NULL;
	return data;
}

static struct mac_entry *entry_alloc(struct mac_table *t)
{
	struct mac_table_impl *impl = container_of(t, struct mac_table_impl, pub);
	struct mac_entry *e;

	if (t->free_head == MAC_TABLE_NONE)
		rte_rcu_qsbr_dq_reclaim(impl->dq, t->capacity, NULL, NULL, NULL);
	if (t->free_head == MAC_TABLE_NONE)
		return NULL;
	e = &t->entries[t->free_head];
	t->free_head = e->next_free;
	t->n_used++;
	return e;
}

static int entry_insert(struct mac_table *t, const struct mac_key *key, uint64_t location,
			uint64_t now, bool is_static)
{
	struct mac_entry *e = entry_alloc(t);

	if (e == NULL)
		return -ENOSPC;
	e->location = location;
	e->last_seen = now;
	e->is_static = is_static;
	/* The entry is complete before its key becomes visible to workers. */
	if (rte_hash_add_key_data(t->hash, key, e) < 0) {
		entry_release(t, e - t->entries);
		return -ENOSPC;
	}
	if (!is_static)
		t->n_dynamic[key->tenant_id]++;
	return 0;
}

int mac_table_learn(struct mac_table *t, const struct mac_key *key, uint64_t location, uint64_t now)
{
	struct mac_entry *e = mac_table_find(t, key);

	if (e == NULL)
		return entry_insert(t, key, location, now, false);
	if (e->is_static)
		return 0;
	__atomic_store_n(&e->last_seen, now, __ATOMIC_RELAXED);
	__atomic_store_n(&e->location, location, __ATOMIC_RELEASE);
	return 0;
}

int mac_table_add_static(struct mac_table *t, const struct mac_key *key, uint64_t location)
{
	struct mac_entry *e = mac_table_find(t, key);

	if (e == NULL)
		return entry_insert(t, key, location, 0, true);
	if (!e->is_static)
		t->n_dynamic[key->tenant_id]--;
	e->is_static = true;
	__atomic_store_n(&e->location, location, __ATOMIC_RELEASE);
	return 0;
}

int mac_table_remove(struct mac_table *t, const struct mac_key *key)
{
	struct mac_table_impl *impl = container_of(t, struct mac_table_impl, pub);
	struct mac_entry *e = mac_table_find(t, key);
	struct mac_deferred_free f;

	if (e == NULL)
		return -ENOENT;
	f.position = rte_hash_del_key(t->hash, key);
	f.entry = e - t->entries;
	if (f.position < 0)
		return f.position;
	if (!e->is_static)
		t->n_dynamic[key->tenant_id]--;
	__atomic_store_n(&t->generation, t->generation + 1, __ATOMIC_RELEASE);
	/* The queue is as large as the table, so this cannot fail for lack of room. */
	return rte_rcu_qsbr_dq_enqueue(impl->dq, &f);
}

unsigned mac_table_remove_if(struct mac_table *t,
			     bool (*stale)(const struct mac_key *key, const struct mac_entry *e,
					   void *ctx),
			     void *ctx)
{
	const void *key;
	void *data;
	uint32_t iter = 0;
	unsigned removed = 0;

	/* Deleting the current key does not disturb rte_hash_iterate, which
	 * walks slot positions. */
	while (rte_hash_iterate(t->hash, &key, &data, &iter) >= 0) {
		struct mac_key copy = *(const struct mac_key *)key;

		if (stale(&copy, data, ctx) && mac_table_remove(t, &copy) == 0)
			removed++;
	}
	return removed;
}

struct ageing {
	uint64_t now;
	uint64_t (*ageing_cycles)(uint16_t tenant_id, void *ctx);
	void *ctx;
};

static bool entry_aged(const struct mac_key *key, const struct mac_entry *e, void *ctx)
{
	const struct ageing *ag = ctx;
	uint64_t limit;

	if (e->is_static)
		return false;
	limit = ag->ageing_cycles(key->tenant_id, ag->ctx);
	/* Signed: a worker may have stamped last_seen after now was read. */
	return limit != 0 &&
	       (int64_t)(ag->now - __atomic_load_n(&e->last_seen, __ATOMIC_RELAXED)) > (int64_t)limit;
}

unsigned mac_table_age(struct mac_table *t, uint64_t now,
		       uint64_t (*ageing_cycles)(uint16_t tenant_id, void *ctx), void *ctx)
{
	struct ageing ag = {now, ageing_cycles, ctx};

	return mac_table_remove_if(t, entry_aged, &ag);
}

static bool entry_of_tenant(const struct mac_key *key, const struct mac_entry *e, void *ctx)
{
	(void)e;
	return key->tenant_id == *(const uint16_t *)ctx;
}

unsigned mac_table_flush_tenant(struct mac_table *t, uint16_t tenant_id)
{
	return mac_table_remove_if(t, entry_of_tenant, &tenant_id);
}

void mac_table_walk(const struct mac_table *t,
		    int (*fn)(const struct mac_key *key, const struct mac_entry *e, void *ctx),
		    void *ctx)
{
	const void *key;
	void *data;
	uint32_t iter = 0;

	while (rte_hash_iterate(t->hash, &key, &data, &iter) >= 0)
		if (fn(key, data, ctx) != 0)
			return;
}
