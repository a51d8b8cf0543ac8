#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "control/sg_compile.h"

/* 64-bit FNV-1a: digests of rule lists and of the whole policy set. */
#define DIGEST_INIT 0xcbf29ce484222325ull
#define DIGEST_PRIME 0x100000001b3ull

static uint64_t digest_add(uint64_t h, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * DIGEST_PRIME;
	return h;
}

#define DIGEST_ADD(h, value) digest_add((h), &(value), sizeof(value))

/* Rule ids per sg_hits row: a multiple of a cache line's counters, so that
 * every worker's row starts on its own cache line. */
#define HITS_PER_LINE (RTE_CACHE_LINE_SIZE / sizeof(uint64_t))

static const enum sg_action actions[] = {
	[SG_ACTION_ACCEPT] = SG_ACCEPT,
	[SG_ACTION_DROP] = SG_DROP,
	[SG_ACTION_REJECT] = SG_REJECT,
};

/* A distinct rule list: ids[first .. first + n - 1] of the builder, the
 * rules of the first attachment that has it. Its policy number is its
 * index + 1. Attachments whose rules say the same (the same group in two
 * tenants, say) share it: the classifier returns positions in the list,
 * and each attachment maps them to its own rule ids. */
struct policy_list {
	uint32_t first;
	uint32_t n;
	uint64_t content_digest; /* of what the rules match and do, not their ids */
};

/* The state of one sg_compile(). */
struct sg_builder {
	uint32_t n_rules;
	const struct sg_rule_config **rule_of_id;
	uint64_t *rule_digest; /* by id: content of the rule */
	uint32_t *ids;         /* the distinct lists, one after the other */
	uint32_t n_ids, ids_capacity;
	struct policy_list *policies;
	uint32_t n_policies;
	uint32_t *slots; /* open addressing on content_digest: policy index + 1, 0 free */
	uint32_t *rule_ids; /* each filtered attachment's rule ids, by direction */
	uint32_t n_rule_ids, rule_ids_capacity;
	uint32_t slot_mask;
	uint32_t n_classifier_rules; /* sg_rules the distinct lists expand to */
	/* Of everything that decides a verdict: where each policy applies
	 * (port, VLAN, tenant), its rules' content and the defaults. Policy
	 * numbers, rule ids and verdict counter indexes are left out: they
	 * shift when unrelated groups or attachments come and go. */
	uint64_t digest;
};

uint32_t sg_tenant_rule_count(const struct tenant_config *tc)
{
	uint32_t n = 0;

	for (unsigned g = 0; g < tc->n_groups; g++)
		n += tc->groups[g].n_rules;
	return n;
}

uint32_t sg_rule_count(const struct config *cfg)
{
	uint32_t n = 0;

	for (unsigned i = 0; i < cfg->n_tenants; i++)
		n += sg_tenant_rule_count(&cfg->tenants[i]);
	return n;
}

/* Only TCP and UDP rules match ports; ICMP rules match the type and code in
 * their place (the classifier key carries them as ports). */
static void rule_ranges(const struct sg_rule_config *rc, struct sg_rule *r)
{
	bool has_ports = !rc->any_proto && (rc->proto == IPPROTO_TCP || rc->proto == IPPROTO_UDP);

	r->sport_lo = r->dport_lo = 0;
	r->sport_hi = r->dport_hi = UINT16_MAX;
	if (has_ports) {
		r->sport_lo = rc->sport_lo;
		r->sport_hi = rc->sport_hi;
		r->dport_lo = rc->dport_lo;
		r->dport_hi = rc->dport_hi;
	} else if (rc->has_icmp_type) {
		r->sport_lo = r->sport_hi = rc->icmp_type;
		r->dport_lo = rc->has_icmp_code ? rc->icmp_code : 0;
		r->dport_hi = rc->has_icmp_code ? rc->icmp_code : UINT8_MAX;
	}
}

/* The classifier rules of rc in out: one, or two (IPv4 and IPv6, same id)
 * for a rule of either family (no prefix, no ICMP). Returns how many. */
static unsigned rule_translate(const struct sg_rule_config *rc, uint32_t policy, uint32_t id,
			       struct sg_rule out[2])
{
	struct sg_rule r = {
		.policy = policy,
		.id = id,
		.family = rc->family,
		.proto = rc->any_proto ? 0 : rc->proto,
		.src_len = rc->has_src ? rc->src_len : 0,
		.dst_len = rc->has_dst ? rc->dst_len : 0,
		.action = actions[rc->action],
	};

