/* Security groups compiled into the datapath tables (control/sg_compile.c):
 * policies built group by group in the attachment's order, shared by equal
 * rule lists, rules of either family split in two, ports and ICMP
 * translated, rule ids, hit counters and their carrying across
 * recompiles, the policy generation, and the tenants' conntrack settings.
 * The tables are checked by classifying keys against them; no port is
 * started (the port ids are only indexes). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_cycles.h>

#include "control/sg_compile.h"
#include "control/table_compile.h"
#include "eal_fixture.h"

enum { ACC0, ACC1, N_PORTS }; /* configured ports, also their DPDK port ids */
#define N_WORKERS 2
#define GROUPS_MAX 8 /* per tenant in these tests */
#define RULES_MAX 8  /* per group in these tests */

static const uint16_t port_ids[N_PORTS] = {ACC0, ACC1};
static uint16_t tenant_slots[CONFIG_MAX_TENANTS]; /* tenant i in slot i unless a test moves it */
static const uint16_t rx_queues[N_PORTS] = {1, 1};
static const struct rte_ether_addr local_mac = {{0x02, 0, 0, 0, 0, 1}};
static struct neighbour_table neighbours;

static struct config *config_new(void)
{
	struct config *cfg = calloc(1, sizeof(*cfg));

	assert_non_null(cfg);
	for (unsigned p = 0; p < N_PORTS; p++) {
		struct port_config *pc = &cfg->ports[cfg->n_ports++];

		snprintf(pc->name, sizeof(pc->name), "acc%u", p);
		snprintf(pc->devargs, sizeof(pc->devargs), "net_null%u", p);
		pc->role = PORT_ROLE_ACCESS;
		pc->mtu = 1500;
	}
	return cfg;
}

static struct tenant_config *tenant_add(struct config *cfg, const char *name, uint16_t id)
{
	struct tenant_config *tc = &cfg->tenants[cfg->n_tenants++];

	snprintf(tc->name, sizeof(tc->name), "%s", name);
	tc->id = id;
	tc->groups = calloc(GROUPS_MAX, sizeof(*tc->groups));
	assert_non_null(tc->groups);
	tc->conntrack = (struct conntrack_config){
		.session_limit = 65536,
		.tcp_established_s = 3600,
		.tcp_transitory_s = 30,
		.udp_s = 30,
		.icmp_s = 10,
	};
	return tc;
}

static struct security_group_config *group_add(struct tenant_config *tc, const char *name)
{
	struct security_group_config *g = &tc->groups[tc->n_groups++];

	assert_true(tc->n_groups <= GROUPS_MAX);
	snprintf(g->name, sizeof(g->name), "%s", name);
	g->rules = calloc(RULES_MAX, sizeof(*g->rules));
	assert_non_null(g->rules);
	return g;
}

/* A rule that matches everything, to narrow with the rule_* helpers;
 * rules must be added in ascending sequence, as the config keeps them. */
static struct sg_rule_config *rule_add(struct security_group_config *g, uint32_t sequence,
				       enum sg_direction_config direction,
				       enum sg_action_config action)
{
	struct sg_rule_config *r = &g->rules[g->n_rules++];

	assert_true(g->n_rules <= RULES_MAX);
	*r = (struct sg_rule_config){
		.sequence = sequence,
		.direction = direction,
		.action = action,
		.any_proto = true,
		.sport_hi = UINT16_MAX,
		.dport_hi = UINT16_MAX,
	};
	return r;
}

static void rule_dport(struct sg_rule_config *r, uint8_t proto, uint16_t lo, uint16_t hi)
{
	r->any_proto = false;
	r->proto = proto;
	r->dport_lo = lo;
	r->dport_hi = hi;
}

static void rule_icmp(struct sg_rule_config *r, uint8_t proto, uint8_t type, int code)
{
	r->any_proto = false;
	r->proto = proto;
	r->family = proto == IPPROTO_ICMP ? 4 : 6;
	r->has_icmp_type = true;
	r->icmp_type = type;
	r->has_icmp_code = code >= 0;
	r->icmp_code = code >= 0 ? code : 0;
}

