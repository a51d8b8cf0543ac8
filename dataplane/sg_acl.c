/* Control-thread side of the security-group classifier: checks the rules
 * and compiles them into one rte_acl context per address family. */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "dataplane/sg_acl.h"

/* Field order in an rte_acl rule; an address takes addr_words fields. */
enum {
	SG_FIELD_PROTO,
	SG_FIELD_POLICY,
	SG_FIELD_SRC,
};
#define SG_MAX_FIELDS (SG_FIELD_SRC + 2 * 4 + 2) /* IPv6: two 4-word addresses, two ports */

RTE_ACL_RULE_DEF(sg_acl_rule, SG_MAX_FIELDS);

/* Where a family's key puts each field. */
struct sg_key_layout {
	uint8_t family;
	uint8_t addr_words; /* 32-bit words per address */
	uint32_t proto_offset, policy_offset, src_offset, dst_offset, sport_offset, dport_offset;
};

static const struct sg_key_layout layout4 = {
	.family = 4,
	.addr_words = 1,
	.proto_offset = offsetof(struct sg_key4, proto),
	.policy_offset = offsetof(struct sg_key4, policy),
	.src_offset = offsetof(struct sg_key4, src),
	.dst_offset = offsetof(struct sg_key4, dst),
	.sport_offset = offsetof(struct sg_key4, sport),
	.dport_offset = offsetof(struct sg_key4, dport),
};

static const struct sg_key_layout layout6 = {
	.family = 6,
	.addr_words = 4,
	.proto_offset = offsetof(struct sg_key6, proto),
	.policy_offset = offsetof(struct sg_key6, policy),
	.src_offset = offsetof(struct sg_key6, src),
	.dst_offset = offsetof(struct sg_key6, dst),
	.sport_offset = offsetof(struct sg_key6, sport),
	.dport_offset = offsetof(struct sg_key6, dport),
};

/* rte_acl_create() returns an existing context of the same name instead of
 * a new one, so every context gets a fresh name. Control thread only. */
static uint64_t contexts_created;

static unsigned n_fields(const struct sg_key_layout *l)
{
	return SG_FIELD_SRC + 2 * l->addr_words + 2;
}

static void config_fill(struct rte_acl_config *cfg, const struct sg_key_layout *l)
{
	unsigned dst_field = SG_FIELD_SRC + l->addr_words;
	unsigned sport_field = dst_field + l->addr_words;
	unsigned f;

	memset(cfg, 0, sizeof(*cfg));
	cfg->num_categories = 1;
	cfg->num_fields = n_fields(l);
	/* rte_acl wants a 1-byte first field, then fields grouped into 4-byte
	 * input words, each word with its own input_index. */
	cfg->defs[SG_FIELD_PROTO] = (struct rte_acl_field_def){
		.type = RTE_ACL_FIELD_TYPE_BITMASK,
		.size = sizeof(uint8_t),
		.field_index = SG_FIELD_PROTO,
		.input_index = 0,
		.offset = l->proto_offset,
	};
	/* The policy fills a whole input word: 32 bits cost no more than 16. */
	cfg->defs[SG_FIELD_POLICY] = (struct rte_acl_field_def){
		.type = RTE_ACL_FIELD_TYPE_MASK,
		.size = sizeof(uint32_t),
		.field_index = SG_FIELD_POLICY,
		.input_index = 1,
		.offset = l->policy_offset,
	};
	for (f = SG_FIELD_SRC; f < sport_field; f++) {
		unsigned word = (f - SG_FIELD_SRC) % l->addr_words;
		uint32_t base = f < dst_field ? l->src_offset : l->dst_offset;

		cfg->defs[f] = (struct rte_acl_field_def){
			.type = RTE_ACL_FIELD_TYPE_MASK,
			.size = sizeof(uint32_t),
			.field_index = f,
			.input_index = f,
			.offset = base + word * sizeof(uint32_t),
		};
	}
	/* Both ports share one input word. */
	cfg->defs[sport_field] = (struct rte_acl_field_def){
		.type = RTE_ACL_FIELD_TYPE_RANGE,
		.size = sizeof(uint16_t),
		.field_index = sport_field,
		.input_index = sport_field,
		.offset = l->sport_offset,
	};
	cfg->defs[sport_field + 1] = (struct rte_acl_field_def){
		.type = RTE_ACL_FIELD_TYPE_RANGE,
		.size = sizeof(uint16_t),
		.field_index = sport_field + 1,
		.input_index = sport_field,
		.offset = l->dport_offset,
	};
}

