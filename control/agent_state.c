#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include <libyang/libyang.h>
#include <rte_cycles.h>

#include "control/agent.h"
#include "control/agent_state.h"

/* Bases (".../statistics", ".../entry[mac='...']") fit in STATE_BASE_MAX;
 * paths built on a base get room for what they add. */
#define STATE_BASE_MAX 256
#define STATE_PATH_MAX (2 * STATE_BASE_MAX)

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
		r = leaf_u64(mw->a, mw->tree, base, "age",
			     e->is_static ? 0 : (mw->now - e->last_seen) / mw->a->dp.tsc_hz) == 0 ?
			    LY_SUCCESS : LY_EINVAL;
	mw->ret = r == LY_SUCCESS ? 0 : -EINVAL;
	return mw->ret;
}

int agent_state_add(void *agent, struct lyd_node **tree)
{
	struct agent *a = agent;
	struct mac_state_walk mw = {.a = a, .tree = tree, .now = rte_rdtsc()};

	for (unsigned i = 0; i < a->cfg->n_ports; i++)
		if (port_state_add(a, tree, i) != 0)
			return -EINVAL;
	for (unsigned i = 0; i < a->cfg->n_tenants; i++)
		if (tenant_state_add(a, tree, i) != 0)
			return -EINVAL;
	mac_table_walk(a->dp.macs, mac_state_add, &mw);
	return mw.ret;
}