static void rule_src(struct sg_rule_config *r, const char *addr, uint8_t len)
{
	r->family = strchr(addr, ':') ? 6 : 4;
	r->has_src = true;
	r->src_len = len;
	assert_int_equal(inet_pton(r->family == 6 ? AF_INET6 : AF_INET, addr, r->src), 1);
}

/* An attachment filtered by the tenant's groups at the given indexes,
 * with the cloud defaults (ingress drop, egress accept). */
static void attach(struct tenant_config *tc, const char *name, unsigned port, uint16_t vlan,
		   unsigned n_groups, const uint16_t *groups)
{
	struct attachment_config *ac = &tc->attachments[tc->n_attachments++];

	snprintf(ac->name, sizeof(ac->name), "%s", name);
	snprintf(ac->port, sizeof(ac->port), "acc%u", port);
	ac->vlan = vlan;
	ac->sg.n_groups = n_groups;
	if (n_groups != 0) /* groups may be NULL then */
		memcpy(ac->sg.groups, groups, n_groups * sizeof(*groups));
	ac->sg.ingress_default = SG_ACTION_DROP;
	ac->sg.egress_default = SG_ACTION_ACCEPT;
}

/* The published generation and digest that compile() starts from. */
struct published {
	uint32_t generation;
	uint64_t digest;
};

static int slots_reset(void **state)
{
	(void)state;
	for (unsigned i = 0; i < CONFIG_MAX_TENANTS; i++)
		tenant_slots[i] = i;
	return 0;
}

/* Tables for cfg after tables described by pub; pub then describes the
 * new tables. */
static struct dp_tables *compile(const struct config *cfg, struct published *pub)
{
	char err[256] = "";
	uint64_t digest = 0;
	const struct table_inputs in = {
		.cfg = cfg,
		.port_ids = port_ids,
		.port_rx_queues = rx_queues,
		.tenant_slots = tenant_slots,
		.n_workers = N_WORKERS,
		.local_mac = &local_mac,
		.neighbours = &neighbours,
		.published_sg_generation = pub->generation,
		.published_sg_digest = pub->digest,
		.sg_digest = &digest,
	};
	struct dp_tables *t = tables_compile(&in, err, sizeof(err));

	if (t == NULL)
		fail_msg("tables_compile: %s", err);
	*pub = (struct published){t->sg_generation, digest};
	return t;
}

static struct dp_tables *compile_first(const struct config *cfg)
{
	struct published pub = {0, 0};

	return compile(cfg, &pub);
}

static const struct dp_sg_attachment *sg_of(const struct dp_tables *t, unsigned port,
					    uint16_t vlan)
{
	uint16_t k = t->ports[port].vlan_sg[vlan];

	assert_int_not_equal(k, DP_NO_SG);
	return &t->sg_attachments[k];
}

static uint32_t policy_of(const struct dp_tables *t, unsigned port, uint16_t vlan,
			  enum sg_direction d)
{
	return sg_of(t, port, vlan)->policy[d];
}

/* The classifier's result for an IPv4 packet in policy. */
static uint32_t classify4(const struct dp_tables *t, uint32_t policy, uint8_t proto,
			  const char *src, const char *dst, uint16_t sport, uint16_t dport)
{
	struct sg_key4 k;
	const uint8_t *keys[1] = {(const uint8_t *)&k};
	uint32_t result;

	sg_key4_fill(&k, policy, proto, inet_addr(src), inet_addr(dst), sport, dport);
	sg_acl_classify4(t->acl, keys, &result, 1);
	return result;
}

static uint32_t classify6(const struct dp_tables *t, uint32_t policy, uint8_t proto,
			  const char *src, const char *dst, uint16_t sport, uint16_t dport)
{
	uint8_t s[16], d[16];
	struct sg_key6 k;
	const uint8_t *keys[1] = {(const uint8_t *)&k};
	uint32_t result;

	assert_int_equal(inet_pton(AF_INET6, src, s), 1);
	assert_int_equal(inet_pton(AF_INET6, dst, d), 1);
	sg_key6_fill(&k, policy, proto, s, d, sport, dport);
	sg_acl_classify6(t->acl, keys, &result, 1);
	return result;
}