/* The 32-bit word `word` of a prefix, in host order as rte_acl wants it,
 * with the prefix length that falls into that word. */
static struct rte_acl_field prefix_word(const uint8_t *addr, unsigned prefix_len, unsigned word)
{
	unsigned bits_before = 32 * word;
	unsigned len = prefix_len <= bits_before ? 0 : RTE_MIN(prefix_len - bits_before, 32u);
	uint32_t value;

	memcpy(&value, addr + 4 * word, sizeof(value));
	value = rte_be_to_cpu_32(value);
	return (struct rte_acl_field){
		.value.u32 = len == 0 ? 0 : value & (UINT32_MAX << (32 - len)),
		.mask_range.u32 = len,
	};
}

static void rule_fill(struct sg_acl_rule *ar, const struct sg_rule *r,
		      const struct sg_key_layout *l, int32_t priority, uint32_t userdata)
{
	unsigned dst_field = SG_FIELD_SRC + l->addr_words;
	unsigned sport_field = dst_field + l->addr_words;

	memset(ar, 0, sizeof(*ar));
	ar->data.category_mask = 1;
	ar->data.priority = priority;
	ar->data.userdata = userdata;
	ar->field[SG_FIELD_PROTO].value.u8 = r->proto;
	ar->field[SG_FIELD_PROTO].mask_range.u8 = r->proto == 0 ? 0 : UINT8_MAX;
	ar->field[SG_FIELD_POLICY].value.u32 = r->policy;
	ar->field[SG_FIELD_POLICY].mask_range.u32 = 32;
	for (unsigned w = 0; w < l->addr_words; w++) {
		ar->field[SG_FIELD_SRC + w] = prefix_word(r->src, r->src_len, w);
		ar->field[dst_field + w] = prefix_word(r->dst, r->dst_len, w);
	}
	ar->field[sport_field].value.u16 = r->sport_lo;
	ar->field[sport_field].mask_range.u16 = r->sport_hi;
	ar->field[sport_field + 1].value.u16 = r->dport_lo;
	ar->field[sport_field + 1].mask_range.u16 = r->dport_hi;
}

static bool rule_check(const struct sg_rule *r, unsigned index, char *err, size_t err_len)
{
	unsigned max_len = r->family == 6 ? 128 : 32;
	bool full_ranges = r->sport_lo == 0 && r->sport_hi == UINT16_MAX && r->dport_lo == 0 &&
			   r->dport_hi == UINT16_MAX;

	if (r->family != 4 && r->family != 6)
		snprintf(err, err_len, "rule %u: address family %u is neither 4 nor 6", index,
			 r->family);
	else if (r->policy == 0)
		snprintf(err, err_len, "rule %u: policy 0 is reserved for packets without one",
			 index);
	else if (r->src_len > max_len || r->dst_len > max_len)
		snprintf(err, err_len, "rule %u: prefix length %u exceeds %u", index,
			 RTE_MAX(r->src_len, r->dst_len), max_len);
	else if (r->sport_lo > r->sport_hi || r->dport_lo > r->dport_hi)
		snprintf(err, err_len, "rule %u: empty port (ICMP type or code) range", index);
	else if (r->proto == 0 && !full_ranges)
		/* The worker puts 0 in the ports of protocols without any, so a
		 * range here would match those packets by accident. */
		snprintf(err, err_len, "rule %u: port ranges need a protocol", index);
	else if (r->action != SG_ACCEPT && r->action != SG_DROP && r->action != SG_REJECT)
		snprintf(err, err_len, "rule %u: unknown action %d", index, (int)r->action);
	else
		return true;
	return false;
}