	if (rc->has_src)
		memcpy(r.src, rc->src, sizeof(r.src));
	if (rc->has_dst)
		memcpy(r.dst, rc->dst, sizeof(r.dst));
	rule_ranges(rc, &r);
	out[0] = r;
	if (rc->family != 0)
		return 1;
	out[0].family = 4;
	out[1] = r;
	out[1].family = 6;
	return 2;
}

/* What the classifier does with rc, wherever it is and whatever its id. */
static uint64_t rule_content_digest(const struct sg_rule_config *rc)
{
	struct sg_rule r[2];
	unsigned n = rule_translate(rc, 0, 0, r);
	uint64_t h = DIGEST_ADD(DIGEST_INIT, n);

	h = DIGEST_ADD(h, r[0].family);
	h = DIGEST_ADD(h, r[0].proto);
	h = DIGEST_ADD(h, r[0].src_len);
	h = DIGEST_ADD(h, r[0].dst_len);
	h = digest_add(h, r[0].src, sizeof(r[0].src));
	h = digest_add(h, r[0].dst, sizeof(r[0].dst));
	h = DIGEST_ADD(h, r[0].sport_lo);
	h = DIGEST_ADD(h, r[0].sport_hi);
	h = DIGEST_ADD(h, r[0].dport_lo);
	h = DIGEST_ADD(h, r[0].dport_hi);
	return DIGEST_ADD(h, r[0].action);
}

/* Whether the classifier does the same with a as with b. */
static bool rule_same_content(const struct sg_rule_config *a, const struct sg_rule_config *b)
{
	struct sg_rule ra[2], rb[2];
	unsigned n = rule_translate(a, 0, 0, ra);

	if (rule_translate(b, 0, 0, rb) != n)
		return false;
	return ra[0].family == rb[0].family && ra[0].proto == rb[0].proto &&
	       ra[0].src_len == rb[0].src_len && ra[0].dst_len == rb[0].dst_len &&
	       memcmp(ra[0].src, rb[0].src, sizeof(ra[0].src)) == 0 &&
	       memcmp(ra[0].dst, rb[0].dst, sizeof(ra[0].dst)) == 0 &&
	       ra[0].sport_lo == rb[0].sport_lo && ra[0].sport_hi == rb[0].sport_hi &&
	       ra[0].dport_lo == rb[0].dport_lo && ra[0].dport_hi == rb[0].dport_hi &&
	       ra[0].action == rb[0].action;
}

static bool filtered(const struct attachment_config *ac)
{
	return ac->sg.n_groups != 0;
}

static unsigned filtered_count(const struct config *cfg)
{
	unsigned n = 0;

	for (unsigned i = 0; i < cfg->n_tenants; i++)
		for (unsigned a = 0; a < cfg->tenants[i].n_attachments; a++)
			n += filtered(&cfg->tenants[i].attachments[a]);
	return n;
}

static void builder_free(struct sg_builder *b)
{
	free(b->rule_of_id);
	free(b->rule_digest);
	free(b->ids);
	free(b->policies);
	free(b->slots);
	free(b->rule_ids);
}

/* Numbers the rules and sizes the policy index for n_filtered attachments. */
static int builder_init(struct sg_builder *b, const struct config *cfg, unsigned n_filtered,
			char *err, size_t errlen)
{
	uint32_t max_policies = 2 * n_filtered;
	uint32_t n_slots = rte_align32pow2(2 * max_policies + 1);
	uint32_t id = 0;

	*b = (struct sg_builder){
		.n_rules = sg_rule_count(cfg),
		.slot_mask = n_slots - 1,
		.digest = DIGEST_INIT,
	};
	b->rule_of_id = malloc(RTE_MAX(b->n_rules, 1u) * sizeof(*b->rule_of_id));
	b->rule_digest = malloc(RTE_MAX(b->n_rules, 1u) * sizeof(*b->rule_digest));
	b->policies = malloc(RTE_MAX(max_policies, 1u) * sizeof(*b->policies));
	b->slots = calloc(n_slots, sizeof(*b->slots));
	if (b->rule_of_id == NULL || b->rule_digest == NULL || b->policies == NULL ||
	    b->slots == NULL) {
		snprintf(err, errlen, "out of memory for %u security-group rules", b->n_rules);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < cfg->n_tenants; i++)
		for (unsigned g = 0; g < cfg->tenants[i].n_groups; g++)
			for (unsigned r = 0; r < cfg->tenants[i].groups[g].n_rules; r++) {
				b->rule_of_id[id] = &cfg->tenants[i].groups[g].rules[r];
				b->rule_digest[id] = rule_content_digest(b->rule_of_id[id]);
				id++;
			}
	return 0;
}