/* The attachment and direction whose policy the next assert_rule() calls
 * classify in: results are positions in the policy, which the attachment
 * maps to its own rule ids. */
static const struct dp_sg_attachment *checked_sa;
static enum sg_direction checked_dir;

static uint32_t checked_policy(const struct dp_tables *t, unsigned port, uint16_t vlan,
			       enum sg_direction d)
{
	checked_sa = sg_of(t, port, vlan);
	checked_dir = d;
	return checked_sa->policy[d];
}

static void assert_rule(const struct dp_tables *t, uint32_t result, uint32_t id,
			enum sg_action action)
{
	assert_int_not_equal(result, 0);
	assert_int_equal(dp_sg_rule_id(t, checked_sa, checked_dir, result), id);
	assert_int_equal(sg_acl_result_action(t->acl, result), action);
}

/* A tenant with group web (ingress: 10 drops TCP 22, 20 accepts TCP
 * 1..1000) and group admin (ingress: 5 rejects TCP 1..100; egress: 60
 * drops everything). In the first tenant, their rule ids are 0 to 3. */
static struct tenant_config *tenant_with_two_groups(struct config *cfg, const char *name,
						    uint16_t id)
{
	struct tenant_config *tc = tenant_add(cfg, name, id);
	struct security_group_config *web = group_add(tc, "web");
	struct security_group_config *admin = group_add(tc, "admin");

	rule_dport(rule_add(web, 10, SG_DIRECTION_INGRESS, SG_ACTION_DROP), IPPROTO_TCP, 22, 22);
	rule_dport(rule_add(web, 20, SG_DIRECTION_INGRESS, SG_ACTION_ACCEPT), IPPROTO_TCP, 1, 1000);
	rule_dport(rule_add(admin, 5, SG_DIRECTION_INGRESS, SG_ACTION_REJECT), IPPROTO_TCP, 1,
		   100);
	rule_add(admin, 60, SG_DIRECTION_EGRESS, SG_ACTION_DROP);
	return tc;
}

static void test_policy_is_groups_in_attachment_order(void **state)
{
	static const uint16_t web_first[] = {0, 1}, admin_first[] = {1, 0};
	struct config *cfg = config_new();
	struct tenant_config *tc = tenant_with_two_groups(cfg, "red", 100);
	struct dp_tables *t;
	uint32_t p;
	(void)state;

	attach(tc, "a", ACC0, 10, 2, web_first);
	attach(tc, "b", ACC1, 0, 2, admin_first);
	t = compile_first(cfg);

	/* web first: its drop of port 22 wins over admin's reject of 1..100,
	 * whose sequence is lower: the groups' order comes first. */
	p = checked_policy(t, ACC0, 10, SG_TO_VM);
	assert_rule(t, classify4(t, p, IPPROTO_TCP, "10.0.0.1", "10.0.0.2", 999, 22), 0, SG_DROP);
	assert_rule(t, classify4(t, p, IPPROTO_TCP, "10.0.0.1", "10.0.0.2", 999, 80), 1,
		    SG_ACCEPT);
	assert_int_equal(classify4(t, p, IPPROTO_TCP, "10.0.0.1", "10.0.0.2", 999, 1001), 0);
	assert_int_equal(classify4(t, p, IPPROTO_UDP, "10.0.0.1", "10.0.0.2", 999, 22), 0);
	/* admin first: its reject covers 22 and 80, then web's rules follow. */
	p = checked_policy(t, ACC1, 0, SG_TO_VM);
	assert_rule(t, classify4(t, p, IPPROTO_TCP, "10.0.0.1", "10.0.0.2", 999, 22), 2,
		    SG_REJECT);
	assert_rule(t, classify4(t, p, IPPROTO_TCP, "10.0.0.1", "10.0.0.2", 999, 80), 2,
		    SG_REJECT);
	assert_rule(t, classify4(t, p, IPPROTO_TCP, "10.0.0.1", "10.0.0.2", 999, 200), 1,
		    SG_ACCEPT);
	/* Egress has only admin's rule, whatever the order: one policy. */
	assert_int_equal(policy_of(t, ACC0, 10, SG_FROM_VM), policy_of(t, ACC1, 0, SG_FROM_VM));
	p = checked_policy(t, ACC0, 10, SG_FROM_VM);
	assert_rule(t, classify4(t, p, IPPROTO_TCP, "10.0.0.2", "10.0.0.1", 22, 999), 3, SG_DROP);
	/* Defaults, tenant slot and verdict counters. */
	assert_int_equal(sg_of(t, ACC0, 10)->default_action[SG_TO_VM], SG_DROP);
	assert_int_equal(sg_of(t, ACC0, 10)->default_action[SG_FROM_VM], SG_ACCEPT);
	assert_int_equal(sg_of(t, ACC1, 0)->tenant, 0);
	assert_int_equal(sg_of(t, ACC1, 0)->counter, sg_verdict_counter(0, 1));
	assert_int_equal(t->ports[ACC0].vlan_sg[0], DP_NO_SG);
	tables_free(t);
	config_free(cfg);
}

