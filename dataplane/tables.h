/* The forwarding tables that workers read. The control thread compiles a
 * new struct dp_tables from the configuration and the neighbour state,
 * publishes it with one atomic pointer store, and frees the old one after
 * an RCU grace period: a published table is never modified. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_ethdev.h>

#include "dataplane/conntrack.h"
#include "dataplane/port_security.h"
#include "dataplane/sg_acl.h"
#include "dataplane/vxlan.h"

#define DP_MAX_TENANTS 1024
#define DP_MAX_LOCAL 16   /* local attachments per tenant */
#define DP_MAX_REMOTE 16  /* remote VTEPs per tenant */
#define DP_MAX_VTEPS 256  /* distinct remote VTEPs */
#define DP_VLAN_COUNT 4096
#define DP_NO_TENANT 0xffff
#define DP_NO_VTEP 0xffff
#define DP_NO_SECURITY 0xffff
#define DP_NO_SG 0xffff
#define DP_MAX_WORKERS 16
#define DP_MAX_RXQ 32 /* rx queues one worker polls */

enum dp_port_role {
	DP_PORT_UNUSED,
	DP_PORT_ACCESS,
	DP_PORT_UPLINK,
};

struct dp_attachment {
	uint16_t port_id;
	uint16_t vlan; /* 0 = untagged */
};

struct dp_rxq {
	uint16_t port_id;
	uint16_t queue_id;
};

/* The rx queues one worker polls: they change when ports come and go. */
struct dp_worker_rxqs {
	uint16_t n;
	struct dp_rxq rxq[DP_MAX_RXQ];
};

struct dp_tenant {
	uint16_t id;   /* configured tenant id: the MAC table key */
	uint32_t vni;  /* 0 = no VXLAN */
	bool vtep_filter; /* accept VXLAN only from the listed VTEPs */
	uint16_t n_local;
	struct dp_attachment local[DP_MAX_LOCAL];
	uint16_t n_remote;
	uint16_t remote[DP_MAX_REMOTE]; /* indexes into dp_tables.vteps */
	uint32_t session_limit;      /* connection-tracking sessions at most */
};

/* Directions of traffic through an attachment, as security groups see them. */
enum sg_direction {
	SG_TO_VM,   /* "ingress": arriving at the VM on the attachment */
	SG_FROM_VM, /* "egress": sent by the VM */
	SG_DIRECTIONS,
};

/* An attachment with at least one security group: its traffic is checked
 * in both directions. Attachments without groups are not filtered. */
struct dp_sg_attachment {
	uint32_t policy[SG_DIRECTIONS]; /* sg_acl policy numbers (never 0) */
	/* Where its rule ids start in dp_tables.sg_rule_ids: a policy can be
	 * shared by attachments whose rules say the same but are other rules
	 * (another tenant's copy of a group), so the classifier returns a
	 * rule's position in the policy and the attachment names the rule. */
	uint32_t rule_ids[SG_DIRECTIONS];
	uint8_t default_action[SG_DIRECTIONS]; /* enum sg_action when no rule matches */
	uint16_t tenant;  /* slot */
	uint16_t counter; /* its verdict counters: tenant slot * DP_MAX_LOCAL + attachment index */
};

struct dp_vtep {
	uint32_t ip;   /* network order */
	bool resolved; /* next-hop MAC known: outer.eth is complete */
	struct vxlan_outer_template outer;
};

struct dp_port {
	enum dp_port_role role;
	uint16_t mtu; /* bytes of L3 packet */
	/* Tenant slot per VLAN id (index 0: untagged), DP_NO_TENANT if none. */
	uint16_t vlan_tenant[DP_VLAN_COUNT];
	/* Index into dp_tables.security of the attachment on each VLAN whose
	 * addresses are enforced, DP_NO_SECURITY if none. */
	uint16_t vlan_security[DP_VLAN_COUNT];
	/* Index into dp_tables.sg_attachments of the attachment on each VLAN
	 * that has security groups, DP_NO_SG if none. */
	uint16_t vlan_sg[DP_VLAN_COUNT];
};

/* VNI -> tenant slot in two levels: the 24-bit VNI's top 12 bits pick a
 * page (NULL when no tenant uses that range), the low 12 bits a slot.
 * Two loads per lookup, and memory only for the ranges in use. */
#define DP_VNI_PAGE_BITS 12
#define DP_VNI_PAGES (1u << (24 - DP_VNI_PAGE_BITS))

struct dp_vni_page {
	uint16_t slot[1u << DP_VNI_PAGE_BITS]; /* DP_NO_TENANT when unused */
};

struct dp_tables {
	uint64_t version; /* a new number for every compiled table (never 0) */
	struct dp_port ports[RTE_MAX_ETHPORTS];
	struct dp_worker_rxqs workers[DP_MAX_WORKERS];
	/* Indexed by tenant slot: a tenant keeps its slot (and so its counters)
	 * across configuration changes; unused slots have id 0. */
	struct dp_tenant tenants[DP_MAX_TENANTS];
	/* Session idle timeouts by tenant slot (apart from dp_tenant so that
	 * ct_expire() can take them as one array). */
	struct ct_timeouts ct_timeouts[DP_MAX_TENANTS];
	struct dp_vni_page *vni_pages[DP_VNI_PAGES];
	struct dp_port_security *security; /* of the enforced attachments */
	struct dp_sg_attachment *sg_attachments; /* of the filtered attachments */
	struct sg_acl *acl;      /* rules of every policy; NULL when none */
	uint32_t sg_generation;  /* changes whenever any rule or default changes */
	/* Rule hit counters, the one thing workers write in published tables:
	 * worker w counts hits of rule id r at sg_hits[w * n_rule_ids + r]. */
	uint32_t n_rule_ids;
	uint64_t *sg_hits;
	uint32_t *sg_rule_ids; /* see dp_sg_attachment.rule_ids */
	uint16_t n_vteps;
	struct dp_vtep vteps[DP_MAX_VTEPS];
	/* Underlay; uplink_port is RTE_MAX_ETHPORTS when there is none. */
	uint16_t uplink_port;
	uint32_t local_ip;  /* network order */
	uint16_t udp_port;  /* network order */
	struct rte_ether_addr local_mac;
};

/* The slot of the tenant with this VNI, or DP_NO_TENANT. */
static inline uint16_t dp_vni_tenant(const struct dp_tables *t, uint32_t vni)
{
	const struct dp_vni_page *page = t->vni_pages[(vni >> DP_VNI_PAGE_BITS) % DP_VNI_PAGES];

	return page ? page->slot[vni & ((1u << DP_VNI_PAGE_BITS) - 1)] : DP_NO_TENANT;
}

/* The rule id (hit counter) of a classifier result (not 0) in direction
 * dir of attachment sa. */
static inline uint32_t dp_sg_rule_id(const struct dp_tables *t, const struct dp_sg_attachment *sa,
				     enum sg_direction dir, uint32_t result)
{
	return t->sg_rule_ids[sa->rule_ids[dir] + sg_acl_result_rule_id(t->acl, result)];
}

/* Index of the VTEP with address ip (network order), or DP_NO_VTEP. */
static inline uint16_t dp_vtep_find(const struct dp_tables *t, uint32_t ip)
{
	for (uint16_t i = 0; i < t->n_vteps; i++)
		if (t->vteps[i].ip == ip)
			return i;
	return DP_NO_VTEP;
}
