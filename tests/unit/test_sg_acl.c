/* The security-group rule compiler: first match in array order, port
 * range and prefix boundaries, protocols, ICMP type and code, policy
 * isolation, rule checks, and 1,000 / 10,000 random rules against a
 * linear first-match reference, for IPv4 and IPv6. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <rte_memory.h>

#include "dataplane/sg_acl.h"
#include "eal_fixture.h"

#define BURST 64
#define IPPROTO_ICMP_V4 1
#define IPPROTO_ICMP_V6 58

/* A packet as the reference implementation sees it. */
struct test_key {
	uint8_t family;
	uint32_t policy;
	uint8_t proto;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
};

static void addr_parse(uint8_t family, const char *text, uint8_t *addr)
{
	memset(addr, 0, 16);
	assert_int_equal(inet_pton(family == 4 ? AF_INET : AF_INET6, text, addr), 1);
}

/* A rule matching every packet of family in policy. */
static struct sg_rule rule_any(uint8_t family, uint32_t policy, uint32_t id,
			       enum sg_action action)
{
	return (struct sg_rule){
		.policy = policy,
		.id = id,
		.family = family,
		.sport_hi = UINT16_MAX,
		.dport_hi = UINT16_MAX,
		.action = action,
	};
}

static void rule_src(struct sg_rule *r, const char *text, uint8_t len)
{
	addr_parse(r->family, text, r->src);
	r->src_len = len;
}

static void rule_dst(struct sg_rule *r, const char *text, uint8_t len)
{
	addr_parse(r->family, text, r->dst);
	r->dst_len = len;
}

static void rule_dport(struct sg_rule *r, uint8_t proto, uint16_t lo, uint16_t hi)
{
	r->proto = proto;
	r->dport_lo = lo;
	r->dport_hi = hi;
}

static struct sg_acl *build_ok(const struct sg_rule *rules, unsigned n)
{
	char err[128] = "";
	struct sg_acl *acl = sg_acl_build(rules, n, SOCKET_ID_ANY, err, sizeof(err));

	if (acl == NULL)
		fail_msg("sg_acl_build: %s", err);
	assert_int_equal(sg_acl_rule_count(acl), n);
	return acl;
}

/* Classifies n keys of one family in one call. */
static void classify(const struct sg_acl *acl, uint8_t family, const struct test_key *keys,
		     uint32_t *results, unsigned n)
{
	struct sg_key4 k4[BURST];
	struct sg_key6 k6[BURST];
	const uint8_t *ptrs[BURST];
	rte_be32_t src4, dst4;

	assert_true(n <= BURST);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(keys[i].family, family);
		if (family == 4) {
			memcpy(&src4, keys[i].src, 4);
			memcpy(&dst4, keys[i].dst, 4);
			sg_key4_fill(&k4[i], keys[i].policy, keys[i].proto, src4, dst4,
				     keys[i].sport, keys[i].dport);
			ptrs[i] = (const uint8_t *)&k4[i];
		} else {
			sg_key6_fill(&k6[i], keys[i].policy, keys[i].proto, keys[i].src,
				     keys[i].dst, keys[i].sport, keys[i].dport);
			ptrs[i] = (const uint8_t *)&k6[i];
		}
	}
	if (family == 4)
		sg_acl_classify4(acl, ptrs, results, n);
	else
		sg_acl_classify6(acl, ptrs, results, n);
}

static uint32_t classify_one(const struct sg_acl *acl, uint8_t family, uint32_t policy,
			     uint8_t proto, const char *src, const char *dst, uint16_t sport,
			     uint16_t dport)
{
	struct test_key k = {family, policy, proto, {0}, {0}, sport, dport};
	uint32_t result = UINT32_MAX;

	addr_parse(family, src, k.src);
	addr_parse(family, dst, k.dst);
	classify(acl, family, &k, &result, 1);
	return result;
}

static uint32_t tcp4(const struct sg_acl *acl, uint32_t policy, const char *src, const char *dst,
		     uint16_t sport, uint16_t dport)
{
	return classify_one(acl, 4, policy, IPPROTO_TCP, src, dst, sport, dport);
}

