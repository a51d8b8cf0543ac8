/* Connection tracking's session tables: whole connections seen by two
 * workers, expiry on a test clock (plain `now` values in TSC cycles, no
 * sleeps), the tenant session limit, lookups across the workers' tables,
 * and entries reused only after an RCU grace period. Keys and the state
 * machines alone: test_conntrack_state.c. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_tcp.h>

#include "dataplane/conntrack.h"
#include "dataplane/tables.h"
#include "eal_fixture.h"

#define CAPACITY 8 /* sessions per table */
#define N_TABLES 2 /* two workers */
#define READER_ID 0 /* the one RCU reader thread the tests may register */
#define TENANT 1
#define QUICK_TENANT 2 /* whose UDP sessions expire sooner */
#define SIDES 0x00070008 /* attachments 7 -> 8 */
#define GENERATION 1
#define REFRESH 10 /* cycles: last_seen is rewritten when older than this */

#define SYN RTE_TCP_SYN_FLAG
#define ACK RTE_TCP_ACK_FLAG
#define FIN RTE_TCP_FIN_FLAG
#define RST RTE_TCP_RST_FLAG
#define PSH RTE_TCP_PSH_FLAG

static const struct ct_timeouts timeouts = {
	.tcp_transitory = 100,
	.tcp_established = 1000,
	.udp = 300,
	.icmp = 200,
};
#define QUICK_UDP_TIMEOUT 50

/* By tenant slot, for ct_expire(): timeouts, except for QUICK_TENANT. */
static struct ct_timeouts by_tenant[DP_MAX_TENANTS];

/* 10.0.0.1 < 10.0.0.2 as numbers; 9.255.255.255 is below both, though
 * its first byte as loaded on a little-endian CPU is not. */
static const uint8_t ip_a[4] = {10, 0, 0, 1};
static const uint8_t ip_b[4] = {10, 0, 0, 2};

