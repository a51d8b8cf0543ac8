/* Security-group rules compiled into rte_acl: the control thread builds an
 * immutable struct sg_acl from ordered rule lists (sg_acl.c); workers fill
 * one key per packet and classify a whole burst at once (inline below).
 *
 * One rte_acl context per address family holds the rules of every policy
 * (one attachment and direction's ordered list), with the policy number as
 * an exact-match field of the key. A burst that mixes attachments is then
 * classified by a single rte_acl_classify() call, and the policy bytes come
 * right after the protocol byte in the trie, so each key walks only its own
 * policy's branch. The price: every key is 4 bytes longer than the packet
 * fields alone, and a change to any policy rebuilds the whole family's
 * context (build time grows with the rules of all attachments). The
 * alternative, one context per policy, needs one classify call per policy
 * present in a burst.
 *
 * Classify algorithm: rte_acl_create() picks the best one the CPU and the
 * EAL's SIMD width allow, and we keep that choice. On this Zen 4 CPU that
 * is AVX512X16 by default and AVX512X32 when EAL runs with
 * --force-max-simd-bitwidth=512, which measured 12% (1,000 rules) to 25%
 * (10,000 rules) fewer cycles per key on bursts of 32. So the daemon's EAL
 * arguments choose, with no code here. */
#pragma once

#include <stdint.h>
#include <string.h>

#include <rte_acl.h>
#include <rte_byteorder.h>

enum sg_action {
	SG_ACCEPT,
	SG_DROP,
	SG_REJECT, /* drop and answer with a TCP RST or an ICMP unreachable */
};

/* One rule as the control thread hands it over. */
struct sg_rule {
	uint32_t policy; /* 1..UINT32_MAX; keys with policy 0 match no rule */
	uint32_t id;     /* the rule's hit-counter index, returned as is */
	uint8_t family;  /* 4 or 6 */
	uint8_t proto;   /* IP protocol; 0 = any (then the ranges must be 0..65535) */
	uint8_t src_len; /* prefix lengths in bits: 0..32 or 0..128 */
	uint8_t dst_len;
	uint8_t src[16]; /* network order; IPv4 in the first 4 bytes; bits past */
	uint8_t dst[16]; /* the prefix length are ignored */
	/* Inclusive ranges in host order: TCP/UDP ports, or for ICMP and
	 * ICMPv6 the type (sport) and code (dport) ranges. */
	uint16_t sport_lo, sport_hi;
	uint16_t dport_lo, dport_hi;
	enum sg_action action;
};

/* What a worker needs of a matched rule, without the rule array. */
struct sg_rule_verdict {
	uint32_t id;
	enum sg_action action;
};

struct sg_acl {
	struct rte_acl_ctx *ctx4; /* NULL when there is no IPv4 rule */
	struct rte_acl_ctx *ctx6; /* NULL when there is no IPv6 rule */
	uint32_t n_rules;
	struct sg_rule_verdict verdicts[]; /* by index in the array given to build */
};

/* The keys rte_acl reads: one byte first, then groups of 4 bytes, all in
 * network order. For protocols without ports both ports are 0; for ICMP
 * and ICMPv6 sport is the type and dport the code. */
struct sg_key4 {
	uint8_t proto;
	uint8_t unused[3]; /* zero: rte_acl loads 4 bytes at proto */
	rte_be32_t policy;
	rte_be32_t src;
	rte_be32_t dst;
	rte_be16_t sport;
	rte_be16_t dport;
};

struct sg_key6 {
	uint8_t proto;
	uint8_t unused[3];
	rte_be32_t policy;
	uint8_t src[16]; /* read by rte_acl as four 32-bit fields */
	uint8_t dst[16];
	rte_be16_t sport;
	rte_be16_t dport;
};

/* src and dst in network order; ports (or ICMP type and code) in host order. */
static inline void sg_key4_fill(struct sg_key4 *k, uint32_t policy, uint8_t proto,
				rte_be32_t src, rte_be32_t dst, uint16_t sport, uint16_t dport)
{
	*k = (struct sg_key4){
		.proto = proto,
		.policy = rte_cpu_to_be_32(policy),
		.src = src,
		.dst = dst,
		.sport = rte_cpu_to_be_16(sport),
		.dport = rte_cpu_to_be_16(dport),
	};
}

/* src and dst: 16 bytes each in network order; ports as for sg_key4_fill(). */
static inline void sg_key6_fill(struct sg_key6 *k, uint32_t policy, uint8_t proto,
				const uint8_t *src, const uint8_t *dst, uint16_t sport,
				uint16_t dport)
{
	k->proto = proto;
	memset(k->unused, 0, sizeof(k->unused));
	k->policy = rte_cpu_to_be_32(policy);
	memcpy(k->src, src, sizeof(k->src));
	memcpy(k->dst, dst, sizeof(k->dst));
	k->sport = rte_cpu_to_be_16(sport);
	k->dport = rte_cpu_to_be_16(dport);
}

/* Compiles n rules (IPv4 and IPv6 mixed) into a new classifier with its
 * memory on socket_id. Within one policy, a rule earlier in the array wins
 * over a later one that also matches. n == 0 is valid and matches nothing.
 * Control thread only: 10,000 random IPv4 rules took about 1 s, 270 MB of
 * transient heap and a 50 MB context. Returns NULL with a message naming
 * the offending rule's index in err on failure. */
struct sg_acl *sg_acl_build(const struct sg_rule *rules, unsigned n, int socket_id, char *err,
			    size_t err_len);

/* Frees acl (NULL is allowed) once no worker can still read it. */
void sg_acl_free(struct sg_acl *acl);

static inline uint32_t sg_acl_rule_count(const struct sg_acl *acl)
{
	return acl->n_rules;
}

/* Classifies n keys (struct sg_key4 *, any n) into results[0..n-1]: 0 when
 * no rule matched, else the index + 1 of the first matching rule in the
 * array given to sg_acl_build(). */
static inline void sg_acl_classify4(const struct sg_acl *acl, const uint8_t **keys,
				    uint32_t *results, unsigned n)
{
	if (acl->ctx4 == NULL)
		memset(results, 0, n * sizeof(*results));
	else
		rte_acl_classify(acl->ctx4, keys, results, n, 1);
}

/* As sg_acl_classify4() for struct sg_key6 keys. */
static inline void sg_acl_classify6(const struct sg_acl *acl, const uint8_t **keys,
				    uint32_t *results, unsigned n)
{
	if (acl->ctx6 == NULL)
		memset(results, 0, n * sizeof(*results));
	else
		rte_acl_classify(acl->ctx6, keys, results, n, 1);
}

/* The matched rule's id and action; result must not be 0. */
static inline uint32_t sg_acl_result_rule_id(const struct sg_acl *acl, uint32_t result)
{
	return acl->verdicts[result - 1].id;
}

static inline enum sg_action sg_acl_result_action(const struct sg_acl *acl, uint32_t result)
{
	return acl->verdicts[result - 1].action;
}

_Static_assert(sizeof(struct sg_key4) == 4 + 4 * 4, "sg_key4: proto word and 4 input groups");
_Static_assert(sizeof(struct sg_key6) == 4 + 10 * 4, "sg_key6: proto word and 10 input groups");