static void test_equal_rule_lists_share_a_policy(void **state)
{
	static const uint16_t web[] = {0}, web_admin[] = {0, 1}, empty_egress[] = {0, 2};
	struct config *cfg = config_new();
	struct tenant_config *red = tenant_with_two_groups(cfg, "red", 100);
	struct tenant_config *blue = tenant_with_two_groups(cfg, "blue", 200);
	struct dp_tables *t;
	uint32_t p;
	(void)state;

	/* red's third group only has egress rules. */
	rule_add(group_add(red, "out"), 1, SG_DIRECTION_EGRESS, SG_ACTION_ACCEPT);
	attach(red, "a", ACC0, 10, 2, web_admin);
	attach(red, "b", ACC0, 11, 2, web_admin);
	attach(red, "c", ACC0, 12, 1, web);
	attach(red, "d", ACC0, 13, 2, empty_egress);
	attach(blue, "e", ACC1, 10, 2, web_admin);
	t = compile_first(cfg);

	assert_int_equal(policy_of(t, ACC0, 10, SG_TO_VM), 1);
	assert_int_equal(policy_of(t, ACC0, 10, SG_FROM_VM), 2);
	/* The same groups: the same policies. */
	assert_int_equal(policy_of(t, ACC0, 11, SG_TO_VM), 1);
	assert_int_equal(policy_of(t, ACC0, 11, SG_FROM_VM), 2);
	/* web alone: other ingress rules; its empty egress list is a policy
	 * that matches nothing (the default decides). */
	assert_int_equal(policy_of(t, ACC0, 12, SG_TO_VM), 3);
	assert_int_equal(policy_of(t, ACC0, 12, SG_FROM_VM), 4);
	assert_int_equal(classify4(t, 4, IPPROTO_TCP, "10.0.0.2", "10.0.0.1", 22, 999), 0);
	/* web and out: web's ingress rules as for c, out's egress rule. */
	assert_int_equal(policy_of(t, ACC0, 13, SG_TO_VM), 3);
	assert_int_equal(policy_of(t, ACC0, 13, SG_FROM_VM), 5);
	/* blue's groups say the same as red's: the same policies, but a match
	 * counts on blue's own rules (ids 5..8). */
	assert_int_equal(policy_of(t, ACC1, 10, SG_TO_VM), 1);
	assert_int_equal(policy_of(t, ACC1, 10, SG_FROM_VM), 2);
	p = checked_policy(t, ACC1, 10, SG_TO_VM);
	assert_rule(t, classify4(t, p, IPPROTO_TCP, "10.0.0.1", "10.0.0.2", 999, 22), 5, SG_DROP);
	p = checked_policy(t, ACC0, 10, SG_TO_VM);
	assert_rule(t, classify4(t, p, IPPROTO_TCP, "10.0.0.1", "10.0.0.2", 999, 22), 0, SG_DROP);
	/* Classifier rules: 3 + 1 (a, b, e) + 2 (c) + 0 + 1 (d), in both
	 * families as no rule has a prefix. */
	assert_int_equal(sg_acl_rule_count(t->acl), 2 * 7);
	tables_free(t);
	config_free(cfg);
}