/* Makes room for n more ids after the used ones in *ids. */
static int ids_reserve(uint32_t **ids, uint32_t *capacity, uint32_t used, uint32_t n, char *err,
		       size_t errlen)
{
	uint32_t want = *capacity ? *capacity : 1024;
	uint32_t *grown;

	if (used + n <= *capacity)
		return 0;
	while (want < used + n)
		want *= 2;
	grown = realloc(*ids, want * sizeof(*grown));
	if (grown == NULL) {
		snprintf(err, errlen, "out of memory for the security-group policies");
		return -ENOMEM;
	}
	*ids = grown;
	*capacity = want;
	return 0;
}

static bool list_same_content(const struct sg_builder *b, const uint32_t *x, const uint32_t *y,
			      uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (b->rule_digest[x[i]] != b->rule_digest[y[i]] ||
		    !rule_same_content(b->rule_of_id[x[i]], b->rule_of_id[y[i]]))
			return false;
	return true;
}

/* The policy number of the list of n ids just written after the distinct
 * lists (at ids + n_ids): that of a list whose rules say the same if there
 * is one, else the list becomes a new policy. */
static uint32_t policy_intern(struct sg_builder *b, uint32_t n)
{
	const uint32_t *list = &b->ids[b->n_ids];
	uint64_t content = DIGEST_ADD(DIGEST_INIT, n);
	struct policy_list *p;
	uint32_t slot;

	for (uint32_t i = 0; i < n; i++)
		content = DIGEST_ADD(content, b->rule_digest[list[i]]);
	for (slot = content & b->slot_mask; b->slots[slot] != 0; slot = (slot + 1) & b->slot_mask) {
		p = &b->policies[b->slots[slot] - 1];
		if (p->content_digest == content && p->n == n &&
		    list_same_content(b, &b->ids[p->first], list, n))
			return b->slots[slot];
	}
	for (uint32_t i = 0; i < n; i++)
		b->n_classifier_rules += b->rule_of_id[list[i]]->family == 0 ? 2 : 1;
	b->policies[b->n_policies] = (struct policy_list){
		.first = b->n_ids,
		.n = n,
		.content_digest = content,
	};
	b->n_ids += n;
	b->slots[slot] = ++b->n_policies;
	return b->n_policies;
}

/* The policy of one direction of an attachment of tc, whose rule ids start
 * at first_id[group], and where the attachment's own rule ids start in
 * b->rule_ids. */
static int policy_of(struct sg_builder *b, const struct tenant_config *tc,
		     const uint32_t *first_id, const struct attachment_sg_config *sg,
		     enum sg_direction_config direction, uint32_t *policy, uint32_t *rule_ids,
		     char *err, size_t errlen)
{
	uint32_t n = 0;
	int ret;

	for (unsigned k = 0; k < sg->n_groups; k++) {
		const struct security_group_config *g = &tc->groups[sg->groups[k]];

		ret = ids_reserve(&b->ids, &b->ids_capacity, b->n_ids, n + g->n_rules, err, errlen);
		if (ret != 0)
			return ret;
		for (uint32_t r = 0; r < g->n_rules; r++)
			if (g->rules[r].direction == direction)
				b->ids[b->n_ids + n++] = first_id[sg->groups[k]] + r;
	}
	ret = ids_reserve(&b->rule_ids, &b->rule_ids_capacity, b->n_rule_ids, n, err, errlen);
	if (ret != 0)
		return ret;
	if (n != 0) /* both arrays may still be NULL */
		memcpy(&b->rule_ids[b->n_rule_ids], &b->ids[b->n_ids], n * sizeof(*b->ids));
	*rule_ids = b->n_rule_ids;
	b->n_rule_ids += n;
	*policy = policy_intern(b, n);
	return 0;
}

static void attachment_digest_add(struct sg_builder *b, const struct dp_sg_attachment *sa,
				  uint16_t port_id, uint16_t vlan)
{
	b->digest = DIGEST_ADD(b->digest, port_id);
	b->digest = DIGEST_ADD(b->digest, vlan);
	b->digest = DIGEST_ADD(b->digest, sa->tenant);
	for (int d = 0; d < SG_DIRECTIONS; d++) {
		b->digest = DIGEST_ADD(b->digest, sa->default_action[d]);
		b->digest = DIGEST_ADD(b->digest, b->policies[sa->policy[d] - 1].content_digest);
	}
}