/* Earlier rules win, whatever their specificity. */
static void test_first_match_in_array_order(void **state)
{
	struct sg_rule rules[2] = {rule_any(4, 1, 10, SG_DROP), rule_any(4, 1, 11, SG_ACCEPT)};
	struct sg_rule reversed[2];
	struct sg_acl *acl;
	uint32_t result;
	(void)state;

	rule_dport(&rules[0], IPPROTO_TCP, 80, 80);
	acl = build_ok(rules, 2);
	result = tcp4(acl, 1, "10.0.0.1", "10.0.0.2", 40000, 80);
	assert_int_equal(result, 1);
	assert_int_equal(sg_acl_result_rule_id(acl, result), 10);
	assert_int_equal(sg_acl_result_action(acl, result), SG_DROP);
	result = tcp4(acl, 1, "10.0.0.1", "10.0.0.2", 40000, 81);
	assert_int_equal(result, 2);
	assert_int_equal(sg_acl_result_rule_id(acl, result), 11);
	assert_int_equal(sg_acl_result_action(acl, result), SG_ACCEPT);
	sg_acl_free(acl);

	/* The catch-all first shadows the specific rule. */
	reversed[0] = rules[1];
	reversed[1] = rules[0];
	acl = build_ok(reversed, 2);
	assert_int_equal(tcp4(acl, 1, "10.0.0.1", "10.0.0.2", 40000, 80), 1);
	assert_int_equal(tcp4(acl, 1, "10.0.0.1", "10.0.0.2", 40000, 81), 1);
	sg_acl_free(acl);
}

static void test_overlapping_port_ranges(void **state)
{
	struct sg_rule rules[4] = {
		rule_any(4, 1, 0, SG_ACCEPT),
		rule_any(4, 1, 1, SG_DROP),
		rule_any(4, 1, 2, SG_REJECT),
		rule_any(4, 1, 3, SG_REJECT),
	};
	struct sg_acl *acl;
	(void)state;

	rule_dport(&rules[0], IPPROTO_TCP, 1000, 2000);
	rule_dport(&rules[1], IPPROTO_TCP, 1500, 3000);
	/* Source port ranges at the edges of the port space. */
	rules[2].proto = IPPROTO_TCP;
	rules[2].sport_hi = 0;
	rules[3].proto = IPPROTO_TCP;
	rules[3].sport_lo = UINT16_MAX;
	acl = build_ok(rules, RTE_DIM(rules));

	assert_int_equal(tcp4(acl, 1, "10.0.0.1", "10.0.0.2", 1, 999), 0);
	assert_int_equal(tcp4(acl, 1, "10.0.0.1", "10.0.0.2", 1, 1000), 1);
	assert_int_equal(tcp4(acl, 1, "10.0.0.1", "10.0.0.2", 1, 1499), 1);
	assert_int_equal(tcp4(acl, 1, "10.0.0.1", "10.0.0.2", 1, 1500), 1);
	assert_int_equal(tcp4(acl, 1, "10.0.0.1", "10.0.0.2", 1, 2000), 1);
	assert_int_equal(tcp4(acl, 1, "10.0.0.1", "10.0.0.2", 1, 2001), 2);
	assert_int_equal(tcp4(acl, 1, "10.0.0.1", "10.0.0.2", 1, 3000), 2);
	assert_int_equal(tcp4(acl, 1, "10.0.0.1", "10.0.0.2", 1, 3001), 0);

	assert_int_equal(tcp4(acl, 1, "10.0.0.1", "10.0.0.2", 0, 999), 3);
	assert_int_equal(tcp4(acl, 1, "10.0.0.1", "10.0.0.2", 0, 1000), 1);
	assert_int_equal(tcp4(acl, 1, "10.0.0.1", "10.0.0.2", UINT16_MAX, 999), 4);
	assert_int_equal(tcp4(acl, 1, "10.0.0.1", "10.0.0.2", UINT16_MAX - 1, 999), 0);
	sg_acl_free(acl);
}

