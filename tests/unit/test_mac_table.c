/* The MAC table as the control thread uses it: learning, moves, static
 * entries, ageing on a test clock (plain `now` values, no sleeps), tenant
 * flushes, capacity, and slot reuse after an RCU grace period. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_malloc.h>

#include "dataplane/mac_table.h"
#include "eal_fixture.h"

#define CAPACITY 8
#define READER_ID 0 /* the one RCU reader thread the tests may register */

struct fixture {
	struct rte_rcu_qsbr *rcu;
	struct mac_table *t;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	fx->rcu = eal_fixture_rcu();
	if (fx->rcu == NULL)
		return -1;
	fx->t = mac_table_create("unit_macs", CAPACITY, fx->rcu);
	if (fx->t == NULL)
		return -1;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	/* A reader left registered would hold back the final reclaim. */
	rte_rcu_qsbr_thread_unregister(fx->rcu, READER_ID);
	mac_table_destroy(fx->t);
	rte_free(fx->rcu);
	free(fx);
	return 0;
}

static struct mac_key key_of(uint16_t tenant_id, uint8_t last_byte)
{
	return (struct mac_key){
		.tenant_id = tenant_id,
		.mac = {{0x02, 0x00, 0x00, 0x00, 0x00, last_byte}},
	};
}

static void learn_ok(struct mac_table *t, uint16_t tenant_id, uint8_t last_byte, uint64_t loc,
		     uint64_t now)
{
	struct mac_key k = key_of(tenant_id, last_byte);

	assert_int_equal(mac_table_learn(t, &k, loc, now), 0);
}

static struct mac_entry *find(struct mac_table *t, uint16_t tenant_id, uint8_t last_byte)
{
	struct mac_key k = key_of(tenant_id, last_byte);

	return mac_table_find(t, &k);
}

static int count_entry(const struct mac_key *key, const struct mac_entry *e, void *ctx)
{
	unsigned *n = ctx;
	(void)key;
	(void)e;

	(*n)++;
	return 0;
}

static unsigned entries_in(const struct mac_table *t)
{
	unsigned n = 0;

	mac_table_walk(t, count_entry, &n);
	return n;
}

static void test_learn_then_find(void **state)
{
	struct fixture *fx = *state;
	struct mac_entry *e;

	learn_ok(fx->t, 1, 0xa, mac_loc_local(3, 100), 1000);
	e = find(fx->t, 1, 0xa);
	assert_non_null(e);
	assert_true(e->location == mac_loc_local(3, 100));
	assert_int_equal(mac_loc_port(e->location), 3);
	assert_int_equal(mac_loc_vlan(e->location), 100);
	assert_int_equal(e->last_seen, 1000);
	assert_false(e->is_static);
	assert_int_equal(fx->t->n_used, 1);
	assert_null(find(fx->t, 1, 0xb));
	assert_null(find(fx->t, 2, 0xa));
}

static void test_learn_again_moves_entry(void **state)
{
	struct fixture *fx = *state;
	uint32_t vtep_ip = RTE_BE32(0x0a000002);
	struct mac_entry *before, *after;

	learn_ok(fx->t, 1, 0xa, mac_loc_local(3, 100), 1000);
	before = find(fx->t, 1, 0xa);
	learn_ok(fx->t, 1, 0xa, mac_loc_remote(7, vtep_ip), 2000);
	after = find(fx->t, 1, 0xa);
	assert_ptr_equal(before, after);
	assert_true((after->location & MAC_LOC_KIND_MASK) == MAC_LOC_REMOTE);
	assert_int_equal(mac_loc_vtep_index(after->location), 7);
	assert_int_equal(mac_loc_vtep_ip(after->location), vtep_ip);
	assert_int_equal(after->last_seen, 2000);
	assert_int_equal(fx->t->n_used, 1);
}

static uint64_t ageing_100_cycles(uint16_t tenant_id, void *ctx)
{
	(void)tenant_id;
	(void)ctx;
	return 100;
}

static void test_static_entry_never_moved_or_aged(void **state)
{
	struct fixture *fx = *state;
	struct mac_key k = key_of(1, 0xa);
	struct mac_entry *e;

	assert_int_equal(mac_table_add_static(fx->t, &k, mac_loc_local(2, 0)), 0);
	assert_int_equal(mac_table_learn(fx->t, &k, mac_loc_local(5, 50), 1000), 0);
	e = find(fx->t, 1, 0xa);
	assert_non_null(e);
	assert_true(e->is_static);
	assert_true(e->location == mac_loc_local(2, 0));
	assert_int_equal(mac_table_age(fx->t, UINT64_C(1) << 40, ageing_100_cycles, NULL), 0);
	assert_ptr_equal(find(fx->t, 1, 0xa), e);
}

