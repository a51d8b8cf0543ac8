#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <rte_telemetry.h>

#include "control/session_view.h"
#include "control/sg_compile.h"
#include "control/telemetry.h"

/* A reply holds at most 16 KiB of JSON (DPDK 22.11), and a session takes
 * up to about 200 bytes: more would be cut off without notice. */
#define TELEMETRY_SESSIONS_MAX 64

/* Telemetry callbacks take no context argument. */
static struct agent *telemetry_agent;

/* DPDK 22.11 telemetry nests dicts in dicts but not in arrays, and its dict
 * keys may hold only [A-Za-z0-9_/]: other characters become '_' in a key,
 * and a field inside ("name", "ip", "mac") keeps the real value. */
static const char *telemetry_key(const char *name, char *buf, size_t len)
{
	size_t i;

	for (i = 0; name[i] != '\0' && i + 1 < len; i++)
		buf[i] = isalnum((unsigned char)name[i]) || name[i] == '/' ? name[i] : '_';
	buf[i] = '\0';
	return buf;
}

/* Index of the tenant named params in the running configuration, or -1. */
static int tenant_param(const struct agent *a, const char *params)
{
	for (unsigned i = 0; params != NULL && i < a->cfg->n_tenants; i++)
		if (strcmp(a->cfg->tenants[i].name, params) == 0)
			return i;
	return -1;
}

static struct rte_tel_data *drops_dict(const uint64_t *drops, uint64_t *total)
{
	struct rte_tel_data *d = rte_tel_data_alloc();

	*total = 0;
	if (d == NULL)
		return NULL;
	rte_tel_data_start_dict(d);
	for (int r = 0; r < DROP_REASON_MAX; r++) {
		rte_tel_data_add_dict_u64(d, drop_reason_name(r), drops[r]);
		*total += drops[r];
	}
	return d;
}

static void add_drops(struct rte_tel_data *d, const uint64_t *drops)
{
	uint64_t total;
	struct rte_tel_data *c = drops_dict(drops, &total);

	rte_tel_data_add_dict_u64(d, "drops", total);
	if (c != NULL)
		rte_tel_data_add_dict_container(d, "drop", c, 0);
}

static int cmd_ports(const char *cmd __rte_unused, const char *params __rte_unused,
		     struct rte_tel_data *d)
{
	struct agent *a = telemetry_agent;
	char key[CONFIG_NAME_MAX];

	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&a->lock);
	for (unsigned i = 0; i < a->cfg->n_ports; i++) {
		uint16_t pid = a->port_ids[i];
		struct port_counters sum;
		struct rte_tel_data *p = rte_tel_data_alloc();

		if (p == NULL)
			break;
		agent_port_counters(a, pid, &sum);
		rte_tel_data_start_dict(p);
		rte_tel_data_add_dict_string(p, "name", a->cfg->ports[i].name);
		rte_tel_data_add_dict_int(p, "port_id", pid);
		rte_tel_data_add_dict_string(p, "role", a->cfg->ports[i].role == PORT_ROLE_UPLINK ?
								"uplink" : "access");
		rte_tel_data_add_dict_u64(p, "rx", sum.rx);
		rte_tel_data_add_dict_u64(p, "tx", sum.tx);
		add_drops(p, sum.drop);
		rte_tel_data_add_dict_container(
			d, telemetry_key(a->cfg->ports[i].name, key, sizeof(key)), p, 0);
	}
	pthread_mutex_unlock(&a->lock);
	return 0;
}

static int cmd_tenants(const char *cmd __rte_unused, const char *params __rte_unused,
		       struct rte_tel_data *d)
{
	struct agent *a = telemetry_agent;
	char key[CONFIG_NAME_MAX];

	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&a->lock);
	for (unsigned i = 0; i < a->cfg->n_tenants && i < RTE_TEL_MAX_DICT_ENTRIES; i++) {
		struct tenant_counters sum;
		struct rte_tel_data *t = rte_tel_data_alloc();

		if (t == NULL)
			break;
		agent_tenant_counters(a, a->tenant_slots[i], &sum);
		rte_tel_data_start_dict(t);
		rte_tel_data_add_dict_string(t, "name", a->cfg->tenants[i].name);
		rte_tel_data_add_dict_int(t, "id", a->cfg->tenants[i].id);
		rte_tel_data_add_dict_u64(t, "vni", a->cfg->tenants[i].vni);
		rte_tel_data_add_dict_u64(t, "rx", sum.rx);
		rte_tel_data_add_dict_u64(t, "tx", sum.tx);
		rte_tel_data_add_dict_u64(t, "flooded", sum.flooded);
		rte_tel_data_add_dict_u64(t, "macs", mac_table_dynamic_count(a->dp.macs, a->cfg->tenants[i].id));
		rte_tel_data_add_dict_u64(t, "macs_refused", a->macs_refused_by_id[a->cfg->tenants[i].id]);
		add_drops(t, sum.drop);
		rte_tel_data_add_dict_container(
			d, telemetry_key(a->cfg->tenants[i].name, key, sizeof(key)), t, 0);
	}
	pthread_mutex_unlock(&a->lock);
	return 0;
}