/* Most specific first, so each prefix's boundary shows. */
static void test_ipv4_prefixes(void **state)
{
	struct sg_rule rules[8];
	static const char *const src[] = {"10.1.2.3", "10.1.2.0", "10.0.0.0", "0.0.0.0"};
	static const char *const dst[] = {"192.168.7.9", "192.168.7.0", "192.0.0.0", "0.0.0.0"};
	static const uint8_t lens[] = {32, 24, 8, 0};
	struct sg_acl *acl;
	(void)state;

	for (unsigned i = 0; i < 4; i++) {
		rules[i] = rule_any(4, 1, i, SG_ACCEPT);
		rule_src(&rules[i], src[i], lens[i]);
		rules[4 + i] = rule_any(4, 2, 4 + i, SG_ACCEPT);
		rule_dst(&rules[4 + i], dst[i], lens[i]);
	}
	acl = build_ok(rules, RTE_DIM(rules));

	assert_int_equal(tcp4(acl, 1, "10.1.2.3", "1.1.1.1", 1, 2), 1);
	assert_int_equal(tcp4(acl, 1, "10.1.2.2", "1.1.1.1", 1, 2), 2);
	assert_int_equal(tcp4(acl, 1, "10.1.2.255", "1.1.1.1", 1, 2), 2);
	assert_int_equal(tcp4(acl, 1, "10.1.3.0", "1.1.1.1", 1, 2), 3);
	assert_int_equal(tcp4(acl, 1, "10.255.255.255", "1.1.1.1", 1, 2), 3);
	assert_int_equal(tcp4(acl, 1, "11.0.0.0", "1.1.1.1", 1, 2), 4);
	assert_int_equal(tcp4(acl, 1, "9.255.255.255", "1.1.1.1", 1, 2), 4);

	assert_int_equal(tcp4(acl, 2, "1.1.1.1", "192.168.7.9", 1, 2), 5);
	assert_int_equal(tcp4(acl, 2, "1.1.1.1", "192.168.7.8", 1, 2), 6);
	assert_int_equal(tcp4(acl, 2, "1.1.1.1", "192.168.6.255", 1, 2), 7);
	assert_int_equal(tcp4(acl, 2, "1.1.1.1", "193.0.0.0", 1, 2), 8);
	sg_acl_free(acl);
}

/* 10.1.2.99/24 means 10.1.2.0/24. */
static void test_host_bits_past_prefix_ignored(void **state)
{
	struct sg_rule rule = rule_any(4, 1, 0, SG_ACCEPT);
	struct sg_acl *acl;
	(void)state;

	rule_src(&rule, "10.1.2.99", 24);
	acl = build_ok(&rule, 1);
	assert_int_equal(tcp4(acl, 1, "10.1.2.0", "1.1.1.1", 1, 2), 1);
	assert_int_equal(tcp4(acl, 1, "10.1.2.200", "1.1.1.1", 1, 2), 1);
	assert_int_equal(tcp4(acl, 1, "10.1.3.99", "1.1.1.1", 1, 2), 0);
	sg_acl_free(acl);
}

static uint32_t udp6(const struct sg_acl *acl, uint32_t policy, const char *src, const char *dst)
{
	return classify_one(acl, 6, policy, IPPROTO_UDP, src, dst, 1, 2);
}

/* /100 splits inside the fourth 32-bit word of the address. */
static void test_ipv6_prefixes(void **state)
{
	struct sg_rule rules[8];
	static const char *const prefixes[] = {"2001:db8:1:2:3:4:5:6", "2001:db8:1:2:3:4:5:0",
					       "2001:db8:1:2::", "::"};
	static const uint8_t lens[] = {128, 100, 64, 0};
	struct sg_acl *acl;
	(void)state;

	for (unsigned i = 0; i < 4; i++) {
		rules[i] = rule_any(6, 1, i, SG_ACCEPT);
		rule_src(&rules[i], prefixes[i], lens[i]);
		rules[4 + i] = rule_any(6, 2, 4 + i, SG_ACCEPT);
		rule_dst(&rules[4 + i], prefixes[i], lens[i]);
	}
	acl = build_ok(rules, RTE_DIM(rules));

	assert_int_equal(udp6(acl, 1, "2001:db8:1:2:3:4:5:6", "::1"), 1);
	assert_int_equal(udp6(acl, 1, "2001:db8:1:2:3:4:5:7", "::1"), 2);
	assert_int_equal(udp6(acl, 1, "2001:db8:1:2:3:4:fff:ffff", "::1"), 2);
	assert_int_equal(udp6(acl, 1, "2001:db8:1:2:3:4:1000:0", "::1"), 3);
	assert_int_equal(udp6(acl, 1, "2001:db8:1:2:ffff:ffff:ffff:ffff", "::1"), 3);
	assert_int_equal(udp6(acl, 1, "2001:db8:1:3::", "::1"), 4);
	assert_int_equal(udp6(acl, 1, "fe80::1", "::1"), 4);

	assert_int_equal(udp6(acl, 2, "::1", "2001:db8:1:2:3:4:5:6"), 5);
	assert_int_equal(udp6(acl, 2, "::1", "2001:db8:1:2:3:4:5:5"), 6);
	assert_int_equal(udp6(acl, 2, "::1", "2001:db8:1:2::"), 7);
	assert_int_equal(udp6(acl, 2, "::1", "2001:db8:1:1:ffff:ffff:ffff:ffff"), 8);
	sg_acl_free(acl);
}