/* sg_attachments, vlan_sg and the policies, tenant by tenant. */
static int attachments_compile(struct sg_builder *b, struct dp_tables *t,
			       const struct table_inputs *in, char *err, size_t errlen)
{
	static const enum sg_direction_config rule_direction[SG_DIRECTIONS] = {
		[SG_TO_VM] = SG_DIRECTION_INGRESS,
		[SG_FROM_VM] = SG_DIRECTION_EGRESS,
	};
	const struct config *cfg = in->cfg;
	uint32_t first_id[CONFIG_MAX_SECURITY_GROUPS];
	uint32_t tenant_first_id = 0;
	uint16_t n = 0;
	int ret;

	for (unsigned i = 0; i < cfg->n_tenants; i++) {
		const struct tenant_config *tc = &cfg->tenants[i];
		uint32_t id = tenant_first_id;

		for (unsigned g = 0; g < tc->n_groups; g++) {
			first_id[g] = id;
			id += tc->groups[g].n_rules;
		}
		tenant_first_id = id;
		for (unsigned a = 0; a < tc->n_attachments; a++) {
			const struct attachment_config *ac = &tc->attachments[a];
			struct dp_sg_attachment *sa = &t->sg_attachments[n];
			uint16_t port_id = in->port_ids[config_port_index(cfg, ac->port)];

			if (!filtered(ac))
				continue;
			for (int d = 0; d < SG_DIRECTIONS; d++) {
				ret = policy_of(b, tc, first_id, &ac->sg, rule_direction[d],
						&sa->policy[d], &sa->rule_ids[d], err, errlen);
				if (ret != 0)
					return ret;
			}
			sa->default_action[SG_TO_VM] = actions[ac->sg.ingress_default];
			sa->default_action[SG_FROM_VM] = actions[ac->sg.egress_default];
			sa->tenant = in->tenant_slots[i];
			sa->counter = sg_verdict_counter(in->tenant_slots[i], a);
			t->ports[port_id].vlan_sg[ac->vlan] = n++;
			attachment_digest_add(b, sa, port_id, ac->vlan);
		}
	}
	return 0;
}

/* The rules of every distinct policy, in order, for sg_acl_build(). */
static struct sg_rule *classifier_rules(const struct sg_builder *b)
{
	struct sg_rule *rules = malloc(RTE_MAX(b->n_classifier_rules, 1u) * sizeof(*rules));
	uint32_t n = 0;

	if (rules == NULL)
		return NULL;
	for (uint32_t p = 0; p < b->n_policies; p++) {
		const struct policy_list *pl = &b->policies[p];

		for (uint32_t i = 0; i < pl->n; i++)
			n += rule_translate(b->rule_of_id[b->ids[pl->first + i]], p + 1, i, &rules[n]);
	}
	return rules;
}

static int hits_allocate(struct dp_tables *t, uint32_t n_rules, unsigned n_workers, char *err,
			 size_t errlen)
{
	t->n_rule_ids = RTE_ALIGN_CEIL(n_rules, HITS_PER_LINE);
	if (t->n_rule_ids == 0)
		return 0;
	t->sg_hits = rte_zmalloc("sg_hits", (size_t)n_workers * t->n_rule_ids * sizeof(*t->sg_hits),
				 RTE_CACHE_LINE_SIZE);
	if (t->sg_hits == NULL) {
		snprintf(err, errlen, "out of memory for the hit counters of %u rules", n_rules);
		return -ENOMEM;
	}
	return 0;
}

int sg_compile(struct dp_tables *t, const struct table_inputs *in, char *err, size_t errlen)
{
	unsigned n_filtered = filtered_count(in->cfg);
	struct sg_rule *rules = NULL;
	struct sg_builder b;
	char acl_err[256];
	int ret;

	ret = builder_init(&b, in->cfg, n_filtered, err, errlen);
	if (ret != 0)
		goto out;
	ret = hits_allocate(t, b.n_rules, in->n_workers, err, errlen);
	if (ret != 0 || n_filtered == 0)
		goto out;
	t->sg_attachments = rte_zmalloc("sg_attachments", n_filtered * sizeof(*t->sg_attachments),
					RTE_CACHE_LINE_SIZE);
	if (t->sg_attachments == NULL) {
		snprintf(err, errlen, "out of memory for the security groups");
		ret = -ENOMEM;
		goto out;
	}
	ret = attachments_compile(&b, t, in, err, errlen);
	if (ret != 0)
		goto out;
	t->sg_rule_ids = rte_malloc("sg_rule_ids", RTE_MAX(b.n_rule_ids, 1u) * sizeof(*b.rule_ids),
				    RTE_CACHE_LINE_SIZE);
	if (t->sg_rule_ids == NULL) {
		snprintf(err, errlen, "out of memory for the security groups");
		ret = -ENOMEM;
		goto out;
	}
	if (b.n_rule_ids != 0)
		memcpy(t->sg_rule_ids, b.rule_ids, b.n_rule_ids * sizeof(*b.rule_ids));
	if (b.n_classifier_rules == 0)
		goto out;
	rules = classifier_rules(&b);
	if (rules == NULL) {
		snprintf(err, errlen, "out of memory for %u classifier rules", b.n_classifier_rules);
		ret = -ENOMEM;
		goto out;
	}
	t->acl = sg_acl_build(rules, b.n_classifier_rules, SOCKET_ID_ANY, acl_err, sizeof(acl_err));
	if (t->acl == NULL) {
		snprintf(err, errlen, "cannot compile the security groups: %s", acl_err);
		ret = -EINVAL;
	}
out:
	if (ret == 0) {
		t->sg_generation = in->published_sg_generation +
				   (b.digest != in->published_sg_digest);
		if (in->sg_digest != NULL)
			*in->sg_digest = b.digest;
	}
	free(rules);
	builder_free(&b);
	return ret;
}