static void test_rule_of_either_family_is_split(void **state)
{
	static const uint16_t g0[] = {0};
	struct config *cfg = config_new();
	struct tenant_config *tc = tenant_add(cfg, "red", 100);
	struct security_group_config *g = group_add(tc, "g");
	struct dp_tables *t;
	uint32_t p;
	(void)state;

	rule_src(rule_add(g, 1, SG_DIRECTION_INGRESS, SG_ACTION_DROP), "2001:db8::", 32);
	rule_dport(rule_add(g, 2, SG_DIRECTION_INGRESS, SG_ACTION_ACCEPT), IPPROTO_TCP, 80, 80);
	rule_src(rule_add(g, 3, SG_DIRECTION_INGRESS, SG_ACTION_REJECT), "192.168.0.0", 16);
	attach(tc, "a", ACC0, 0, 1, g0);
	t = compile_first(cfg);

	p = checked_policy(t, ACC0, 0, SG_TO_VM);
	assert_int_equal(sg_acl_rule_count(t->acl), 4);
	assert_rule(t, classify4(t, p, IPPROTO_TCP, "192.168.1.1", "10.0.0.1", 999, 80), 1,
		    SG_ACCEPT);
	assert_rule(t, classify6(t, p, IPPROTO_TCP, "2001:db9::1", "2001:db9::2", 999, 80), 1,
		    SG_ACCEPT);
	/* The IPv6 rule comes first for IPv6 packets only. */
	assert_rule(t, classify6(t, p, IPPROTO_TCP, "2001:db8::1", "2001:db9::2", 999, 80), 0,
		    SG_DROP);
	assert_rule(t, classify4(t, p, IPPROTO_UDP, "192.168.1.1", "10.0.0.1", 999, 80), 2,
		    SG_REJECT);
	assert_int_equal(classify6(t, p, IPPROTO_UDP, "2001:db9::1", "2001:db9::2", 999, 80), 0);
	tables_free(t);
	config_free(cfg);
}

static void test_ports_and_icmp_translated(void **state)
{
	static const uint16_t g0[] = {0};
	struct config *cfg = config_new();
	struct tenant_config *tc = tenant_add(cfg, "red", 100);
	struct security_group_config *g = group_add(tc, "g");
	struct sg_rule_config *r;
	struct dp_tables *t;
	uint32_t p;
	(void)state;

	rule_icmp(rule_add(g, 1, SG_DIRECTION_INGRESS, SG_ACTION_ACCEPT), IPPROTO_ICMP, 8, -1);
	rule_icmp(rule_add(g, 2, SG_DIRECTION_INGRESS, SG_ACTION_REJECT), IPPROTO_ICMP, 3, 1);
	rule_icmp(rule_add(g, 3, SG_DIRECTION_INGRESS, SG_ACTION_ACCEPT), IPPROTO_ICMPV6, 128, -1);
	r = rule_add(g, 4, SG_DIRECTION_INGRESS, SG_ACTION_ACCEPT);
	rule_dport(r, IPPROTO_UDP, 53, 53);
	r->sport_lo = 1024;
	r->sport_hi = 2047;
	/* A protocol without ports: the worker's keys carry 0, 0. */
	r = rule_add(g, 5, SG_DIRECTION_INGRESS, SG_ACTION_DROP);
	r->any_proto = false;
	r->proto = IPPROTO_GRE;
	rule_src(rule_add(g, 6, SG_DIRECTION_INGRESS, SG_ACTION_REJECT), "10.9.0.0", 16);
	attach(tc, "a", ACC0, 0, 1, g0);
	t = compile_first(cfg);
	p = checked_policy(t, ACC0, 0, SG_TO_VM);

	/* ICMP type in the source port, code in the destination port. */
	assert_rule(t, classify4(t, p, IPPROTO_ICMP, "10.0.0.1", "10.0.0.2", 8, 0), 0, SG_ACCEPT);
	assert_rule(t, classify4(t, p, IPPROTO_ICMP, "10.0.0.1", "10.0.0.2", 8, 255), 0,
		    SG_ACCEPT);
	assert_int_equal(classify4(t, p, IPPROTO_ICMP, "10.0.0.1", "10.0.0.2", 0, 0), 0);
	assert_rule(t, classify4(t, p, IPPROTO_ICMP, "10.0.0.1", "10.0.0.2", 3, 1), 1, SG_REJECT);
	assert_int_equal(classify4(t, p, IPPROTO_ICMP, "10.0.0.1", "10.0.0.2", 3, 2), 0);
	assert_rule(t, classify6(t, p, IPPROTO_ICMPV6, "2001:db8::1", "2001:db8::2", 128, 0), 2,
		    SG_ACCEPT);
	assert_int_equal(classify6(t, p, IPPROTO_ICMPV6, "2001:db8::1", "2001:db8::2", 129, 0), 0);
	/* Both port ranges, inclusive. */
	assert_rule(t, classify4(t, p, IPPROTO_UDP, "10.0.0.1", "10.0.0.2", 1024, 53), 3,
		    SG_ACCEPT);
	assert_rule(t, classify4(t, p, IPPROTO_UDP, "10.0.0.1", "10.0.0.2", 2047, 53), 3,
		    SG_ACCEPT);
	assert_int_equal(classify4(t, p, IPPROTO_UDP, "10.0.0.1", "10.0.0.2", 2048, 53), 0);
	assert_int_equal(classify4(t, p, IPPROTO_UDP, "10.0.0.1", "10.0.0.2", 1024, 54), 0);
	assert_rule(t, classify6(t, p, IPPROTO_UDP, "2001:db8::1", "2001:db8::2", 1500, 53), 3,
		    SG_ACCEPT);
	assert_rule(t, classify4(t, p, IPPROTO_GRE, "10.0.0.1", "10.0.0.2", 0, 0), 4, SG_DROP);
	/* Any protocol, any ports. */
	assert_rule(t, classify4(t, p, IPPROTO_TCP, "10.9.1.1", "10.0.0.2", 65535, 1), 5,
		    SG_REJECT);
	assert_rule(t, classify4(t, p, IPPROTO_ICMP, "10.9.1.1", "10.0.0.2", 0, 0), 5, SG_REJECT);
	assert_int_equal(classify4(t, p, IPPROTO_TCP, "10.8.1.1", "10.0.0.2", 65535, 1), 0);
	tables_free(t);
	config_free(cfg);
}