static void test_proto_any_and_specific(void **state)
{
	struct sg_rule rules[3] = {
		rule_any(4, 1, 0, SG_DROP),
		rule_any(4, 1, 1, SG_ACCEPT),
		rule_any(4, 1, 2, SG_REJECT),
	};
	struct sg_acl *acl;
	(void)state;

	rule_dport(&rules[0], IPPROTO_TCP, 22, 22);
	rules[1].proto = IPPROTO_UDP;
	acl = build_ok(rules, RTE_DIM(rules));
	assert_int_equal(classify_one(acl, 4, 1, IPPROTO_TCP, "1.1.1.1", "2.2.2.2", 1, 22), 1);
	assert_int_equal(classify_one(acl, 4, 1, IPPROTO_UDP, "1.1.1.1", "2.2.2.2", 1, 22), 2);
	assert_int_equal(classify_one(acl, 4, 1, IPPROTO_TCP, "1.1.1.1", "2.2.2.2", 1, 23), 3);
	assert_int_equal(classify_one(acl, 4, 1, IPPROTO_ICMP_V4, "1.1.1.1", "2.2.2.2", 8, 0), 3);
	assert_int_equal(classify_one(acl, 4, 1, IPPROTO_GRE, "1.1.1.1", "2.2.2.2", 0, 0), 3);
	sg_acl_free(acl);
}

/* ICMP type in the source port, code in the destination port. */
static void test_icmp_type_and_code(void **state)
{
	struct sg_rule rules[5] = {
		rule_any(4, 1, 0, SG_ACCEPT), /* echo request */
		rule_any(4, 1, 1, SG_REJECT), /* destination unreachable, codes 0..3 */
		rule_any(4, 1, 2, SG_DROP),   /* any other ICMP */
		rule_any(6, 1, 3, SG_ACCEPT), /* ICMPv6 neighbour solicitation and advert */
		rule_any(6, 1, 4, SG_DROP),   /* any other ICMPv6 */
	};
	struct sg_acl *acl;
	(void)state;

	for (unsigned i = 0; i < 3; i++)
		rules[i].proto = IPPROTO_ICMP_V4;
	rules[0].sport_lo = rules[0].sport_hi = 8;
	rules[0].dport_hi = 0;
	rules[1].sport_lo = rules[1].sport_hi = 3;
	rules[1].dport_hi = 3;
	rules[3].proto = rules[4].proto = IPPROTO_ICMP_V6;
	rules[3].sport_lo = 135;
	rules[3].sport_hi = 136;
	rules[3].dport_hi = 0;
	acl = build_ok(rules, RTE_DIM(rules));

	assert_int_equal(classify_one(acl, 4, 1, IPPROTO_ICMP_V4, "1.1.1.1", "2.2.2.2", 8, 0), 1);
	assert_int_equal(classify_one(acl, 4, 1, IPPROTO_ICMP_V4, "1.1.1.1", "2.2.2.2", 8, 1), 3);
	assert_int_equal(classify_one(acl, 4, 1, IPPROTO_ICMP_V4, "1.1.1.1", "2.2.2.2", 0, 0), 3);
	assert_int_equal(classify_one(acl, 4, 1, IPPROTO_ICMP_V4, "1.1.1.1", "2.2.2.2", 3, 0), 2);
	assert_int_equal(classify_one(acl, 4, 1, IPPROTO_ICMP_V4, "1.1.1.1", "2.2.2.2", 3, 3), 2);
	assert_int_equal(classify_one(acl, 4, 1, IPPROTO_ICMP_V4, "1.1.1.1", "2.2.2.2", 3, 4), 3);
	/* ICMP rules do not match TCP with the same numbers. */
	assert_int_equal(classify_one(acl, 4, 1, IPPROTO_TCP, "1.1.1.1", "2.2.2.2", 8, 0), 0);

	assert_int_equal(classify_one(acl, 6, 1, IPPROTO_ICMP_V6, "fe80::1", "ff02::1", 134, 0),
			 5);
	assert_int_equal(classify_one(acl, 6, 1, IPPROTO_ICMP_V6, "fe80::1", "ff02::1", 135, 0),
			 4);
	assert_int_equal(classify_one(acl, 6, 1, IPPROTO_ICMP_V6, "fe80::1", "ff02::1", 136, 0),
			 4);
	assert_int_equal(classify_one(acl, 6, 1, IPPROTO_ICMP_V6, "fe80::1", "ff02::1", 136, 1),
			 5);
	assert_int_equal(classify_one(acl, 6, 1, IPPROTO_ICMP_V6, "fe80::1", "ff02::1", 137, 0),
			 5);
	sg_acl_free(acl);
}