static int tenant_by_name(const struct config *cfg, const char *name, unsigned hint)
{
	if (hint < cfg->n_tenants && strcmp(cfg->tenants[hint].name, name) == 0)
		return hint;
	for (unsigned i = 0; i < cfg->n_tenants; i++)
		if (strcmp(cfg->tenants[i].name, name) == 0)
			return i;
	return -1;
}

static int group_by_name(const struct tenant_config *tc, const char *name, unsigned hint)
{
	if (hint < tc->n_groups && strcmp(tc->groups[hint].name, name) == 0)
		return hint;
	for (unsigned g = 0; g < tc->n_groups; g++)
		if (strcmp(tc->groups[g].name, name) == 0)
			return g;
	return -1;
}

/* prev's count of rule id plus what earlier tables counted. */
static uint64_t retired_hits(const struct dp_tables *prev, const uint64_t *prev_base,
			     unsigned n_workers, uint32_t id)
{
	uint64_t n = prev_base ? prev_base[id] : 0;

	for (unsigned w = 0; prev != NULL && w < n_workers; w++)
		n += prev->sg_hits[(size_t)w * prev->n_rule_ids + id];
	return n;
}

/* Both groups' rules are sorted by sequence: one merge pairs them. */
static void group_hits_carry(const struct security_group_config *from, uint32_t from_first,
			     const struct dp_tables *prev, const uint64_t *prev_base,
			     unsigned n_workers, const struct security_group_config *to,
			     uint32_t to_first, uint64_t *next_base)
{
	uint32_t i = 0, j = 0;

	while (i < from->n_rules && j < to->n_rules) {
		uint32_t s = from->rules[i].sequence, u = to->rules[j].sequence;

		if (s == u)
			next_base[to_first + j] +=
				retired_hits(prev, prev_base, n_workers, from_first + i);
		i += s <= u;
		j += u <= s;
	}
}

void sg_hits_carry(const struct config *prev_cfg, const struct dp_tables *prev,
		   const uint64_t *prev_base, unsigned n_workers, const struct config *next_cfg,
		   uint64_t *next_base)
{
	uint32_t next_first[CONFIG_MAX_TENANTS]; /* rule id of each next tenant's first rule */
	uint32_t group_first[CONFIG_MAX_SECURITY_GROUPS];
	uint32_t from_first = 0, id = 0;

	if (prev != NULL && prev->sg_hits == NULL)
		prev = NULL;
	if (prev == NULL && prev_base == NULL)
		return;
	for (unsigned j = 0; j < next_cfg->n_tenants; j++) {
		next_first[j] = id;
		id += sg_tenant_rule_count(&next_cfg->tenants[j]);
	}
	for (unsigned i = 0; i < prev_cfg->n_tenants; i++) {
		const struct tenant_config *from = &prev_cfg->tenants[i];
		int j = tenant_by_name(next_cfg, from->name, i);
		const struct tenant_config *to;

		if (j < 0) {
			from_first += sg_tenant_rule_count(from);
			continue;
		}
		to = &next_cfg->tenants[j];
		id = next_first[j];
		for (unsigned g = 0; g < to->n_groups; g++) {
			group_first[g] = id;
			id += to->groups[g].n_rules;
		}
		for (unsigned g = 0; g < from->n_groups; g++) {
			int k = group_by_name(to, from->groups[g].name, g);

			if (k >= 0)
				group_hits_carry(&from->groups[g], from_first, prev, prev_base,
						 n_workers, &to->groups[k], group_first[k],
						 next_base);
			from_first += from->groups[g].n_rules;
		}
	}
}