static void test_static_replaces_learned(void **state)
{
	struct fixture *fx = *state;
	struct mac_key k = key_of(1, 0xa);
	struct mac_entry *e;

	learn_ok(fx->t, 1, 0xa, mac_loc_local(5, 50), 1000);
	assert_int_equal(mac_table_add_static(fx->t, &k, mac_loc_local(2, 0)), 0);
	e = find(fx->t, 1, 0xa);
	assert_true(e->is_static);
	assert_true(e->location == mac_loc_local(2, 0));
	assert_int_equal(fx->t->n_used, 1);
	assert_int_equal(mac_table_age(fx->t, UINT64_C(1) << 40, ageing_100_cycles, NULL), 0);
}

/* Test clock: tenant 1 ages after 100 cycles, tenant 2 never, tenant 3
 * after 1000; the callback also records which tenants it was asked about. */
struct ageing_clock {
	unsigned asked[4];
};

static uint64_t ageing_by_tenant(uint16_t tenant_id, void *ctx)
{
	static const uint64_t cycles[4] = {[1] = 100, [2] = 0, [3] = 1000};
	struct ageing_clock *clock = ctx;

	assert_in_range(tenant_id, 1, 3);
	clock->asked[tenant_id]++;
	return cycles[tenant_id];
}

static void test_ageing_per_tenant(void **state)
{
	struct fixture *fx = *state;
	struct ageing_clock clock = {0};

	learn_ok(fx->t, 1, 0xa, mac_loc_local(1, 0), 1000);
	learn_ok(fx->t, 2, 0xa, mac_loc_local(1, 0), 1000);
	learn_ok(fx->t, 3, 0xa, mac_loc_local(1, 0), 1000);

	/* Exactly the ageing time since last seen is not yet "longer than". */
	assert_int_equal(mac_table_age(fx->t, 1100, ageing_by_tenant, &clock), 0);
	assert_int_equal(clock.asked[1], 1);
	assert_int_equal(clock.asked[2], 1);
	assert_int_equal(clock.asked[3], 1);

	assert_int_equal(mac_table_age(fx->t, 1101, ageing_by_tenant, &clock), 1);
	assert_null(find(fx->t, 1, 0xa));
	assert_non_null(find(fx->t, 2, 0xa));
	assert_non_null(find(fx->t, 3, 0xa));

	assert_int_equal(mac_table_age(fx->t, 2000, ageing_by_tenant, &clock), 0);
	assert_int_equal(mac_table_age(fx->t, 2001, ageing_by_tenant, &clock), 1);
	assert_null(find(fx->t, 3, 0xa));

	/* Ageing time 0 means never. */
	assert_int_equal(mac_table_age(fx->t, UINT64_C(1) << 50, ageing_by_tenant, &clock), 0);
	assert_non_null(find(fx->t, 2, 0xa));
}

static void test_learning_again_postpones_ageing(void **state)
{
	struct fixture *fx = *state;
	struct ageing_clock clock = {0};

	learn_ok(fx->t, 1, 0xa, mac_loc_local(1, 0), 1000);
	learn_ok(fx->t, 1, 0xa, mac_loc_local(1, 0), 1080);
	assert_int_equal(mac_table_age(fx->t, 1150, ageing_by_tenant, &clock), 0);
	assert_int_equal(mac_table_age(fx->t, 1181, ageing_by_tenant, &clock), 1);
}

/* A worker refreshes last_seen with its own TSC while the control thread
 * ages with the `now` it read before the walk (control/main.c), so
 * last_seen can be later than now. Such an entry was just seen: it must
 * stay. (Found failing: the unsigned `now - last_seen` in mac_table_age()
 * wrapped to ~2^64 and aged the freshest entries out.) */
static void test_entry_seen_after_now_is_not_aged(void **state)
{
	struct fixture *fx = *state;
	struct ageing_clock clock = {0};

	learn_ok(fx->t, 1, 0xa, mac_loc_local(1, 0), 5000);
	assert_int_equal(mac_table_age(fx->t, 4990, ageing_by_tenant, &clock), 0);
	assert_non_null(find(fx->t, 1, 0xa));
}

static void test_same_mac_in_two_tenants(void **state)
{
	struct fixture *fx = *state;
	struct mac_key k1 = key_of(1, 0xa);
	struct mac_entry *e1, *e2;

	learn_ok(fx->t, 1, 0xa, mac_loc_local(1, 10), 1000);
	learn_ok(fx->t, 2, 0xa, mac_loc_local(2, 20), 1000);
	e1 = find(fx->t, 1, 0xa);
	e2 = find(fx->t, 2, 0xa);
	assert_non_null(e1);
	assert_non_null(e2);
	assert_ptr_not_equal(e1, e2);
	assert_true(e1->location == mac_loc_local(1, 10));
	assert_true(e2->location == mac_loc_local(2, 20));
	assert_int_equal(fx->t->n_used, 2);

	assert_int_equal(mac_table_remove(fx->t, &k1), 0);
	assert_null(find(fx->t, 1, 0xa));
	assert_ptr_equal(find(fx->t, 2, 0xa), e2);
}