struct mac_walk {
	struct agent *a;
	const struct tenant_config *tenant;
	unsigned slot;
	struct rte_tel_data *list;
	unsigned n;
	uint64_t now;
};

static const char *attachment_name(const struct mac_walk *mw, uint64_t loc)
{
	const struct dp_tenant *tn = &mw->a->dp.tables->tenants[mw->slot];

	for (unsigned i = 0; i < tn->n_local; i++)
		if (tn->local[i].port_id == mac_loc_port(loc) && tn->local[i].vlan == mac_loc_vlan(loc))
			return mw->tenant->attachments[i].name;
	return "?";
}

static int mac_walk_add(const struct mac_key *key, const struct mac_entry *e, void *ctx)
{
	struct mac_walk *mw = ctx;
	struct rte_tel_data *m;
	char buf[RTE_ETHER_ADDR_FMT_SIZE];
	char ip[INET_ADDRSTRLEN];
	char key_buf[RTE_ETHER_ADDR_FMT_SIZE];
	uint32_t vtep;

	if (key->tenant_id != mw->tenant->id)
		return 0;
	if (mw->n == RTE_TEL_MAX_DICT_ENTRIES || (m = rte_tel_data_alloc()) == NULL)
		return 1;
	rte_tel_data_start_dict(m);
	rte_ether_format_addr(buf, sizeof(buf), &key->mac);
	rte_tel_data_add_dict_string(m, "mac", buf);
	if ((e->location & MAC_LOC_KIND_MASK) == MAC_LOC_LOCAL) {
		rte_tel_data_add_dict_string(m, "attachment", attachment_name(mw, e->location));
	} else {
		vtep = mac_loc_vtep_ip(e->location);
		inet_ntop(AF_INET, &vtep, ip, sizeof(ip));
		rte_tel_data_add_dict_string(m, "vtep", ip);
	}
	rte_tel_data_add_dict_int(m, "static", e->is_static);
	rte_tel_data_add_dict_u64(m, "age", e->is_static ? 0 :
				  agent_seconds_since(mw->now, e->last_seen, mw->a->dp.tsc_hz));
	rte_tel_data_add_dict_container(mw->list, telemetry_key(buf, key_buf, sizeof(key_buf)), m, 0);
	mw->n++;
	return 0;
}

static int cmd_macs(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	struct agent *a = telemetry_agent;
	struct mac_walk mw = {.a = a, .list = d, .now = rte_rdtsc()};
	int i;

	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&a->lock);
	i = tenant_param(a, params);
	if (i >= 0) {
		mw.tenant = &a->cfg->tenants[i];
		mw.slot = a->tenant_slots[i];
		mac_table_walk(a->dp.macs, mac_walk_add, &mw);
	}
	pthread_mutex_unlock(&a->lock);
	return i >= 0 ? 0 : -EINVAL;
}

struct session_walk {
	uint16_t slot;
	struct rte_tel_data *list;
	unsigned n;
	uint64_t now, tsc_hz;
};

static int session_walk_add(const struct ct_session *s, void *ctx)
{
	struct session_walk *sw = ctx;
	struct session_view v;
	struct rte_tel_data *e;
	char key[16];

	if (s->key.tenant != sw->slot)
		return 0;
	if (sw->n == TELEMETRY_SESSIONS_MAX || (e = rte_tel_data_alloc()) == NULL)
		return 1;
	session_view_fill(&v, s, sw->now, sw->tsc_hz);
	rte_tel_data_start_dict(e);
	rte_tel_data_add_dict_int(e, "proto", v.proto);
	rte_tel_data_add_dict_string(e, "src", v.src);
	rte_tel_data_add_dict_string(e, "dst", v.dst);
	rte_tel_data_add_dict_int(e, "sport", v.src_port);
	if (v.has_dst_port)
		rte_tel_data_add_dict_int(e, "dport", v.dst_port);
	rte_tel_data_add_dict_string(e, "state", v.state ? v.state : "?");
	rte_tel_data_add_dict_u64(e, "idle", v.idle_s);
	snprintf(key, sizeof(key), "%u", sw->n++);
	rte_tel_data_add_dict_container(sw->list, key, e, 0);
	return 0;
}

