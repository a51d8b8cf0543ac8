/* Security groups of the configuration -> the datapath's policies, rule
 * classifier and hit counters (the security-group part of
 * tables_compile()), and the hit counts the control thread keeps across
 * recompiles.
 *
 * Rule ids: every rule of every security group has one id, its hit
 * counter, numbered from 0 in configuration order: tenant by tenant, a
 * tenant's groups one after the other, a group's rules in sequence order.
 * So the ids of one tenant's rules follow each other, and an id means the
 * same rule only within the tables compiled from one configuration.
 *
 * Policies: an attachment with at least one group gets one policy per
 * direction, the rules of that direction of its groups, group after group
 * in the attachment's order, each group's in sequence order. Lists whose
 * rules match and do the same, in the same order, share one policy number,
 * in one tenant (many VMs use the same groups) or across tenants (a
 * standard group each tenant has its own copy of): the classifier holds
 * each distinct list once. It returns a rule's position in its policy,
 * and the attachment's dp_sg_attachment.rule_ids map positions to the
 * attachment's own rule ids (dp_sg_rule_id()), so hits are counted on the
 * rule of the right tenant. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "control/config.h"
#include "control/table_compile.h"
#include "dataplane/tables.h"

/* Rules in all the security groups of tc: the number of rule ids it takes. */
uint32_t sg_tenant_rule_count(const struct tenant_config *tc);

/* The number of rule ids of cfg (sg_tenant_rule_count() over its tenants). */
uint32_t sg_rule_count(const struct config *cfg);

/* Index of an attachment's verdict counters (worker.sg[] and
 * dp_sg_attachment.counter): the tenant's slot and the attachment's index
 * in the tenant's list. */
static inline uint16_t sg_verdict_counter(uint16_t tenant_slot, unsigned attachment)
{
	return tenant_slot * DP_MAX_LOCAL + attachment;
}

/* Fills the security-group part of t from in->cfg: sg_attachments and the
 * ports' vlan_sg, acl (one sg_acl_build() for every policy; NULL when no
 * policy has a rule), sg_hits (zeroed, one row per worker) and n_rule_ids
 * (the rule count rounded up so that every row starts on a cache line),
 * sg_generation (see table_inputs). Sets *in->sg_digest when it is not
 * NULL. Returns 0, or a negative errno with err filled; what it allocated
 * is then in t, for tables_free(). */
int sg_compile(struct dp_tables *t, const struct table_inputs *in, char *err, size_t errlen);

/* Carries hit counts from retired tables to their successor, rule by rule:
 * for each rule id of prev (compiled from prev_cfg) whose rule - same
 * tenant name, group name and sequence - next_cfg still has, adds
 * prev_base[id] and the counts of prev's n_workers workers to next_base at
 * the rule's id in next_cfg. Rules that next_cfg lacks lose their counts.
 * Call it once no worker can write prev's counters any more. prev and
 * prev_base may be NULL (nothing to carry); next_base has one element per
 * rule id of next_cfg and starts zeroed. */
void sg_hits_carry(const struct config *prev_cfg, const struct dp_tables *prev,
		   const uint64_t *prev_base, unsigned n_workers, const struct config *next_cfg,
		   uint64_t *next_base);