static void test_groups_without_rules_leave_defaults(void **state)
{
	static const uint16_t g0[] = {0};
	struct config *cfg = config_new();
	struct tenant_config *tc = tenant_add(cfg, "red", 100);
	struct dp_tables *t;
	(void)state;

	group_add(tc, "empty");
	attach(tc, "a", ACC0, 7, 1, g0);
	attach(tc, "unfiltered", ACC0, 8, 0, NULL);
	tc->attachments[0].sg.ingress_default = SG_ACTION_REJECT;
	t = compile_first(cfg);

	assert_null(t->acl);
	assert_int_equal(t->n_rule_ids, 0);
	assert_null(t->sg_hits);
	assert_int_equal(sg_of(t, ACC0, 7)->default_action[SG_TO_VM], SG_REJECT);
	assert_int_equal(sg_of(t, ACC0, 7)->default_action[SG_FROM_VM], SG_ACCEPT);
	assert_int_not_equal(sg_of(t, ACC0, 7)->policy[SG_TO_VM], 0);
	assert_int_equal(t->ports[ACC0].vlan_sg[8], DP_NO_SG);
	tables_free(t);

	tc->attachments[0].sg.n_groups = 0;
	t = compile_first(cfg);
	assert_null(t->sg_attachments);
	assert_int_equal(t->ports[ACC0].vlan_sg[7], DP_NO_SG);
	tables_free(t);
	config_free(cfg);
}

static void test_hit_counters_per_worker_row(void **state)
{
	static const uint16_t g0[] = {0};
	struct config *cfg = config_new();
	struct tenant_config *tc = tenant_with_two_groups(cfg, "red", 100);
	struct dp_tables *t;
	(void)state;

	attach(tc, "a", ACC0, 0, 1, g0);
	t = compile_first(cfg);

	/* 4 rules (also admin's, attached to nothing), rows of a cache line. */
	assert_true(t->n_rule_ids >= 4);
	assert_int_equal(t->n_rule_ids * sizeof(uint64_t) % RTE_CACHE_LINE_SIZE, 0);
	for (unsigned w = 0; w < N_WORKERS; w++) {
		assert_int_equal((uintptr_t)&t->sg_hits[w * t->n_rule_ids] % RTE_CACHE_LINE_SIZE, 0);
		for (unsigned r = 0; r < t->n_rule_ids; r++)
			assert_int_equal(t->sg_hits[w * t->n_rule_ids + r], 0);
	}
	assert_int_equal(sg_rule_count(cfg), 4);
	tables_free(t);
	config_free(cfg);
}