/* 2001:db8::1 < 2001:db8::1:0 (low half) < 2001:db8:0:1:: (high half). */
static const uint8_t ip6_a[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t ip6_b[16] = {0x20, 0x01, 0x0d, 0xb8, [13] = 1};

struct fixture {
	struct rte_rcu_qsbr *rcu;
	struct ct_table *tables[N_TABLES];
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	fx->rcu = eal_fixture_rcu();
	if (fx->rcu == NULL)
		return -1;
	fx->tables[0] = ct_table_create("ct_w0", CAPACITY, fx->rcu, SOCKET_ID_ANY);
	fx->tables[1] = ct_table_create("ct_w1", CAPACITY, fx->rcu, SOCKET_ID_ANY);
	if (fx->tables[0] == NULL || fx->tables[1] == NULL)
		return -1;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	/* A reader left registered would hold back the final reclaim. */
	rte_rcu_qsbr_thread_unregister(fx->rcu, READER_ID);
	for (unsigned i = 0; i < N_TABLES; i++)
		ct_table_free(fx->tables[i]);
	rte_free(fx->rcu);
	free(fx);
	return 0;
}

/* An IPv4 UDP key of tenant from ip_a:port to ip_b:53. */
static struct ct_key udp_key(uint16_t tenant, uint16_t port)
{
	struct ct_key key;

	ct_key_make(&key, 4, IPPROTO_UDP, tenant, ip_a, ip_b, port, 53);
	return key;
}

/* Opens a session for key in table own as if a rule accepted it, from side a. */
static struct ct_session *open_session(struct fixture *fx, unsigned own, const struct ct_key *key,
				       enum ct_state state, uint32_t tenant_max, uint64_t now)
{
	const struct ct_open open = {
		.key = key,
		.initiator = CT_SIDE_A,
		.state = state,
		.sides = SIDES,
		.policy_generation = GENERATION,
	};

	return ct_create(fx->tables, N_TABLES, own, &open, tenant_max, now);
}

static struct ct_session *lookup(struct fixture *fx, unsigned own, const struct ct_key *key)
{
	struct ct_session *found;

	ct_lookup_bulk(fx->tables, N_TABLES, own, key, 1, &found);
	return found;
}

struct endpoint {
	const uint8_t *addr; /* IPv4 */
	uint16_t port;
};

/* What a worker does with one IPv4 packet of TENANT: looks it up in all
 * tables, its own first, and moves the session it finds; without one,
 * opens a session in its own table if the packet may open one (as if a
 * rule accepted it). Returns the session's state, or CT_INVALID. */
static enum ct_state worker_packet(struct fixture *fx, unsigned worker, uint8_t proto,
				   struct endpoint src, struct endpoint dst, uint8_t tcp_flags,
				   uint64_t now)
{
	struct ct_key key;
	enum ct_side side =
		ct_key_make(&key, 4, proto, TENANT, src.addr, dst.addr, src.port, dst.port);
	struct ct_session *s = lookup(fx, worker, &key);
	enum ct_state first;

	if (s != NULL)
		return ct_session_update(s, side, tcp_flags, now, REFRESH);
	first = ct_next(proto, CT_NONE, true, tcp_flags);
	if (first == CT_INVALID)
		return CT_INVALID;
	const struct ct_open open = {
		.key = &key,
		.initiator = side,
		.state = first,
		.sides = SIDES,
		.policy_generation = GENERATION,
	};
	s = ct_create(fx->tables, N_TABLES, worker, &open, 0, now);
	assert_non_null(s);
	return s->state;
}

/* A TCP connection from a client on worker 0 to a server whose packets
 * arrive on worker 1: handshake, data both ways, FIN, FIN, last ACK.
 * Packets are more than REFRESH apart, so each valid one sets last_seen. */
static void test_tcp_connection(void **state)
{
	struct fixture *fx = *state;
	const struct endpoint client = {ip_b, 40000}, server = {ip_a, 22};
	struct ct_key key;
	struct ct_session *s;

	assert_int_equal(worker_packet(fx, 0, IPPROTO_TCP, client, server, ACK, 100), CT_INVALID);
	assert_int_equal(worker_packet(fx, 0, IPPROTO_TCP, client, server, SYN, 100), CT_SYN_SENT);
	ct_key_make(&key, 4, IPPROTO_TCP, TENANT, ip_a, ip_b, 22, 40000);
	s = lookup(fx, 1, &key);
	assert_non_null(s);
	assert_int_equal(s->initiator, CT_SIDE_B); /* the client, 10.0.0.2, is b */
	assert_int_equal(s->sides, SIDES);
	assert_int_equal(ct_tenant_sessions(fx->tables, N_TABLES, TENANT), 1);

	assert_int_equal(worker_packet(fx, 1, IPPROTO_TCP, server, client, ACK | PSH, 200),
			 CT_INVALID);
	assert_int_equal(worker_packet(fx, 1, IPPROTO_TCP, server, client, SYN | ACK, 300),
			 CT_SYN_RECV);
	assert_int_equal(worker_packet(fx, 0, IPPROTO_TCP, client, server, ACK, 400),
			 CT_ESTABLISHED);
	assert_int_equal(worker_packet(fx, 0, IPPROTO_TCP, client, server, ACK | PSH, 500),
			 CT_ESTABLISHED);
	assert_int_equal(worker_packet(fx, 1, IPPROTO_TCP, server, client, ACK | PSH, 600),
			 CT_ESTABLISHED);
	assert_int_equal(worker_packet(fx, 0, IPPROTO_TCP, client, server, SYN, 700), CT_INVALID);
	assert_int_equal(s->last_seen, 600);
	assert_int_equal(worker_packet(fx, 1, IPPROTO_TCP, server, client, FIN | ACK, 800),
			 CT_FIN_BY_RESPONDER);
	assert_int_equal(worker_packet(fx, 0, IPPROTO_TCP, client, server, ACK | PSH, 900),
			 CT_FIN_BY_RESPONDER);
	assert_int_equal(worker_packet(fx, 0, IPPROTO_TCP, client, server, FIN | ACK, 1000),
			 CT_CLOSING);
	assert_int_equal(worker_packet(fx, 1, IPPROTO_TCP, server, client, ACK, 1100), CT_CLOSING);
	assert_ptr_equal(lookup(fx, 0, &key), s);
	assert_int_equal(s->last_seen, 1100);

	/* Closing: gone after tcp_transitory, and only from its owner's table. */
	assert_int_equal(ct_expire(fx->tables[1], 1201, by_tenant, CAPACITY + 1), 0);
	assert_int_equal(ct_expire(fx->tables[0], 1200, by_tenant, CAPACITY + 1), 0);
	assert_int_equal(ct_expire(fx->tables[0], 1201, by_tenant, CAPACITY + 1), 1);
	assert_null(lookup(fx, 1, &key));
	assert_int_equal(ct_tenant_sessions(fx->tables, N_TABLES, TENANT), 0);
}

static void test_tcp_reset(void **state)
{
	struct fixture *fx = *state;
	const struct endpoint client = {ip_a, 40000}, server = {ip_b, 23};

	assert_int_equal(worker_packet(fx, 0, IPPROTO_TCP, client, server, SYN, 1), CT_SYN_SENT);
	assert_int_equal(worker_packet(fx, 1, IPPROTO_TCP, server, client, RST | ACK, 2),
			 CT_CLOSED);
	assert_int_equal(worker_packet(fx, 0, IPPROTO_TCP, client, server, SYN, 3), CT_INVALID);
	assert_int_equal(worker_packet(fx, 0, IPPROTO_TCP, client, server, ACK, 3), CT_INVALID);
}

static void test_udp_pseudo_connection(void **state)
{
	struct fixture *fx = *state;
	const struct endpoint client = {ip_a, 5353}, server = {ip_b, 53};

	assert_int_equal(worker_packet(fx, 0, IPPROTO_UDP, client, server, 0, 1), CT_NEW);
	assert_int_equal(worker_packet(fx, 0, IPPROTO_UDP, client, server, 0, 2), CT_NEW);
	assert_int_equal(worker_packet(fx, 1, IPPROTO_UDP, server, client, 0, 3), CT_ESTABLISHED);
	assert_int_equal(worker_packet(fx, 0, IPPROTO_UDP, client, server, 0, 4), CT_ESTABLISHED);
	assert_int_equal(ct_tenant_sessions(fx->tables, N_TABLES, TENANT), 1);
}

static void test_icmp_echo_pseudo_connection(void **state)
{
	struct fixture *fx = *state;
	const uint16_t id = 99;
	struct ct_key request, reply, peer_request;
	struct ct_session *s;
	enum ct_side side;

	side = ct_key_make(&request, 4, IPPROTO_ICMP, TENANT, ip_b, ip_a, id, 0);
	const struct ct_open open = {
		.key = &request,
		.initiator = side,
		.state = ct_next(IPPROTO_ICMP, CT_NONE, true, 0),
		.sides = SIDES,
		.policy_generation = GENERATION,
	};
	s = ct_create(fx->tables, N_TABLES, 0, &open, 0, 1);
	assert_non_null(s);
	assert_int_equal(s->state, CT_NEW);

	side = ct_key_make(&reply, 4, IPPROTO_ICMP, TENANT, ip_a, ip_b, 0, id);
	assert_ptr_equal(lookup(fx, 1, &reply), s);
	assert_int_equal(ct_session_update(s, side, 0, 2, REFRESH), CT_ESTABLISHED);

	/* The peer's own request with the same identifier finds no session:
	 * it goes to the rules. */
	ct_key_make(&peer_request, 4, IPPROTO_ICMP, TENANT, ip_a, ip_b, id, 0);
	assert_null(lookup(fx, 1, &peer_request));
}

/* What every worker's ct_expire() removes at now, over whole tables. */
static unsigned expire_all(struct fixture *fx, uint64_t now)
{
	unsigned removed = 0;

	for (unsigned i = 0; i < N_TABLES; i++)
		removed += ct_expire(fx->tables[i], now, by_tenant, CAPACITY + 1);
	return removed;
}

static void test_expiry_per_protocol(void **state)
{
	struct fixture *fx = *state;
	const uint64_t t0 = 1000;
	struct {
		uint8_t proto;
		enum ct_state state;
		uint64_t timeout;
		struct ct_session *s;
	} rows[] = {
		{IPPROTO_TCP, CT_SYN_SENT, timeouts.tcp_transitory, NULL},
		{IPPROTO_TCP, CT_SYN_RECV, timeouts.tcp_transitory, NULL},
		{IPPROTO_TCP, CT_ESTABLISHED, timeouts.tcp_established, NULL},
		{IPPROTO_TCP, CT_FIN_BY_INITIATOR, timeouts.tcp_established, NULL},
		{IPPROTO_TCP, CT_CLOSING, timeouts.tcp_transitory, NULL},
		{IPPROTO_TCP, CT_CLOSED, timeouts.tcp_transitory, NULL},
		{IPPROTO_UDP, CT_NEW, timeouts.udp, NULL},
		{IPPROTO_UDP, CT_CLOSED, timeouts.tcp_transitory, NULL},
		{IPPROTO_ICMP, CT_ESTABLISHED, timeouts.icmp, NULL},
	};
	_Static_assert(RTE_DIM(rows) <= N_TABLES * CAPACITY, "the tables hold them");

	for (unsigned i = 0; i < RTE_DIM(rows); i++) {
		struct ct_key key;

		ct_key_make(&key, 4, rows[i].proto, TENANT, ip_a, ip_b, 1000 + i, 80);
		rows[i].s = open_session(fx, i % N_TABLES, &key, rows[i].state, 0, t0);
		assert_non_null(rows[i].s);
	}
	for (unsigned i = 0; i < RTE_DIM(rows); i++) {
		const uint64_t deadline = t0 + rows[i].timeout;

		if (ct_session_expired(rows[i].s, deadline, &timeouts))
			fail_msg("row %u expired at its timeout", i);
		if (!ct_session_expired(rows[i].s, deadline + 1, &timeouts))
			fail_msg("row %u not expired after its timeout", i);
		/* Stamped by another worker after this now was read. */
		assert_false(ct_session_expired(rows[i].s, t0 - 5, &timeouts));
	}

	/* ct_expire() removes each exactly after its timeout. */
	assert_int_equal(expire_all(fx, t0 + timeouts.tcp_transitory), 0);
	assert_int_equal(expire_all(fx, t0 + timeouts.tcp_transitory + 1), 5);
	assert_int_equal(expire_all(fx, t0 + timeouts.icmp), 0);
	assert_int_equal(expire_all(fx, t0 + timeouts.icmp + 1), 1);
	assert_int_equal(expire_all(fx, t0 + timeouts.udp), 0);
	assert_int_equal(expire_all(fx, t0 + timeouts.udp + 1), 1);
	assert_int_equal(expire_all(fx, t0 + timeouts.tcp_established), 0);
	assert_int_equal(ct_tenant_sessions(fx->tables, N_TABLES, TENANT), 2);
	assert_int_equal(expire_all(fx, t0 + timeouts.tcp_established + 1), 2);
	assert_int_equal(ct_tenant_sessions(fx->tables, N_TABLES, TENANT), 0);
}

static void test_expiry_per_tenant(void **state)
{
	struct fixture *fx = *state;
	struct ct_key slow = udp_key(TENANT, 1), quick = udp_key(QUICK_TENANT, 1);

	assert_non_null(open_session(fx, 0, &slow, CT_NEW, 0, 0));
	assert_non_null(open_session(fx, 0, &quick, CT_NEW, 0, 0));
	assert_int_equal(ct_expire(fx->tables[0], QUICK_UDP_TIMEOUT, by_tenant, 100), 0);
	assert_int_equal(ct_expire(fx->tables[0], QUICK_UDP_TIMEOUT + 1, by_tenant, 100), 1);
	assert_null(lookup(fx, 0, &quick));
	assert_int_equal(ct_expire(fx->tables[0], timeouts.udp, by_tenant, 100), 0);
	assert_int_equal(ct_expire(fx->tables[0], timeouts.udp + 1, by_tenant, 100), 1);
}

/* A packet refreshes last_seen when it is more than REFRESH old, and so
 * postpones expiry; an invalid packet does not. */
static void test_packets_postpone_expiry(void **state)
{
	struct fixture *fx = *state;
	struct ct_key key = udp_key(TENANT, 1);
	struct ct_session *s = open_session(fx, 0, &key, CT_NEW, 0, 1000);

	assert_int_equal(ct_session_update(s, CT_SIDE_A, 0, 1000 + REFRESH, REFRESH), CT_NEW);
	assert_int_equal(s->last_seen, 1000);
	assert_int_equal(ct_session_update(s, CT_SIDE_A, 0, 1000 + REFRESH + 1, REFRESH), CT_NEW);
	assert_int_equal(s->last_seen, 1000 + REFRESH + 1);
	assert_int_equal(ct_expire(fx->tables[0], 1000 + timeouts.udp + 1, by_tenant, 100), 0);
	assert_true(ct_session_expired(s, 1000 + REFRESH + 1 + timeouts.udp + 1, &timeouts));

	ct_kill(s);
	assert_int_equal(ct_session_update(s, CT_SIDE_B, 0, 2000, REFRESH), CT_INVALID);
	assert_int_equal(s->last_seen, 1000 + REFRESH + 1);
}

static void test_expire_budget_resumes(void **state)
{
	struct fixture *fx = *state;
	struct ct_key keys[6];

	/* Entries are taken in order: keys[i] is in entry i. keys[1] is fresh. */
	for (unsigned i = 0; i < RTE_DIM(keys); i++) {
		keys[i] = udp_key(TENANT, i);
		assert_non_null(open_session(fx, 0, &keys[i], CT_NEW, 0, i == 1 ? 1000 : 0));
	}
	/* Entries 0, 1, 2 */
	assert_int_equal(ct_expire(fx->tables[0], 400, by_tenant, 3), 2);
	assert_null(lookup(fx, 0, &keys[0]));
	assert_non_null(lookup(fx, 0, &keys[1]));
	assert_null(lookup(fx, 0, &keys[2]));
	assert_non_null(lookup(fx, 0, &keys[3]));
	/* 3, 4, 5: where the last call stopped */
	assert_int_equal(ct_expire(fx->tables[0], 400, by_tenant, 3), 3);
	/* 6, 7, 8 (free), then 0, 1 (fresh), 2 */
	assert_int_equal(ct_expire(fx->tables[0], 400, by_tenant, 3), 0);
	assert_int_equal(ct_expire(fx->tables[0], 400, by_tenant, 3), 0);
	assert_int_equal(ct_tenant_sessions(fx->tables, N_TABLES, TENANT), 1);
	/* A budget larger than the table examines each entry once. */
	assert_int_equal(ct_expire(fx->tables[0], 2000, by_tenant, 1000), 1);
	assert_int_equal(ct_tenant_sessions(fx->tables, N_TABLES, TENANT), 0);
}

static void test_tenant_limit_across_tables(void **state)
{
	struct fixture *fx = *state;
	const uint32_t limit = 3;
	const uint16_t other_tenant = 3;
	struct ct_key k[5], other = udp_key(other_tenant, 0);

	for (unsigned i = 0; i < RTE_DIM(k); i++)
		k[i] = udp_key(TENANT, i);
	assert_non_null(open_session(fx, 0, &k[0], CT_NEW, limit, 0));
	assert_non_null(open_session(fx, 0, &k[1], CT_NEW, limit, 100));
	assert_non_null(open_session(fx, 1, &k[2], CT_NEW, limit, 100));
	assert_int_equal(ct_tenant_sessions(fx->tables, N_TABLES, TENANT), 3);

	rte_errno = 0;
	assert_null(open_session(fx, 1, &k[3], CT_NEW, limit, 100));
	assert_int_equal(rte_errno, EDQUOT);
	rte_errno = 0;
	assert_null(open_session(fx, 0, &k[3], CT_NEW, limit, 100));
	assert_int_equal(rte_errno, EDQUOT);
	/* An existing session is no new one. */
	assert_non_null(open_session(fx, 1, &k[2], CT_NEW, limit, 100));
	/* Other tenants have their own count. */
	assert_non_null(open_session(fx, 1, &other, CT_NEW, limit, 100));
	assert_int_equal(ct_tenant_sessions(fx->tables, N_TABLES, other_tenant), 1);

	/* k[0] expires in table 0: room again, in either table. */
	assert_int_equal(ct_expire(fx->tables[0], 350, by_tenant, CAPACITY + 1), 1);
	assert_int_equal(ct_tenant_sessions(fx->tables, N_TABLES, TENANT), 2);
	assert_non_null(open_session(fx, 1, &k[3], CT_NEW, limit, 350));
	/* 0: no limit. */
	assert_non_null(open_session(fx, 0, &k[4], CT_NEW, 0, 350));
	assert_int_equal(ct_tenant_sessions(fx->tables, N_TABLES, TENANT), 4);
}

static void test_create_twice_returns_the_session(void **state)
{
	struct fixture *fx = *state;
	struct ct_key key = udp_key(TENANT, 1);
	struct ct_session *s = open_session(fx, 0, &key, CT_NEW, 0, 1);

	assert_non_null(s);
	assert_int_equal(ct_session_update(s, CT_SIDE_B, 0, 2, REFRESH), CT_ESTABLISHED);
	assert_ptr_equal(open_session(fx, 0, &key, CT_NEW, 0, 3), s);
	assert_int_equal(s->state, CT_ESTABLISHED);
	assert_int_equal(s->last_seen, 1);
	assert_int_equal(ct_tenant_sessions(fx->tables, N_TABLES, TENANT), 1);
}

static void fill_table(struct fixture *fx, unsigned own, uint64_t now)
{
	for (unsigned i = 0; i < CAPACITY; i++) {
		struct ct_key key = udp_key(TENANT, 100 * (own + 1) + i);

		assert_non_null(open_session(fx, own, &key, CT_NEW, 0, now));
	}
}

static void test_table_full(void **state)
{
	struct fixture *fx = *state;
	struct ct_key extra = udp_key(TENANT, 1);

	fill_table(fx, 0, 0);
	rte_errno = 0;
	assert_null(open_session(fx, 0, &extra, CT_NEW, 0, 0));
	assert_int_equal(rte_errno, ENOSPC);
	/* The other worker's table has room. */
	assert_non_null(open_session(fx, 1, &extra, CT_NEW, 0, 0));
	/* Removed sessions make room (no reader to wait for). */
	assert_int_equal(ct_expire(fx->tables[0], 1000, by_tenant, CAPACITY + 1), CAPACITY);
	fill_table(fx, 0, 1000);
}

static void test_cross_table_lookup(void **state)
{
	struct fixture *fx = *state;
	struct ct_key keys[5];
	struct ct_session *in_0, *in_1, *found[RTE_DIM(keys)];

	ct_key_make(&keys[0], 4, IPPROTO_TCP, TENANT, ip_a, ip_b, 40000, 80);
	in_0 = open_session(fx, 0, &keys[0], CT_SYN_SENT, 0, 0);
	ct_key_make(&keys[1], 6, IPPROTO_UDP, TENANT, ip6_a, ip6_b, 5000, 53);
	in_1 = open_session(fx, 1, &keys[1], CT_NEW, 0, 0);
	ct_key_make(&keys[2], 4, IPPROTO_TCP, TENANT, ip_a, ip_b, 40001, 80); /* none */
	ct_key_make(&keys[3], 4, IPPROTO_TCP, TENANT, ip_b, ip_a, 80, 40000); /* reply */
	ct_key_make(&keys[4], 6, IPPROTO_UDP, TENANT, ip6_b, ip6_a, 53, 5000);

	for (unsigned own = 0; own < N_TABLES; own++) {
		ct_lookup_bulk(fx->tables, N_TABLES, own, keys, RTE_DIM(keys), found);
		assert_ptr_equal(found[0], in_0);
		assert_ptr_equal(found[1], in_1);
		assert_null(found[2]);
		assert_ptr_equal(found[3], in_0);
		assert_ptr_equal(found[4], in_1);
	}
	/* The same connection opened by both workers at once: each finds its own. */
	struct ct_session *dup = open_session(fx, 1, &keys[0], CT_SYN_SENT, 0, 0);
	assert_non_null(dup);
	assert_ptr_not_equal(dup, in_0);
	assert_ptr_equal(lookup(fx, 0, &keys[3]), in_0);
	assert_ptr_equal(lookup(fx, 1, &keys[3]), dup);
}

/* A full burst, hits in both tables and misses interleaved. */
static void test_lookup_full_burst(void **state)
{
	struct fixture *fx = *state;
	struct ct_table *tables[N_TABLES];
	struct ct_key keys[CT_LOOKUP_MAX];
	struct ct_session *created[CT_LOOKUP_MAX], *found[CT_LOOKUP_MAX];

	tables[0] = ct_table_create("ct_big0", CT_LOOKUP_MAX, fx->rcu, SOCKET_ID_ANY);
	tables[1] = ct_table_create("ct_big1", CT_LOOKUP_MAX, fx->rcu, SOCKET_ID_ANY);
	assert_non_null(tables[0]);
	assert_non_null(tables[1]);
	/* Key i in table i % 3; none for i % 3 == 2. */
	for (unsigned i = 0; i < CT_LOOKUP_MAX; i++) {
		const struct ct_open open = {.key = &keys[i], .state = CT_NEW};

		keys[i] = udp_key(TENANT, i);
		created[i] = NULL;
		if (i % 3 != 2) {
			created[i] = ct_create(tables, N_TABLES, i % 3, &open, 0, 0);
			assert_non_null(created[i]);
		}
	}
	ct_lookup_bulk(tables, N_TABLES, 1, keys, CT_LOOKUP_MAX, found);
	for (unsigned i = 0; i < CT_LOOKUP_MAX; i++)
		assert_ptr_equal(found[i], created[i]);
	ct_table_free(tables[0]);
	ct_table_free(tables[1]);
}

/* A registered reader may still hold a removed session: its entry and
 * hash slot are reused only after the reader reports a quiescent state. */
static void test_removed_session_kept_until_grace_period(void **state)
{
	struct fixture *fx = *state;
	struct ct_key victim = udp_key(TENANT, 1), newcomer = udp_key(TENANT, 2);
	struct ct_session *held, before;

	assert_int_equal(rte_rcu_qsbr_thread_register(fx->rcu, READER_ID), 0);
	rte_rcu_qsbr_thread_online(fx->rcu, READER_ID);
	/* A full table in which only the victim is old. */
	assert_non_null(open_session(fx, 0, &victim, CT_NEW, 0, 0));
	for (unsigned i = 1; i < CAPACITY; i++) {
		struct ct_key key = udp_key(TENANT, 100 + i);

		assert_non_null(open_session(fx, 0, &key, CT_NEW, 0, 1000));
	}
	/* The reader (worker 1) finds the victim in its burst... */
	held = lookup(fx, 1, &victim);
	assert_non_null(held);
	before = *held;
	/* ...while its owner removes it. */
	assert_int_equal(ct_expire(fx->tables[0], timeouts.udp + 1, by_tenant, CAPACITY + 1), 1);
	assert_null(lookup(fx, 0, &victim));
	rte_errno = 0;
	assert_null(open_session(fx, 0, &newcomer, CT_NEW, 0, 1001));
	assert_int_equal(rte_errno, ENOSPC);
	assert_memory_equal(&held->key, &before.key, sizeof(before.key));
	assert_int_equal(held->state, before.state);
	assert_int_equal(held->last_seen, before.last_seen);
	/* The reader's burst goes on with it, harmlessly. */
	assert_int_equal(ct_session_update(held, CT_SIDE_B, 0, 1002, REFRESH), CT_ESTABLISHED);

	rte_rcu_qsbr_quiescent(fx->rcu, READER_ID);
	assert_non_null(open_session(fx, 0, &newcomer, CT_NEW, 0, 1003));
	assert_int_equal(ct_tenant_sessions(fx->tables, N_TABLES, TENANT), CAPACITY);
	rte_rcu_qsbr_thread_offline(fx->rcu, READER_ID);
}

struct walk_log {
	unsigned calls;
	unsigned stop_after; /* 0: never */
	uint32_t ports_seen; /* bit port_a */
};

static int log_session(const struct ct_session *s, void *ctx)
{
	struct walk_log *log = ctx;

	assert_int_equal(s->version % 2, 0);
	assert_int_equal(s->key.tenant, TENANT);
	assert_int_equal(s->state, CT_NEW);
	assert_int_equal(s->sides, SIDES);
	assert_int_equal(s->policy_generation, GENERATION);
	assert_int_equal(s->last_seen, 500);
	log->ports_seen |= 1u << s->key.port_a;
	return ++log->calls == log->stop_after;
}

static void test_walk(void **state)
{
	struct fixture *fx = *state;
	struct walk_log all = {.stop_after = 0}, first = {.stop_after = 1};

	for (unsigned port = 1; port <= 3; port++) {
		struct ct_key key = udp_key(TENANT, port);

		assert_non_null(open_session(fx, 0, &key, CT_NEW, 0, port == 2 ? 0 : 500));
	}
	assert_int_equal(ct_expire(fx->tables[0], 301, by_tenant, CAPACITY + 1), 1);
	ct_table_walk(fx->tables[0], log_session, &all);
	assert_int_equal(all.calls, 2);
	assert_int_equal(all.ports_seen, 1u << 1 | 1u << 3);
	ct_table_walk(fx->tables[0], log_session, &first);
	assert_int_equal(first.calls, 1);
	all.calls = 0;
	ct_table_walk(fx->tables[1], log_session, &all);
	assert_int_equal(all.calls, 0);
}

static void test_rule_change(void **state)
{
	struct fixture *fx = *state;
	struct ct_key key;
	struct ct_session *s;

	ct_key_make(&key, 4, IPPROTO_TCP, TENANT, ip_a, ip_b, 40000, 80);
	s = open_session(fx, 0, &key, CT_ESTABLISHED, 0, 0);
	assert_false(ct_session_stale(s, GENERATION));
	assert_true(ct_session_stale(s, GENERATION + 1));
	/* Still accepted by the new rules, through another rule. */
	ct_session_reaccept(s, SIDES + 1, GENERATION + 1);
	assert_false(ct_session_stale(s, GENERATION + 1));
	assert_int_equal(s->sides, SIDES + 1);
	/* Denied by the next ones: closed for both directions at once. */
	assert_true(ct_session_stale(s, GENERATION + 2));
	ct_kill(s);
	assert_int_equal(ct_session_update(s, CT_SIDE_A, ACK, 1, REFRESH), CT_INVALID);
	assert_int_equal(ct_session_update(s, CT_SIDE_B, ACK, 1, REFRESH), CT_INVALID);
	assert_int_equal(ct_session_update(s, CT_SIDE_A, SYN, 1, REFRESH), CT_INVALID);
	/* Removed after tcp_transitory, not tcp_established. */
	assert_int_equal(ct_expire(fx->tables[0], timeouts.tcp_transitory + 1, by_tenant, 100), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tcp_connection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp_pseudo_connection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_icmp_echo_pseudo_connection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expiry_per_protocol, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expiry_per_tenant, setup, teardown),
		cmocka_unit_test_setup_teardown(test_packets_postpone_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expire_budget_resumes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tenant_limit_across_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_twice_returns_the_session, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_table_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cross_table_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lookup_full_burst, setup, teardown),
		cmocka_unit_test_setup_teardown(test_removed_session_kept_until_grace_period, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_walk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule_change, setup, teardown),
	};
	int failed;

	for (unsigned i = 0; i < DP_MAX_TENANTS; i++)
		by_tenant[i] = timeouts;
	by_tenant[QUICK_TENANT].udp = QUICK_UDP_TIMEOUT;
	if (eal_fixture_init("pn_unit_conntrack") != 0)
		return 1;
	failed = cmocka_run_group_tests_name("conntrack", tests, NULL, NULL);
	eal_fixture_fini();
	return failed;
}