/* The context for the rules of one family, or NULL with err filled. */
static struct rte_acl_ctx *family_build(const struct sg_key_layout *l, const struct sg_rule *rules,
					unsigned n, unsigned n_family, int socket_id, char *err,
					size_t err_len)
{
	char name[RTE_ACL_NAMESIZE];
	struct rte_acl_param param = {
		.name = name,
		.socket_id = socket_id,
		.rule_size = RTE_ACL_RULE_SZ(n_fields(l)),
		.max_rule_num = n_family,
	};
	struct rte_acl_config cfg;
	struct sg_acl_rule ar;
	struct rte_acl_ctx *ctx;
	int rc;

	snprintf(name, sizeof(name), "sg%u_%" PRIu64, l->family, contexts_created++);
	ctx = rte_acl_create(&param);
	if (ctx == NULL) {
		snprintf(err, err_len, "IPv%u classifier: %s", l->family, rte_strerror(rte_errno));
		return NULL;
	}
	for (unsigned i = 0; i < n; i++) {
		if (rules[i].family != l->family)
			continue;
		/* Highest priority wins in rte_acl: the first rule gets n. Rules
		 * of other policies never match the same key, so their
		 * relative priorities do not matter. */
		rule_fill(&ar, &rules[i], l, n - i, i + 1);
		rc = rte_acl_add_rules(ctx, (const struct rte_acl_rule *)&ar, 1);
		if (rc != 0) {
			snprintf(err, err_len, "rule %u: %s", i, rte_strerror(-rc));
			rte_acl_free(ctx);
			return NULL;
		}
	}
	config_fill(&cfg, l);
	rc = rte_acl_build(ctx, &cfg);
	if (rc != 0) {
		snprintf(err, err_len, "IPv%u classifier of %u rules: %s", l->family, n_family,
			 rte_strerror(-rc));
		rte_acl_free(ctx);
		return NULL;
	}
	return ctx;
}

struct sg_acl *sg_acl_build(const struct sg_rule *rules, unsigned n, int socket_id, char *err,
			    size_t err_len)
{
	unsigned n4 = 0, n6 = 0;
	struct sg_acl *acl;

	if (n > RTE_ACL_MAX_PRIORITY) {
		snprintf(err, err_len, "%u rules: at most %u", n, (unsigned)RTE_ACL_MAX_PRIORITY);
		return NULL;
	}
	for (unsigned i = 0; i < n; i++) {
		if (!rule_check(&rules[i], i, err, err_len))
			return NULL;
		if (rules[i].family == 4)
			n4++;
		else
			n6++;
	}
	acl = rte_zmalloc_socket("sg_acl", sizeof(*acl) + n * sizeof(acl->verdicts[0]),
				 RTE_CACHE_LINE_SIZE, socket_id);
	if (acl == NULL) {
		snprintf(err, err_len, "out of memory for %u rules", n);
		return NULL;
	}
	acl->n_rules = n;
	for (unsigned i = 0; i < n; i++)
		acl->verdicts[i] = (struct sg_rule_verdict){rules[i].id, rules[i].action};
	/* rte_acl cannot build a context without rules: a family without
	 * rules has none, and classifying against it matches nothing. */
	if (n4 != 0) {
		acl->ctx4 = family_build(&layout4, rules, n, n4, socket_id, err, err_len);
		if (acl->ctx4 == NULL)
			goto fail;
	}
	if (n6 != 0) {
		acl->ctx6 = family_build(&layout6, rules, n, n6, socket_id, err, err_len);
		if (acl->ctx6 == NULL)
			goto fail;
	}
	return acl;
fail:
	sg_acl_free(acl);
	return NULL;
}

void sg_acl_free(struct sg_acl *acl)
{
	if (acl == NULL)
		return;
	rte_acl_free(acl->ctx4);
	rte_acl_free(acl->ctx6);
	rte_free(acl);
}