/* One burst mixing policies: each key sees only its own policy's rules. */
static void test_policy_isolation(void **state)
{
	struct sg_rule rules[4] = {
		rule_any(4, 1, 0, SG_ACCEPT),
		rule_any(4, 2, 1, SG_DROP),
		rule_any(6, 1, 2, SG_ACCEPT),
		rule_any(6, 2, 3, SG_DROP),
	};
	struct test_key k4[4] = {{.family = 4, .policy = 1, .proto = IPPROTO_TCP, .dport = 81},
				 {.family = 4, .policy = 2, .proto = IPPROTO_TCP, .dport = 81},
				 {.family = 4, .policy = 2, .proto = IPPROTO_TCP, .dport = 80},
				 {.family = 4, .policy = 3, .proto = IPPROTO_TCP, .dport = 80}};
	uint32_t results[4];
	struct sg_acl *acl;
	(void)state;

	rule_dport(&rules[1], IPPROTO_TCP, 80, 80);
	rule_dport(&rules[3], IPPROTO_TCP, 80, 80);
	acl = build_ok(rules, RTE_DIM(rules));
	classify(acl, 4, k4, results, 4);
	assert_int_equal(results[0], 1);
	assert_int_equal(results[1], 0);
	assert_int_equal(results[2], 2);
	assert_int_equal(results[3], 0);
	for (unsigned i = 0; i < 4; i++)
		k4[i].family = 6;
	classify(acl, 6, k4, results, 4);
	assert_int_equal(results[0], 3);
	assert_int_equal(results[1], 0);
	assert_int_equal(results[2], 4);
	assert_int_equal(results[3], 0);
	/* Policy 0 is what a worker uses for packets without a policy. */
	assert_int_equal(tcp4(acl, 0, "1.1.1.1", "2.2.2.2", 1, 80), 0);
	sg_acl_free(acl);
}

static void test_no_rule_matches(void **state)
{
	struct sg_rule rule = rule_any(4, 1, 0, SG_ACCEPT);
	struct sg_acl *acl;
	(void)state;

	rule_dst(&rule, "10.0.0.0", 8);
	rule_dport(&rule, IPPROTO_TCP, 443, 443);
	acl = build_ok(&rule, 1);
	assert_int_equal(tcp4(acl, 1, "1.1.1.1", "10.0.0.1", 1, 443), 1);
	assert_int_equal(tcp4(acl, 1, "1.1.1.1", "11.0.0.1", 1, 443), 0);
	assert_int_equal(tcp4(acl, 1, "1.1.1.1", "10.0.0.1", 1, 444), 0);
	assert_int_equal(classify_one(acl, 4, 1, IPPROTO_UDP, "1.1.1.1", "10.0.0.1", 1, 443), 0);
	/* No IPv6 rule at all. */
	assert_int_equal(udp6(acl, 1, "::1", "::2"), 0);
	sg_acl_free(acl);
}