static void test_remove_unknown(void **state)
{
	struct fixture *fx = *state;
	struct mac_key k = key_of(1, 0xa);

	assert_int_equal(mac_table_remove(fx->t, &k), -ENOENT);
	learn_ok(fx->t, 1, 0xa, mac_loc_local(1, 0), 1000);
	assert_int_equal(mac_table_remove(fx->t, &k), 0);
	assert_int_equal(mac_table_remove(fx->t, &k), -ENOENT);
}

static void test_flush_tenant(void **state)
{
	struct fixture *fx = *state;
	struct mac_key pinned = key_of(1, 0xc);

	learn_ok(fx->t, 1, 0xa, mac_loc_local(1, 0), 1000);
	learn_ok(fx->t, 1, 0xb, mac_loc_local(1, 0), 1000);
	assert_int_equal(mac_table_add_static(fx->t, &pinned, mac_loc_local(2, 0)), 0);
	learn_ok(fx->t, 2, 0xa, mac_loc_local(1, 0), 1000);
	learn_ok(fx->t, 2, 0xb, mac_loc_local(1, 0), 1000);

	/* Static entries go too: the tenant is being removed. */
	assert_int_equal(mac_table_flush_tenant(fx->t, 1), 3);
	assert_null(find(fx->t, 1, 0xa));
	assert_null(find(fx->t, 1, 0xb));
	assert_null(find(fx->t, 1, 0xc));
	assert_non_null(find(fx->t, 2, 0xa));
	assert_non_null(find(fx->t, 2, 0xb));
	assert_int_equal(entries_in(fx->t), 2);
	assert_int_equal(mac_table_flush_tenant(fx->t, 1), 0);
}

/* Removes the entries on port 2, whatever their tenant or kind. */
static bool on_port_2(const struct mac_key *key, const struct mac_entry *e, void *ctx)
{
	unsigned *calls = ctx;
	(void)key;

	(*calls)++;
	return mac_loc_port(e->location) == 2;
}

static void test_remove_if(void **state)
{
	struct fixture *fx = *state;
	struct mac_key pinned = key_of(2, 0xc);
	unsigned calls = 0;

	learn_ok(fx->t, 1, 0xa, mac_loc_local(1, 0), 1000);
	learn_ok(fx->t, 1, 0xb, mac_loc_local(2, 0), 1000);
	assert_int_equal(mac_table_add_static(fx->t, &pinned, mac_loc_local(2, 5)), 0);
	learn_ok(fx->t, 2, 0xd, mac_loc_local(3, 0), 1000);

	assert_int_equal(mac_table_remove_if(fx->t, on_port_2, &calls), 2);
	assert_int_equal(calls, 4);
	assert_non_null(find(fx->t, 1, 0xa));
	assert_null(find(fx->t, 1, 0xb));
	assert_null(find(fx->t, 2, 0xc));
	assert_non_null(find(fx->t, 2, 0xd));
}

/* Enough removals in one walk that the deferred-free queue reclaims
 * (and frees hash slots) while rte_hash_iterate is still walking. */
static void test_flush_many_during_one_walk(void **state)
{
	enum { PER_TENANT = 150 };
	struct fixture *fx = *state;
	struct mac_table *big = mac_table_create("unit_macs_big", 2 * PER_TENANT, fx->rcu);

	assert_non_null(big);
	for (unsigned i = 0; i < PER_TENANT; i++) {
		learn_ok(big, 1, i, mac_loc_local(1, i), 1000);
		learn_ok(big, 2, i, mac_loc_local(2, i), 1000);
	}
	assert_int_equal(mac_table_flush_tenant(big, 1), PER_TENANT);
	assert_int_equal(entries_in(big), PER_TENANT);
	for (unsigned i = 0; i < PER_TENANT; i++) {
		assert_null(find(big, 1, i));
		assert_non_null(find(big, 2, i));
	}
	/* Every removed slot is usable again. */
	for (unsigned i = 0; i < PER_TENANT; i++)
		learn_ok(big, 3, i, mac_loc_local(3, i), 2000);
	assert_int_equal(entries_in(big), 2 * PER_TENANT);
	mac_table_destroy(big);
}

static void fill_table(struct mac_table *t)
{
	for (uint8_t i = 0; i < CAPACITY; i++)
		learn_ok(t, 1, i, mac_loc_local(1, i), 1000);
	assert_int_equal(t->n_used, CAPACITY);
}

