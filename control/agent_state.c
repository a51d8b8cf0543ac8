#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <libyang/libyang.h>
#include <rte_cycles.h>

#include "control/agent.h"
#include "control/agent_state.h"
#include "control/session_view.h"
#include "control/sg_compile.h"

/* Bases (".../statistics", ".../entry[mac='...']") fit in STATE_BASE_MAX;
 * paths built on a base get room for what they add. */
#define STATE_BASE_MAX 256
#define STATE_PATH_MAX (2 * STATE_BASE_MAX)

/* A GET builds its whole reply in memory, and a tenant may track up to a
 * million connections: its session list shows at most this many, and its
 * session-count the true number. */
#define STATE_SESSIONS_MAX 1000

/* Sets leaf base/leaf to the decimal value, creating what is missing. */
static int leaf_u64(struct agent *a, struct lyd_node **tree, const char *base, const char *leaf,
		    uint64_t value)
{
	char path[2 * STATE_PATH_MAX], text[24];

	snprintf(path, sizeof(path), "%s/%s", base, leaf);
	snprintf(text, sizeof(text), "%" PRIu64, value);
	return lyd_new_path(*tree, a->ds.ctx, path, text, LYD_NEW_PATH_UPDATE,
			    *tree ? NULL : tree) == LY_SUCCESS ? 0 : -EINVAL;
}

static int drops_add(struct agent *a, struct lyd_node **tree, const char *base,
		     const uint64_t *drops)
{
	char path[STATE_PATH_MAX];

	for (int r = 0; r < DROP_REASON_MAX; r++) {
		snprintf(path, sizeof(path), "%s/drop[reason='%s']", base, drop_reason_name(r));
		if (leaf_u64(a, tree, path, "packets", drops[r]) != 0)
			return -EINVAL;
	}
	return 0;
}

static int port_state_add(struct agent *a, struct lyd_node **tree, unsigned i)
{
	struct port_counters sum;
	char base[STATE_BASE_MAX];
	uint64_t drops = 0;

	agent_port_counters(a, a->port_ids[i], &sum);
	for (int r = 0; r < DROP_REASON_MAX; r++)
		drops += sum.drop[r];
	snprintf(base, sizeof(base), "/poolnet:ports/port[name='%s']/statistics",
		 a->cfg->ports[i].name);
	if (leaf_u64(a, tree, base, "rx-packets", sum.rx) != 0 ||
	    leaf_u64(a, tree, base, "tx-packets", sum.tx) != 0 ||
	    leaf_u64(a, tree, base, "drops", drops) != 0)
		return -EINVAL;
	return drops_add(a, tree, base, sum.drop);
}

static int tenant_state_add(struct agent *a, struct lyd_node **tree, unsigned i)
{
	struct tenant_counters sum;
	char base[STATE_BASE_MAX];

	agent_tenant_counters(a, a->tenant_slots[i], &sum);
	snprintf(base, sizeof(base), "/poolnet:tenants/tenant[name='%s']/statistics",
		 a->cfg->tenants[i].name);
	if (leaf_u64(a, tree, base, "rx-packets", sum.rx) != 0 ||
	    leaf_u64(a, tree, base, "tx-packets", sum.tx) != 0 ||
	    leaf_u64(a, tree, base, "flooded-packets", sum.flooded) != 0 ||
	    leaf_u64(a, tree, base, "macs-refused", a->macs_refused_by_id[a->cfg->tenants[i].id]) != 0)
		return -EINVAL;
	return drops_add(a, tree, base, sum.drop);
}

/* Hits of the rules of tenant i's security groups, whose ids start at
 * first_id. */
static int rule_hits_add(struct agent *a, struct lyd_node **tree, unsigned i, uint32_t first_id)
{
	const struct tenant_config *tc = &a->cfg->tenants[i];
	char base[STATE_BASE_MAX];
	uint32_t id = first_id;

	for (unsigned g = 0; g < tc->n_groups; g++)
		for (unsigned r = 0; r < tc->groups[g].n_rules; r++) {
			snprintf(base, sizeof(base),
				 "/poolnet:tenants/tenant[name='%s']/security-group[name='%s']"
				 "/rule[sequence='%" PRIu32 "']",
				 tc->name, tc->groups[g].name, tc->groups[g].rules[r].sequence);
			if (leaf_u64(a, tree, base, "hits", agent_sg_rule_hits(a, id++)) != 0)
				return -EINVAL;
		}
	return 0;
}