static int cmd_sessions(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	struct agent *a = telemetry_agent;
	struct session_walk sw = {.now = rte_rdtsc(), .tsc_hz = a->dp.tsc_hz};
	int i, ret = -EINVAL;

	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&a->lock);
	i = tenant_param(a, params);
	if (i >= 0) {
		sw.slot = a->tenant_slots[i];
		sw.list = rte_tel_data_alloc();
		ret = sw.list == NULL ? -ENOMEM : 0;
	}
	if (ret == 0) {
		rte_tel_data_start_dict(sw.list);
		for (unsigned w = 0; w < a->dp.n_workers && sw.n < TELEMETRY_SESSIONS_MAX; w++)
			ct_table_walk(a->dp.sessions[w], session_walk_add, &sw);
		rte_tel_data_add_dict_u64(
			d, "count", ct_tenant_sessions(a->dp.sessions, a->dp.n_workers, sw.slot));
		rte_tel_data_add_dict_u64(d, "listed", sw.n);
		rte_tel_data_add_dict_container(d, "sessions", sw.list, 0);
	}
	pthread_mutex_unlock(&a->lock);
	return ret;
}

/* The verdicts of a tenant's filtered attachments, and its sessions. */
static int cmd_security(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	struct agent *a = telemetry_agent;
	const struct tenant_config *tc;
	struct rte_tel_data *list = NULL;
	char key[CONFIG_NAME_MAX];
	int i, ret = -EINVAL;
	uint16_t slot;

	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&a->lock);
	i = tenant_param(a, params);
	if (i >= 0) {
		list = rte_tel_data_alloc();
		ret = list == NULL ? -ENOMEM : 0;
	}
	if (ret == 0) {
		tc = &a->cfg->tenants[i];
		slot = a->tenant_slots[i];
		rte_tel_data_add_dict_u64(d, "generation", a->dp.tables->sg_generation);
		rte_tel_data_add_dict_u64(d, "sessions",
					  ct_tenant_sessions(a->dp.sessions, a->dp.n_workers, slot));
		rte_tel_data_add_dict_u64(d, "session_limit", tc->conntrack.session_limit);
		rte_tel_data_start_dict(list);
		for (unsigned k = 0; k < tc->n_attachments; k++) {
			struct rte_tel_data *e;
			struct sg_verdict_counters sum;

			if (tc->attachments[k].sg.n_groups == 0)
				continue;
			e = rte_tel_data_alloc();
			if (e == NULL)
				break;
			agent_sg_verdicts(a, sg_verdict_counter(slot, k), &sum);
			rte_tel_data_start_dict(e);
			rte_tel_data_add_dict_string(e, "name", tc->attachments[k].name);
			rte_tel_data_add_dict_int(e, "groups", tc->attachments[k].sg.n_groups);
			rte_tel_data_add_dict_u64(e, "accepted", sum.accepted);
			rte_tel_data_add_dict_u64(e, "dropped", sum.dropped);
			rte_tel_data_add_dict_u64(e, "rejected", sum.rejected);
			rte_tel_data_add_dict_u64(e, "invalid", sum.invalid);
			rte_tel_data_add_dict_container(
				list, telemetry_key(tc->attachments[k].name, key, sizeof(key)), e, 0);
		}
		rte_tel_data_add_dict_container(d, "attachments", list, 0);
	}
	pthread_mutex_unlock(&a->lock);
	return ret;
}

static int cmd_arp(const char *cmd __rte_unused, const char *params __rte_unused,
		   struct rte_tel_data *d)
{
	struct agent *a = telemetry_agent;

	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&a->lock);
	rte_tel_data_add_dict_u64(d, "requests_sent", a->neighbours.requests_sent);
	rte_tel_data_add_dict_u64(d, "replies_sent", a->neighbours.replies_sent);
	rte_tel_data_add_dict_u64(d, "pending_dropped", a->neighbours.pending_dropped);
	pthread_mutex_unlock(&a->lock);
	return 0;
}