static void test_empty_rule_list(void **state)
{
	struct sg_acl *acl;
	(void)state;

	acl = build_ok(NULL, 0);
	assert_int_equal(tcp4(acl, 1, "1.1.1.1", "2.2.2.2", 1, 2), 0);
	assert_int_equal(udp6(acl, 1, "::1", "::2"), 0);
	sg_acl_free(acl);
	sg_acl_free(NULL);
}

static void build_fails(const struct sg_rule *bad, const char *expected)
{
	struct sg_rule rules[2] = {rule_any(4, 1, 0, SG_ACCEPT), *bad};
	char err[128] = "";

	assert_null(sg_acl_build(rules, 2, SOCKET_ID_ANY, err, sizeof(err)));
	assert_string_equal(err, expected);
}

static void test_invalid_rules_refused(void **state)
{
	struct sg_rule r;
	(void)state;

	r = rule_any(5, 1, 0, SG_ACCEPT);
	build_fails(&r, "rule 1: address family 5 is neither 4 nor 6");
	r = rule_any(4, 0, 0, SG_ACCEPT);
	build_fails(&r, "rule 1: policy 0 is reserved for packets without one");
	r = rule_any(4, 1, 0, SG_ACCEPT);
	r.dst_len = 33;
	build_fails(&r, "rule 1: prefix length 33 exceeds 32");
	r = rule_any(6, 1, 0, SG_ACCEPT);
	r.src_len = 129;
	build_fails(&r, "rule 1: prefix length 129 exceeds 128");
	r = rule_any(4, 1, 0, SG_ACCEPT);
	rule_dport(&r, IPPROTO_TCP, 10, 9);
	build_fails(&r, "rule 1: empty port (ICMP type or code) range");
	r = rule_any(4, 1, 0, SG_ACCEPT);
	rule_dport(&r, 0, 80, 80);
	build_fails(&r, "rule 1: port ranges need a protocol");
	r = rule_any(4, 1, 0, (enum sg_action)7);
	build_fails(&r, "rule 1: unknown action 7");
}

/* splitmix64: a fixed seed gives the same rules and keys on every run. */
static uint64_t rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned rng_below(uint64_t *state, unsigned bound)
{
	return rng_next(state) % bound;
}

#define RANDOM_POLICIES 8 /* rules use 1..8; keys also 9, which has none */

/* Address bytes from a few values, so that random prefixes overlap. */
static void random_addr(uint64_t *rng, uint8_t *addr, unsigned len)
{
	static const uint8_t common[] = {0x00, 0x01, 0x80, 0xff};

	for (unsigned i = 0; i < len; i++) {
		unsigned pick = rng_below(rng, RTE_DIM(common) + 1);

		addr[i] = pick < RTE_DIM(common) ? common[pick] : rng_next(rng);
	}
}

static uint8_t random_prefix_len(uint64_t *rng, uint8_t family)
{
	static const uint8_t lens4[] = {8, 16, 24, 24, 32, 32};
	static const uint8_t lens6[] = {32, 48, 64, 64, 96, 128, 128};
	unsigned max = family == 4 ? 32 : 128;

	if (rng_below(rng, 4) == 0)
		return rng_below(rng, max + 1);
	return family == 4 ? lens4[rng_below(rng, RTE_DIM(lens4))]
			   : lens6[rng_below(rng, RTE_DIM(lens6))];
}

static void random_range(uint64_t *rng, uint16_t max, uint16_t *lo, uint16_t *hi)
{
	static const uint16_t edges[] = {0, 1, 1023, 1024, 65535};
	unsigned kind = rng_below(rng, 10);
	uint16_t a, b;

	if (kind < 5) {
		*lo = 0;
		*hi = max;
		return;
	}
	a = kind < 7 ? edges[rng_below(rng, RTE_DIM(edges))] : rng_next(rng);
	b = kind == 7 ? a : rng_next(rng);
	a = RTE_MIN(a, max);
	b = RTE_MIN(b, max);
	*lo = RTE_MIN(a, b);
	*hi = RTE_MAX(a, b);
}