/* Verdicts of tenant i's attachments that security groups filter. */
static int attachment_verdicts_add(struct agent *a, struct lyd_node **tree, unsigned i)
{
	const struct tenant_config *tc = &a->cfg->tenants[i];
	struct sg_verdict_counters sum;
	char base[STATE_BASE_MAX];

	for (unsigned k = 0; k < tc->n_attachments; k++) {
		if (tc->attachments[k].sg.n_groups == 0)
			continue;
		agent_sg_verdicts(a, sg_verdict_counter(a->tenant_slots[i], k), &sum);
		snprintf(base, sizeof(base),
			 "/poolnet:tenants/tenant[name='%s']/attachment[name='%s']/security/statistics",
			 tc->name, tc->attachments[k].name);
		if (leaf_u64(a, tree, base, "accepted", sum.accepted) != 0 ||
		    leaf_u64(a, tree, base, "dropped", sum.dropped) != 0 ||
		    leaf_u64(a, tree, base, "rejected", sum.rejected) != 0 ||
		    leaf_u64(a, tree, base, "invalid", sum.invalid) != 0)
			return -EINVAL;
	}
	return 0;
}

static int security_state_add(struct agent *a, struct lyd_node **tree, unsigned i,
			      uint32_t first_rule_id)
{
	char base[STATE_BASE_MAX];

	snprintf(base, sizeof(base), "/poolnet:tenants/tenant[name='%s']/connection-tracking",
		 a->cfg->tenants[i].name);
	if (leaf_u64(a, tree, base, "session-count",
		     ct_tenant_sessions(a->dp.sessions, a->dp.n_workers, a->tenant_slots[i])) != 0)
		return -EINVAL;
	if (rule_hits_add(a, tree, i, first_rule_id) != 0)
		return -EINVAL;
	return attachment_verdicts_add(a, tree, i);
}

struct session_state_walk {
	struct agent *a;
	struct lyd_node **tree;
	uint64_t now;
	int16_t tenant_of_slot[DP_MAX_TENANTS]; /* index in a->cfg, or -1 */
	/* Sessions listed per slot, which also numbers them: the conntrack
	 * walk does not tell where an entry is, so an index is the session's
	 * rank in this reply, not a slot that stays the session's. */
	uint16_t listed[DP_MAX_TENANTS];
	int ret;
};