static void test_capacity_exhaustion(void **state)
{
	struct fixture *fx = *state;
	struct mac_key extra = key_of(1, CAPACITY);
	struct mac_key pinned = key_of(2, 0);

	fill_table(fx->t);
	assert_int_equal(mac_table_learn(fx->t, &extra, mac_loc_local(1, 0), 1000), -ENOSPC);
	assert_int_equal(mac_table_add_static(fx->t, &pinned, mac_loc_local(1, 0)), -ENOSPC);
	assert_null(mac_table_find(fx->t, &extra));
	assert_int_equal(fx->t->n_used, CAPACITY);
	/* Known MACs still move when the table is full. */
	learn_ok(fx->t, 1, 0, mac_loc_local(4, 0), 2000);
	assert_true(find(fx->t, 1, 0)->location == mac_loc_local(4, 0));
}

/* With no reader registered there is nothing to wait for: the removed
 * slot is reused by the next insertion. */
static void test_removed_slot_reused_without_readers(void **state)
{
	struct fixture *fx = *state;
	struct mac_key victim = key_of(1, 3);
	struct mac_entry *freed;

	fill_table(fx->t);
	freed = mac_table_find(fx->t, &victim);
	assert_int_equal(mac_table_remove(fx->t, &victim), 0);
	learn_ok(fx->t, 1, CAPACITY, mac_loc_local(9, 9), 2000);
	assert_ptr_equal(find(fx->t, 1, CAPACITY), freed);
	assert_true(freed->location == mac_loc_local(9, 9));
	assert_int_equal(fx->t->n_used, CAPACITY);
}

/* A registered reader may still hold the removed entry: the slot stays
 * unused until the reader reports a quiescent state. */
static void test_removed_slot_reused_after_grace_period(void **state)
{
	struct fixture *fx = *state;
	struct mac_key victim = key_of(1, 3);
	struct mac_key newcomer = key_of(1, CAPACITY);
	struct mac_entry *freed;

	assert_int_equal(rte_rcu_qsbr_thread_register(fx->rcu, READER_ID), 0);
	rte_rcu_qsbr_thread_online(fx->rcu, READER_ID);
	fill_table(fx->t);
	freed = mac_table_find(fx->t, &victim);
	assert_int_equal(mac_table_remove(fx->t, &victim), 0);
	assert_null(mac_table_find(fx->t, &victim));

	assert_int_equal(mac_table_learn(fx->t, &newcomer, mac_loc_local(9, 9), 2000), -ENOSPC);
	assert_true(freed->location == mac_loc_local(1, 3)); /* untouched for the reader */

	rte_rcu_qsbr_quiescent(fx->rcu, READER_ID);
	assert_int_equal(mac_table_learn(fx->t, &newcomer, mac_loc_local(9, 9), 2000), 0);
	assert_ptr_equal(mac_table_find(fx->t, &newcomer), freed);
	rte_rcu_qsbr_thread_offline(fx->rcu, READER_ID);
}

struct walk_log {
	unsigned calls;
	unsigned stop_after;
	uint16_t tenants_seen;
};

static int log_entry(const struct mac_key *key, const struct mac_entry *e, void *ctx)
{
	struct walk_log *log = ctx;

	assert_true(e->location == mac_loc_local(key->tenant_id, key->mac.addr_bytes[5]));
	log->tenants_seen |= 1u << key->tenant_id;
	return ++log->calls == log->stop_after;
}

static void test_walk(void **state)
{
	struct fixture *fx = *state;
	struct walk_log all = {.stop_after = 0};
	struct walk_log first = {.stop_after = 1};

	learn_ok(fx->t, 1, 0xa, mac_loc_local(1, 0xa), 1000);
	learn_ok(fx->t, 2, 0xb, mac_loc_local(2, 0xb), 1000);
	learn_ok(fx->t, 3, 0xc, mac_loc_local(3, 0xc), 1000);
	mac_table_walk(fx->t, log_entry, &all);
	assert_int_equal(all.calls, 3);
	assert_int_equal(all.tenants_seen, 0xe);
	mac_table_walk(fx->t, log_entry, &first);
	assert_int_equal(first.calls, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_learn_then_find, setup, teardown),
		cmocka_unit_test_setup_teardown(test_learn_again_moves_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_static_entry_never_moved_or_aged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_static_replaces_learned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ageing_per_tenant, setup, teardown),
		cmocka_unit_test_setup_teardown(test_learning_again_postpones_ageing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entry_seen_after_now_is_not_aged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_mac_in_two_tenants, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush_tenant, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_if, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush_many_during_one_walk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capacity_exhaustion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_removed_slot_reused_without_readers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_removed_slot_reused_after_grace_period, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_walk, setup, teardown),
	};
	int failed;

	if (eal_fixture_init("pn_unit_mac_table") != 0)
		return 1;
	failed = cmocka_run_group_tests_name("mac_table", tests, NULL, NULL);
	eal_fixture_fini();
	return failed;
}