static void random_rule(uint64_t *rng, uint8_t family, uint32_t id, struct sg_rule *r)
{
	uint8_t icmp = family == 4 ? IPPROTO_ICMP_V4 : IPPROTO_ICMP_V6;
	static const uint8_t protos[] = {0, 0, IPPROTO_TCP, IPPROTO_TCP, IPPROTO_TCP, IPPROTO_TCP,
					 IPPROTO_UDP, IPPROTO_UDP, IPPROTO_UDP,
					 IPPROTO_ICMP_V4 /* ICMPv6 for IPv6 */};
	unsigned addr_len = family == 4 ? 4 : 16;
	uint16_t max;

	*r = rule_any(family, 1 + rng_below(rng, RANDOM_POLICIES), id, rng_below(rng, 3));
	r->proto = protos[rng_below(rng, RTE_DIM(protos))];
	if (r->proto == IPPROTO_ICMP_V4)
		r->proto = icmp;
	r->src_len = random_prefix_len(rng, family);
	r->dst_len = random_prefix_len(rng, family);
	random_addr(rng, r->src, addr_len);
	random_addr(rng, r->dst, addr_len);
	if (r->proto == 0)
		return;
	max = r->proto == icmp ? UINT8_MAX : UINT16_MAX;
	random_range(rng, max, &r->sport_lo, &r->sport_hi);
	random_range(rng, max, &r->dport_lo, &r->dport_hi);
}

/* An address inside the rule's prefix, its other bits random. */
static void addr_inside(uint64_t *rng, const uint8_t *prefix, unsigned len, uint8_t *addr,
			unsigned addr_len)
{
	random_addr(rng, addr, addr_len);
	for (unsigned bit = 0; bit < len; bit++) {
		uint8_t mask = 0x80 >> (bit % 8);

		addr[bit / 8] = (addr[bit / 8] & ~mask) | (prefix[bit / 8] & mask);
	}
}

/* A port at or just beyond the edges of the range, or inside it. */
static uint16_t port_near(uint64_t *rng, uint16_t lo, uint16_t hi)
{
	switch (rng_below(rng, 5)) {
	case 0:
		return lo - 1;
	case 1:
		return lo;
	case 2:
		return hi;
	case 3:
		return hi + 1;
	default:
		return lo + rng_below(rng, hi - lo + 1u);
	}
}

/* Mostly packets aimed at one rule and its edges, some wholly random ones. */
static void random_key(uint64_t *rng, const struct sg_rule *rules, unsigned n, uint8_t family,
		       struct test_key *k)
{
	const struct sg_rule *r = &rules[rng_below(rng, n)];
	unsigned addr_len = family == 4 ? 4 : 16;
	static const uint8_t protos[] = {IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP_V4,
					 IPPROTO_ICMP_V6, IPPROTO_GRE};

	memset(k, 0, sizeof(*k));
	k->family = family;
	if (rng_below(rng, 8) == 0) {
		k->policy = 1 + rng_below(rng, RANDOM_POLICIES + 1);
		k->proto = protos[rng_below(rng, RTE_DIM(protos))];
		random_addr(rng, k->src, addr_len);
		random_addr(rng, k->dst, addr_len);
		k->sport = rng_next(rng);
		k->dport = rng_next(rng);
		return;
	}
	k->policy = rng_below(rng, 16) == 0 ? r->policy + 1 : r->policy;
	k->proto = r->proto != 0 ? r->proto : protos[rng_below(rng, RTE_DIM(protos))];
	addr_inside(rng, r->src, r->src_len, k->src, addr_len);
	addr_inside(rng, r->dst, r->dst_len, k->dst, addr_len);
	k->sport = port_near(rng, r->sport_lo, r->sport_hi);
	k->dport = port_near(rng, r->dport_lo, r->dport_hi);
}

static bool prefix_contains(const uint8_t *prefix, unsigned len, const uint8_t *addr)
{
	for (unsigned bit = 0; bit < len; bit++) {
		uint8_t mask = 0x80 >> (bit % 8);

		if ((prefix[bit / 8] ^ addr[bit / 8]) & mask)
			return false;
	}
	return true;
}

static bool rule_matches(const struct sg_rule *r, const struct test_key *k)
{
	return r->family == k->family && r->policy == k->policy &&
	       (r->proto == 0 || r->proto == k->proto) &&
	       prefix_contains(r->src, r->src_len, k->src) &&
	       prefix_contains(r->dst, r->dst_len, k->dst) && r->sport_lo <= k->sport &&
	       k->sport <= r->sport_hi && r->dport_lo <= k->dport && k->dport <= r->dport_hi;
}