static void test_hits_carried_by_tenant_group_and_sequence(void **state)
{
	static const uint16_t g0[] = {0};
	struct config *prev_cfg = config_new(), *next_cfg = config_new();
	struct tenant_config *red, *other;
	struct dp_tables *prev;
	uint64_t prev_base[4] = {1000, 2000, 3000, 4000};
	uint64_t next_base[16] = {0};
	(void)state;

	attach(tenant_with_two_groups(prev_cfg, "red", 100), "a", ACC0, 0, 1, g0);
	prev = compile_first(prev_cfg);
	for (unsigned w = 0; w < N_WORKERS; w++)
		for (unsigned id = 0; id < 4; id++)
			prev->sg_hits[w * prev->n_rule_ids + id] = 10 * (w + 1) + id;

	/* Next: a tenant before red (its rules take ids 0 and 1), red with a
	 * new group before web, web without rule 10 and with a new rule 15. */
	other = tenant_add(next_cfg, "other", 50);
	rule_add(group_add(other, "x"), 1, SG_DIRECTION_INGRESS, SG_ACTION_ACCEPT);
	rule_add(&other->groups[0], 2, SG_DIRECTION_INGRESS, SG_ACTION_ACCEPT);
	red = tenant_add(next_cfg, "red", 100);
	rule_add(group_add(red, "new"), 1, SG_DIRECTION_INGRESS, SG_ACTION_ACCEPT);
	rule_add(group_add(red, "web"), 15, SG_DIRECTION_INGRESS, SG_ACTION_ACCEPT);
	rule_add(&red->groups[1], 20, SG_DIRECTION_INGRESS, SG_ACTION_DROP);
	rule_add(group_add(red, "admin"), 5, SG_DIRECTION_INGRESS, SG_ACTION_ACCEPT);
	rule_add(&red->groups[2], 60, SG_DIRECTION_EGRESS, SG_ACTION_ACCEPT);
	assert_int_equal(sg_rule_count(next_cfg), 7);

	sg_hits_carry(prev_cfg, prev, prev_base, N_WORKERS, next_cfg, next_base);
	/* ids: other 0, 1; red/new 2; red/web 15 -> 3, 20 -> 4; red/admin
	 * 5 -> 5, 60 -> 6. Changed actions do not matter: the rule stays. */
	assert_int_equal(next_base[0], 0);
	assert_int_equal(next_base[1], 0);
	assert_int_equal(next_base[2], 0);
	assert_int_equal(next_base[3], 0);              /* web 15 is new */
	assert_int_equal(next_base[4], 2000 + 11 + 21); /* web 20, prev id 1 */
	assert_int_equal(next_base[5], 3000 + 12 + 22); /* admin 5, prev id 2 */
	assert_int_equal(next_base[6], 4000 + 13 + 23); /* admin 60, prev id 3 */
	assert_int_equal(next_base[7], 0);
	/* web 10 (prev id 0) is gone, and its 1000 + 10 + 20 with it. */

	/* Nothing retired yet: nothing to carry. */
	memset(next_base, 0, sizeof(next_base));
	sg_hits_carry(prev_cfg, NULL, NULL, N_WORKERS, next_cfg, next_base);
	for (unsigned id = 0; id < RTE_DIM(next_base); id++)
		assert_int_equal(next_base[id], 0);
	tables_free(prev);
	config_free(prev_cfg);
	config_free(next_cfg);
}