static int cmd_neighbours(const char *cmd __rte_unused, const char *params __rte_unused,
			  struct rte_tel_data *d)
{
	struct agent *a = telemetry_agent;
	char ip[INET_ADDRSTRLEN], mac[RTE_ETHER_ADDR_FMT_SIZE], key[INET_ADDRSTRLEN];

	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&a->lock);
	for (uint16_t i = 0; i < a->neighbours.n; i++) {
		const struct neighbour *n = &a->neighbours.entries[i];
		struct rte_tel_data *e = rte_tel_data_alloc();

		if (e == NULL)
			break;
		rte_tel_data_start_dict(e);
		inet_ntop(AF_INET, &n->ip, ip, sizeof(ip));
		rte_tel_data_add_dict_string(e, "ip", ip);
		rte_ether_format_addr(mac, sizeof(mac), &n->mac);
		rte_tel_data_add_dict_string(e, "mac", n->resolved ? mac : "");
		rte_tel_data_add_dict_int(e, "resolved", n->resolved);
		rte_tel_data_add_dict_int(e, "static", n->is_static);
		rte_tel_data_add_dict_int(e, "pending", n->n_pending);
		rte_tel_data_add_dict_container(d, telemetry_key(ip, key, sizeof(key)), e, 0);
	}
	pthread_mutex_unlock(&a->lock);
	return 0;
}

static int cmd_workers(const char *cmd __rte_unused, const char *params __rte_unused,
		       struct rte_tel_data *d)
{
	struct agent *a = telemetry_agent;
	char key[32];

	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "tsc_hz", a->dp.tsc_hz);
	for (unsigned i = 0; i < a->n_workers; i++) {
		const struct worker_stats *s = &a->workers[i]->stats;
		struct rte_tel_data *w = rte_tel_data_alloc();
		struct rte_tel_data *stages = rte_tel_data_alloc();

		if (w == NULL || stages == NULL) {
			rte_tel_data_free(w);
			rte_tel_data_free(stages);
			return -ENOMEM;
		}
		rte_tel_data_start_dict(w);
		rte_tel_data_add_dict_int(w, "lcore", a->workers[i]->lcore_id);
		rte_tel_data_add_dict_u64(w, "packets", s->packets);
		rte_tel_data_add_dict_u64(w, "cycles", s->cycles);
		rte_tel_data_add_dict_u64(w, "busy_cycles", s->busy_cycles);
		rte_tel_data_add_dict_u64(w, "learn_dropped", s->learn_dropped);
		rte_tel_data_add_dict_u64(w, "profiled_packets", s->profiled_packets);
		rte_tel_data_add_dict_u64(w, "mac_lookups", s->mac_lookups);
		rte_tel_data_add_dict_u64(w, "mac_cache_misses", s->mac_cache_misses);
		rte_tel_data_add_dict_u64(w, "flow_cache_hits", s->flow_cache_hits);
		rte_tel_data_start_dict(stages);
		for (int st = 0; st < STAGE_MAX; st++)
			rte_tel_data_add_dict_u64(stages, worker_stage_name(st), s->stage_cycles[st]);
		rte_tel_data_add_dict_container(w, "stage_cycles", stages, 0);
		snprintf(key, sizeof(key), "worker%u", i);
		rte_tel_data_add_dict_container(d, key, w, 0);
	}
	return 0;
}

int telemetry_register(struct agent *a)
{
	telemetry_agent = a;
	if (rte_telemetry_register_cmd("/poolnet/ports", cmd_ports,
				       "Per-port counters: rx, tx, drops per reason") != 0 ||
	    rte_telemetry_register_cmd("/poolnet/tenants", cmd_tenants,
				       "Per-tenant counters: rx, tx, flooded, drops per reason") != 0 ||
	    rte_telemetry_register_cmd("/poolnet/macs", cmd_macs,
				       "MAC table of a tenant. Parameter: tenant name") != 0 ||
	    rte_telemetry_register_cmd("/poolnet/sessions", cmd_sessions,
				       "Tracked connections of a tenant: count, and the first "
				       RTE_STR(TELEMETRY_SESSIONS_MAX) ". Parameter: tenant name") != 0 ||
	    rte_telemetry_register_cmd("/poolnet/security", cmd_security,
				       "Security-group verdicts per attachment of a tenant, "
				       "its session count and limit. Parameter: tenant name") != 0 ||
	    rte_telemetry_register_cmd("/poolnet/neighbours", cmd_neighbours,
				       "Underlay neighbours resolved by ARP") != 0 ||
	    rte_telemetry_register_cmd("/poolnet/arp", cmd_arp,
				       "ARP requests and replies sent, held frames dropped") != 0 ||
	    rte_telemetry_register_cmd("/poolnet/workers", cmd_workers,
				       "Per-worker packets and cycles per pipeline stage") != 0)
		return -1;
	return 0;
}