static int session_leaf(struct session_state_walk *sw, const char *base, const char *leaf,
			const char *value)
{
	char path[STATE_PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", base, leaf);
	if (lyd_new_path(*sw->tree, NULL, path, value, LYD_NEW_PATH_UPDATE, NULL) != LY_SUCCESS)
		return -EINVAL;
	return 0;
}

static int session_state_add(const struct ct_session *s, void *ctx)
{
	struct session_state_walk *sw = ctx;
	uint16_t slot = s->key.tenant;
	int tenant = slot < DP_MAX_TENANTS ? sw->tenant_of_slot[slot] : -1;
	char base[STATE_BASE_MAX];
	struct session_view v;

	if (tenant < 0 || sw->listed[slot] == STATE_SESSIONS_MAX)
		return 0;
	session_view_fill(&v, s, sw->now, sw->a->dp.tsc_hz);
	snprintf(base, sizeof(base),
		 "/poolnet:tenants/tenant[name='%s']/connection-tracking/session[index='%u']",
		 sw->a->cfg->tenants[tenant].name, sw->listed[slot]++);
	sw->ret = leaf_u64(sw->a, sw->tree, base, "protocol", v.proto);
	if (sw->ret == 0)
		sw->ret = session_leaf(sw, base, "source-address", v.src);
	if (sw->ret == 0)
		sw->ret = session_leaf(sw, base, "destination-address", v.dst);
	if (sw->ret == 0)
		sw->ret = leaf_u64(sw->a, sw->tree, base, "source-port", v.src_port);
	if (sw->ret == 0 && v.has_dst_port)
		sw->ret = leaf_u64(sw->a, sw->tree, base, "destination-port", v.dst_port);
	if (sw->ret == 0 && v.state != NULL)
		sw->ret = session_leaf(sw, base, "state", v.state);
	if (sw->ret == 0)
		sw->ret = leaf_u64(sw->a, sw->tree, base, "idle", RTE_MIN(v.idle_s, UINT32_MAX));
	return sw->ret;
}

/* Every worker's session table once, each session to its tenant. */
static int sessions_add(struct agent *a, struct lyd_node **tree)
{
	struct session_state_walk sw = {.a = a, .tree = tree, .now = rte_rdtsc()};

	memset(sw.tenant_of_slot, 0xff, sizeof(sw.tenant_of_slot));
	for (unsigned i = 0; i < a->cfg->n_tenants; i++)
		sw.tenant_of_slot[a->tenant_slots[i]] = i;
	for (unsigned w = 0; w < a->dp.n_workers && sw.ret == 0; w++)
		ct_table_walk(a->dp.sessions[w], session_state_add, &sw);
	return sw.ret;
}

struct mac_state_walk {
	struct agent *a;
	struct lyd_node **tree;
	uint64_t now;
	int ret;
};

static const char *attachment_of(const struct agent *a, const struct tenant_config *tc,
				 uint64_t loc)
{
	for (unsigned i = 0; i < tc->n_attachments; i++) {
		int p = config_port_index(a->cfg, tc->attachments[i].port);

		if (p >= 0 && a->port_ids[p] == mac_loc_port(loc) &&
		    tc->attachments[i].vlan == mac_loc_vlan(loc))
			return tc->attachments[i].name;
	}
	return NULL;
}

static int mac_state_add(const struct mac_key *key, const struct mac_entry *e, void *ctx)
{
	struct mac_state_walk *mw = ctx;
	const struct tenant_config *tc = NULL;
	char base[STATE_BASE_MAX], path[STATE_PATH_MAX], mac[RTE_ETHER_ADDR_FMT_SIZE];
	char ip[INET_ADDRSTRLEN];
	const char *attachment;
	uint64_t age = e->is_static ? 0 : agent_seconds_since(mw->now, e->last_seen, mw->a->dp.tsc_hz);
	uint32_t vtep;
	LY_ERR r;

	for (unsigned i = 0; i < mw->a->cfg->n_tenants && tc == NULL; i++)
		if (mw->a->cfg->tenants[i].id == key->tenant_id)
			tc = &mw->a->cfg->tenants[i];
	if (tc == NULL)
		return 0;
	/* yang:mac-address is lower case with colons. */
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", key->mac.addr_bytes[0],
		 key->mac.addr_bytes[1], key->mac.addr_bytes[2], key->mac.addr_bytes[3],
		 key->mac.addr_bytes[4], key->mac.addr_bytes[5]);
	snprintf(base, sizeof(base), "/poolnet:tenants/tenant[name='%s']/mac-table/entry[mac='%s']",
		 tc->name, mac);
	if ((e->location & MAC_LOC_KIND_MASK) == MAC_LOC_LOCAL) {
		attachment = attachment_of(mw->a, tc, e->location);
		if (attachment == NULL)
			return 0; /* its attachment is being removed */
		snprintf(path, sizeof(path), "%s/attachment", base);
		r = lyd_new_path(*mw->tree, NULL, path, attachment, LYD_NEW_PATH_UPDATE, NULL);
	} else {
		vtep = mac_loc_vtep_ip(e->location);
		inet_ntop(AF_INET, &vtep, ip, sizeof(ip));
		snprintf(path, sizeof(path), "%s/remote-vtep", base);
		r = lyd_new_path(*mw->tree, NULL, path, ip, LYD_NEW_PATH_UPDATE, NULL);
	}
	snprintf(path, sizeof(path), "%s/static", base);
	if (r == LY_SUCCESS)
		r = lyd_new_path(*mw->tree, NULL, path, e->is_static ? "true" : "false",
				 LYD_NEW_PATH_UPDATE, NULL);
	if (r == LY_SUCCESS)
		r = leaf_u64(mw->a, mw->tree, base, "age", age) == 0 ? LY_SUCCESS : LY_EINVAL;
	mw->ret = r == LY_SUCCESS ? 0 : -EINVAL;
	return mw->ret;
}

int agent_state_add(void *agent, struct lyd_node **tree)
{
	struct agent *a = agent;
	struct mac_state_walk mw = {.a = a, .tree = tree};
	uint32_t first_rule_id = 0; /* of tenant i's rules */

	for (unsigned i = 0; i < a->cfg->n_ports; i++)
		if (port_state_add(a, tree, i) != 0)
			return -EINVAL;
	for (unsigned i = 0; i < a->cfg->n_tenants; i++) {
		if (tenant_state_add(a, tree, i) != 0 ||
		    security_state_add(a, tree, i, first_rule_id) != 0)
			return -EINVAL;
		first_rule_id += sg_tenant_rule_count(&a->cfg->tenants[i]);
	}
	if (sessions_add(a, tree) != 0)
		return -EINVAL;
	mw.now = rte_rdtsc();
	mac_table_walk(a->dp.macs, mac_state_add, &mw);
	return mw.ret;
}