static void test_generation_changes_with_policies_only(void **state)
{
	static const uint16_t g0[] = {0}, g01[] = {0, 1};
	struct config *before = config_new(), *after = config_new();
	struct published pub = {0, 0};
	struct tenant_config *red;
	struct dp_tables *t;
	(void)state;

	attach(tenant_with_two_groups(before, "red", 100), "a", ACC0, 10, 1, g0);
	t = compile(before, &pub);
	assert_int_equal(t->sg_generation, 1);
	tables_free(t);
	/* The same configuration again, as when a neighbour resolves. */
	t = compile(before, &pub);
	assert_int_equal(t->sg_generation, 1);
	tables_free(t);

	/* Unrelated changes: a tenant before red whose group nothing uses
	 * (red's rule ids shift, what its packets meet does not), red's MAC
	 * limit and timeouts. red keeps its slot, as the agent keeps it. */
	rule_add(group_add(tenant_add(after, "blue", 200), "unused"), 1, SG_DIRECTION_INGRESS,
		 SG_ACTION_DROP);
	red = tenant_with_two_groups(after, "red", 100);
	attach(red, "a", ACC0, 10, 1, g0);
	red->mac_limit = 10;
	red->conntrack.udp_s = 99;
	tenant_slots[0] = 1;
	tenant_slots[1] = 0;
	t = compile(after, &pub);
	assert_int_equal(t->sg_generation, 1);
	tables_free(t);

	/* A rule of a group nothing uses changes. */
	red->groups[1].rules[0].action = SG_ACTION_DROP;
	t = compile(after, &pub);
	assert_int_equal(t->sg_generation, 1);
	tables_free(t);

	/* A rule of an attached group changes. */
	red->groups[0].rules[1].dport_hi = 1001;
	t = compile(after, &pub);
	assert_int_equal(t->sg_generation, 2);
	tables_free(t);

	/* The other group joins the attachment; then a default changes. */
	red->attachments[0].sg.n_groups = 2;
	memcpy(red->attachments[0].sg.groups, g01, sizeof(g01));
	t = compile(after, &pub);
	assert_int_equal(t->sg_generation, 3);
	tables_free(t);
	red->attachments[0].sg.egress_default = SG_ACTION_DROP;
	t = compile(after, &pub);
	assert_int_equal(t->sg_generation, 4);
	tables_free(t);

	/* The attachment moves to another VLAN. */
	red->attachments[0].vlan = 11;
	t = compile(after, &pub);
	assert_int_equal(t->sg_generation, 5);
	tables_free(t);
	config_free(before);
	config_free(after);
}

static void test_tenant_conntrack_settings(void **state)
{
	struct config *cfg = config_new();
	struct tenant_config *tc = tenant_add(cfg, "red", 100);
	uint64_t hz = rte_get_tsc_hz();
	struct dp_tables *t;
	(void)state;

	tc->conntrack = (struct conntrack_config){
		.session_limit = 500,
		.tcp_established_s = 7200,
		.tcp_transitory_s = 20,
		.udp_s = 40,
		.icmp_s = 5,
	};
	t = compile_first(cfg);
	assert_int_equal(t->tenants[0].session_limit, 500);
	assert_int_equal(t->ct_timeouts[0].tcp_established, 7200 * hz);
	assert_int_equal(t->ct_timeouts[0].tcp_transitory, 20 * hz);
	assert_int_equal(t->ct_timeouts[0].udp, 40 * hz);
	assert_int_equal(t->ct_timeouts[0].icmp, 5 * hz);
	tables_free(t);
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_policy_is_groups_in_attachment_order, slots_reset),
		cmocka_unit_test_setup(test_equal_rule_lists_share_a_policy, slots_reset),
		cmocka_unit_test_setup(test_rule_of_either_family_is_split, slots_reset),
		cmocka_unit_test_setup(test_ports_and_icmp_translated, slots_reset),
		cmocka_unit_test_setup(test_groups_without_rules_leave_defaults, slots_reset),
		cmocka_unit_test_setup(test_hit_counters_per_worker_row, slots_reset),
		cmocka_unit_test_setup(test_hits_carried_by_tenant_group_and_sequence, slots_reset),
		cmocka_unit_test_setup(test_generation_changes_with_policies_only, slots_reset),
		cmocka_unit_test_setup(test_tenant_conntrack_settings, slots_reset),
	};
	int failed;

	if (eal_fixture_init("pn_unit_sg_compile") != 0)
		return 1;
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	eal_fixture_fini();
	return failed;
}