/* What sg_acl_classify must return, the slow and obvious way. */
static uint32_t reference_first_match(const struct sg_rule *rules, unsigned n,
				      const struct test_key *k)
{
	for (unsigned i = 0; i < n; i++)
		if (rule_matches(&rules[i], k))
			return i + 1;
	return 0;
}

static double elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1e3 + (now.tv_nsec - start->tv_nsec) / 1e6;
}

/* Random rules and keys against the reference, classified as one burst of
 * 64 and again in bursts of 1, 7 and 56. Prints the build time. */
static void random_rules_match_reference(uint8_t family, unsigned n_rules, uint64_t seed)
{
	static const unsigned bursts[] = {1, 7, 56};
	struct sg_rule *rules = calloc(n_rules, sizeof(*rules));
	struct test_key keys[BURST];
	uint32_t results[BURST], expected;
	unsigned matched = 0, done = 0;
	struct timespec start;
	struct sg_acl *acl;
	uint64_t rng = seed;

	assert_non_null(rules);
	for (unsigned i = 0; i < n_rules; i++)
		random_rule(&rng, family, i, &rules[i]);
	for (unsigned i = 0; i < BURST; i++)
		random_key(&rng, rules, n_rules, family, &keys[i]);

	clock_gettime(CLOCK_MONOTONIC, &start);
	acl = build_ok(rules, n_rules);
	print_message("sg_acl: %u random IPv%u rules built in %.1f ms\n", n_rules, family,
		      elapsed_ms(&start));

	classify(acl, family, keys, results, BURST);
	for (unsigned i = 0; i < BURST; i++) {
		expected = reference_first_match(rules, n_rules, &keys[i]);
		if (results[i] != expected)
			fail_msg("key %u: result %u, reference %u", i, results[i], expected);
		if (expected != 0) {
			assert_int_equal(sg_acl_result_rule_id(acl, expected), rules[expected - 1].id);
			assert_int_equal(sg_acl_result_action(acl, expected),
					 rules[expected - 1].action);
			matched++;
		}
	}
	print_message("sg_acl: %u of %u keys matched a rule\n", matched, BURST);
	/* The keys exercise both outcomes. */
	assert_in_range(matched, BURST / 4, BURST - 1);

	memset(results, 0xff, sizeof(results));
	for (unsigned b = 0; b < RTE_DIM(bursts); done += bursts[b], b++)
		classify(acl, family, keys + done, results + done, bursts[b]);
	assert_int_equal(done, BURST);
	for (unsigned i = 0; i < BURST; i++)
		assert_int_equal(results[i], reference_first_match(rules, n_rules, &keys[i]));
	sg_acl_free(acl);
	free(rules);
}

static void test_random_1k_ipv4(void **state)
{
	(void)state;
	random_rules_match_reference(4, 1000, 1);
}

static void test_random_10k_ipv4(void **state)
{
	(void)state;
	random_rules_match_reference(4, 10000, 2);
}

static void test_random_1k_ipv6(void **state)
{
	(void)state;
	random_rules_match_reference(6, 1000, 3);
}

static void test_random_10k_ipv6(void **state)
{
	(void)state;
	random_rules_match_reference(6, 10000, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_match_in_array_order),
		cmocka_unit_test(test_overlapping_port_ranges),
		cmocka_unit_test(test_ipv4_prefixes),
		cmocka_unit_test(test_host_bits_past_prefix_ignored),
		cmocka_unit_test(test_ipv6_prefixes),
		cmocka_unit_test(test_proto_any_and_specific),
		cmocka_unit_test(test_icmp_type_and_code),
		cmocka_unit_test(test_policy_isolation),
		cmocka_unit_test(test_no_rule_matches),
		cmocka_unit_test(test_empty_rule_list),
		cmocka_unit_test(test_invalid_rules_refused),
		cmocka_unit_test(test_random_1k_ipv4),
		cmocka_unit_test(test_random_10k_ipv4),
		cmocka_unit_test(test_random_1k_ipv6),
		cmocka_unit_test(test_random_10k_ipv6),
	};
	int failed;

	if (eal_fixture_init("pn_unit_sg_acl") != 0)
		return 1;
	failed = cmocka_run_group_tests_name("sg_acl", tests, NULL, NULL);
	eal_fixture_fini();
	return failed;
}
