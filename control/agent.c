#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>

#include "control/agent.h"
#include "control/arp_resolver.h"
#include "control/mac_learning.h"
#include "control/ports.h"
#include "control/sg_compile.h"
#include "control/table_compile.h"

/* Default underlay source MAC: 02:70:6e + the VTEP address's low three
 * bytes. Not the uplink port's MAC: a net_tap port shares it with its
 * kernel peer. */
static struct rte_ether_addr underlay_source_mac(const struct config *cfg)
{
	const uint8_t *ip = (const uint8_t *)&cfg->underlay.local_ip;

	if (cfg->underlay.has_mac)
		return cfg->underlay.mac;
	return (struct rte_ether_addr){{0x02, 0x70, 0x6e, ip[1], ip[2], ip[3]}};
}

/* Tables compiled, and what the control thread keeps beside them. */
struct compiled {
	struct dp_tables *tables;
	uint64_t *sg_hits_base; /* zeroed; NULL when the tables have no rule id */
	uint64_t sg_digest;
};

static int compile(struct agent *a, const struct config *cfg, const uint16_t *port_ids,
		   const uint16_t *rxqs, const uint16_t *slots, struct compiled *out, char *err,
		   size_t errlen)
{
	struct rte_ether_addr mac = underlay_source_mac(cfg);
	const struct table_inputs in = {
		.cfg = cfg,
		.port_ids = port_ids,
		.port_rx_queues = rxqs,
		.tenant_slots = slots,
		.n_workers = a->n_workers,
		.local_mac = &mac,
		.neighbours = &a->neighbours,
		.learned_vteps = a->learned_vteps,
		.n_learned_vteps = a->n_learned_vteps,
		.published_sg_generation = a->dp.tables ? a->dp.tables->sg_generation : 0,
		.published_sg_digest = a->sg_digest,
		.sg_digest = &out->sg_digest,
	};

	out->tables = tables_compile(&in, err, errlen);
	if (out->tables == NULL)
		return -EINVAL;
	out->sg_hits_base = NULL;
	if (out->tables->n_rule_ids == 0)
		return 0;
	out->sg_hits_base = calloc(out->tables->n_rule_ids, sizeof(*out->sg_hits_base));
	if (out->sg_hits_base == NULL) {
		snprintf(err, errlen, "out of memory for the hit counts of %u rules",
			 out->tables->n_rule_ids);
		tables_free(out->tables);
		return -ENOMEM;
	}
	return 0;
}

/* Workers may read the previous tables until each has reported a
 * quiescent state: only then are they freed, and their rule hit counts
 * final. prev_cfg is what they were compiled from, a->cfg what next was. */
static void publish(struct agent *a, const struct config *prev_cfg, struct compiled *next)
{
	struct dp_tables *prev = a->dp.tables;

	__atomic_store_n(&a->dp.tables, next->tables, __ATOMIC_RELEASE);
	rte_rcu_qsbr_synchronize(a->dp.rcu, RTE_QSBR_THRID_INVALID);
	sg_hits_carry(prev_cfg, prev, a->sg_hits_base, a->n_workers, a->cfg, next->sg_hits_base);
	free(a->sg_hits_base);
	a->sg_hits_base = next->sg_hits_base;
	a->sg_digest = next->sg_digest;
	tables_free(prev);
}

int agent_publish_tables(struct agent *a)
{
	char err[256];
	struct compiled next;

	if (compile(a, a->cfg, a->port_ids, a->port_rxqs, a->tenant_slots, &next, err,
		    sizeof(err)) != 0) {
		fprintf(stderr, "poolnetd: cannot compile the tables: %s\n", err);
		return -ENOMEM;
	}
	publish(a, a->cfg, &next);
	return 0;
}

void agent_transmit(struct agent *a, uint16_t port_id, struct rte_mbuf *m)
{
	m->port = port_id;
	if (rte_ring_sp_enqueue(a->dp.control_tx_ring, m) != 0)
		rte_pktmbuf_free(m);
}

void agent_port_counters(const struct agent *a, uint16_t port_id, struct port_counters *sum)
{
	*sum = (struct port_counters){0};
	for (unsigned w = 0; w < a->n_workers; w++) {
		const struct port_counters *c = &a->workers[w]->port[port_id];

		sum->rx += c->rx;
		sum->tx += c->tx;
		for (int r = 0; r < DROP_REASON_MAX; r++)
			sum->drop[r] += c->drop[r];
	}
}

void agent_tenant_counters(const struct agent *a, uint16_t slot, struct tenant_counters *sum)
{
	*sum = (struct tenant_counters){0};
	for (unsigned w = 0; w < a->n_workers; w++) {
		const struct tenant_counters *c = &a->workers[w]->tenant[slot];

		sum->rx += c->rx;
		sum->tx += c->tx;
		sum->flooded += c->flooded;
		for (int r = 0; r < DROP_REASON_MAX; r++)
			sum->drop[r] += c->drop[r];
	}
}

void agent_sg_verdicts(const struct agent *a, uint16_t counter, struct sg_verdict_counters *sum)
{
	*sum = (struct sg_verdict_counters){0};
	for (unsigned w = 0; w < a->n_workers; w++) {
		const struct sg_verdict_counters *c = &a->workers[w]->sg[counter];

		sum->accepted += c->accepted;
		sum->dropped += c->dropped;
		sum->rejected += c->rejected;
		sum->invalid += c->invalid;
	}
}

uint64_t agent_sg_rule_hits(const struct agent *a, uint32_t rule_id)
{
	const struct dp_tables *t = a->dp.tables;
	uint64_t n = a->sg_hits_base[rule_id];

	for (unsigned w = 0; w < a->n_workers; w++)
		n += t->sg_hits[(size_t)w * t->n_rule_ids + rule_id];
	return n;
}

uint16_t agent_tenant_slot(const struct agent *a, uint16_t tenant_id)
{
	for (unsigned i = 0; i < a->cfg->n_tenants; i++)
		if (a->cfg->tenants[i].id == tenant_id)
			return a->tenant_slots[i];
	return DP_NO_TENANT;
}

/* A port keeps running across a change when its devargs stay the same. */
static int running_port(const struct config *cfg, const struct port_config *pc)
{
	for (unsigned i = 0; i < cfg->n_ports; i++)
		if (strcmp(cfg->ports[i].devargs, pc->devargs) == 0)
			return i;
	return -1;
}

/* A tenant keeps its slot (its counters, its MAC table key stays its id);
 * a new one takes a slot no tenant of prev used, so counters of a deleted
 * tenant never show up under a new one. */
static int slots_assign(const struct agent *a, const struct config *next, uint16_t *slots)
{
	static bool used[DP_MAX_TENANTS];
	uint16_t free_slot = 0;

	memset(used, 0, sizeof(used));
	for (unsigned i = 0; i < a->cfg->n_tenants; i++)
		used[a->tenant_slots[i]] = true;
	for (unsigned i = 0; i < next->n_tenants; i++) {
		slots[i] = agent_tenant_slot(a, next->tenants[i].id);
		if (slots[i] != DP_NO_TENANT)
			continue;
		while (free_slot < DP_MAX_TENANTS && used[free_slot])
			free_slot++;
		if (free_slot == DP_MAX_TENANTS)
			return -ENOSPC;
		slots[i] = free_slot;
		used[free_slot] = true;
	}
	return 0;
}

struct mac_cleanup {
	const struct agent *a;
	const struct dp_tables *t;
};

static const struct tenant_config *tenant_by_id(const struct config *cfg, uint16_t id)
{
	for (unsigned i = 0; i < cfg->n_tenants; i++)
		if (cfg->tenants[i].id == id)
			return &cfg->tenants[i];
	return NULL;
}

/* Is this MAC entry about something the new configuration no longer has? */
static bool mac_entry_stale(const struct mac_key *key, const struct mac_entry *e, void *ctx)
{
	const struct mac_cleanup *c = ctx;
	const struct tenant_config *tc = tenant_by_id(c->a->cfg, key->tenant_id);
	uint64_t loc = e->location;

	if (tc == NULL)
		return true;
	if (e->is_static) {
		for (unsigned i = 0; i < tc->n_static_macs; i++)
			if (rte_is_same_ether_addr(&tc->static_macs[i].mac, &key->mac))
				return false;
		return true;
	}
	if ((loc & MAC_LOC_KIND_MASK) == MAC_LOC_LOCAL)
		return c->t->ports[mac_loc_port(loc)].vlan_tenant[mac_loc_vlan(loc)] !=
		       agent_tenant_slot(c->a, key->tenant_id);
	/* A tenant that lists no VTEPs learns them from traffic. */
	if (tc->n_vteps == 0)
		return false;
	for (unsigned i = 0; i < tc->n_vteps; i++)
		if (tc->vteps[i] == mac_loc_vtep_ip(loc))
			return false;
	return true;
}

/* Whether the running configuration still has, at this position of tenant
 * prev_tc, the same attachment (same tenant id and name) filtered by
 * security groups: then it keeps its verdict counters. */
static bool sg_counters_kept(const struct agent *a, const struct tenant_config *prev_tc,
			     unsigned attachment)
{
	const struct tenant_config *tc = tenant_by_id(a->cfg, prev_tc->id);

	return tc != NULL && attachment < tc->n_attachments &&
	       tc->attachments[attachment].sg.n_groups != 0 &&
	       strcmp(tc->attachments[attachment].name, prev_tc->attachments[attachment].name) == 0;
}

/* Verdict counters are indexed by tenant slot and attachment position: a
 * filtered attachment that is gone, or no longer filtered, or now another
 * attachment's position, starts from zero. Packets of a new attachment at
 * that position, counted since publishing, are lost with them. */
static void sg_counters_reset(struct agent *a, const struct config *prev,
			      const uint16_t *prev_slots)
{
	for (unsigned i = 0; i < prev->n_tenants; i++)
		for (unsigned k = 0; k < prev->tenants[i].n_attachments; k++) {
			uint16_t c = sg_verdict_counter(prev_slots[i], k);

			if (prev->tenants[i].attachments[k].sg.n_groups == 0 ||
			    sg_counters_kept(a, &prev->tenants[i], k))
				continue;
			for (unsigned w = 0; w < a->n_workers; w++)
				memset(&a->workers[w]->sg[c], 0, sizeof(struct sg_verdict_counters));
		}
}

/* After publishing: what prev had and cfg has not is dropped. */
static void cleanup_removed(struct agent *a, const struct config *prev, const uint16_t *prev_ports,
			    const uint16_t *prev_slots)
{
	struct mac_cleanup c = {a, a->dp.tables};

	mac_table_remove_if(a->dp.macs, mac_entry_stale, &c);
	sg_counters_reset(a, prev, prev_slots);
	for (unsigned i = 0; i < prev->n_tenants; i++) {
		if (agent_tenant_slot(a, prev->tenants[i].id) != DP_NO_TENANT)
			continue;
		for (unsigned w = 0; w < a->n_workers; w++)
			memset(&a->workers[w]->tenant[prev_slots[i]], 0, sizeof(struct tenant_counters));
	}
	for (unsigned i = 0; i < prev->n_ports; i++) {
		if (running_port(a->cfg, &prev->ports[i]) >= 0)
			continue;
		port_stop(prev_ports[i]);
		for (unsigned w = 0; w < a->n_workers; w++)
			memset(&a->workers[w]->port[prev_ports[i]], 0, sizeof(struct port_counters));
	}
}

int agent_apply(void *agent, const struct config *next, struct datastore_error *err)
{
	struct agent *a = agent;
	const struct config *prev = a->cfg;
	uint16_t port_ids[CONFIG_MAX_PORTS], rxqs[CONFIG_MAX_PORTS], slots[CONFIG_MAX_TENANTS];
	uint16_t prev_ports[CONFIG_MAX_PORTS], prev_slots[CONFIG_MAX_TENANTS];
	bool started[CONFIG_MAX_PORTS] = {false};
	int kept_from[CONFIG_MAX_PORTS]; /* index in prev of a port that keeps running */
	struct compiled compiled;
	char msg[512], path[256];
	unsigned i;
	int ret;

	for (i = 0; i < next->n_ports; i++) {
		int j = running_port(prev, &next->ports[i]);

		kept_from[i] = j;
		if (j >= 0) {
			port_ids[i] = a->port_ids[j];
			rxqs[i] = a->port_rxqs[j];
			ret = port_set_mtu(port_ids[i], next->ports[i].mtu);
			if (ret != 0) {
				snprintf(path, sizeof(path), "/poolnet:ports/port[name='%s']/mtu",
					 next->ports[i].name);
				ret = datastore_error_set(err, 400, "invalid-value", path,
							  "the device refuses MTU %u: %s",
							  next->ports[i].mtu, strerror(-ret));
				goto undo;
			}
			continue;
		}
		ret = port_start(&next->ports[i], a->n_workers, a->dp.pool, &port_ids[i], &rxqs[i],
				 msg, sizeof(msg));
		if (ret != 0) {
			snprintf(path, sizeof(path), "/poolnet:ports/port[name='%s']/devargs",
				 next->ports[i].name);
			ret = ret == -EBUSY ?
				      datastore_error_set(err, 409, "in-use", path, "%s", msg) :
				      datastore_error_set(err, 400, "invalid-value", path, "%s", msg);
			goto undo;
		}
		started[i] = true;
	}
	if (slots_assign(a, next, slots) != 0) {
		ret = datastore_error_set(err, 400, "resource-denied", "/poolnet:tenants",
					  "more than %u tenants", DP_MAX_TENANTS);
		goto undo;
	}
	if (compile(a, next, port_ids, rxqs, slots, &compiled, msg, sizeof(msg)) != 0) {
		ret = datastore_error_set(err, 500, "operation-failed", NULL, "%s", msg);
		goto undo;
	}

	pthread_mutex_lock(&a->lock);
	memcpy(prev_ports, a->port_ids, sizeof(prev_ports));
	memcpy(prev_slots, a->tenant_slots, sizeof(prev_slots));
	memcpy(a->port_ids, port_ids, sizeof(port_ids));
	memcpy(a->port_rxqs, rxqs, sizeof(rxqs));
	memcpy(a->tenant_slots, slots, sizeof(slots));
	a->cfg = next;
	publish(a, prev, &compiled);
	cleanup_removed(a, prev, prev_ports, prev_slots);
	arp_resolver_sync(a);
	ret = mac_learning_configure(a, msg, sizeof(msg));
	pthread_mutex_unlock(&a->lock);
	if (ret != 0)
		fprintf(stderr, "poolnetd: %s\n", msg);
	return 0;
undo:
	/* Ports after i were not touched; i itself refused or failed to start. */
	for (unsigned k = 0; k < RTE_MIN(i + 1, next->n_ports); k++) {
		if (started[k])
			port_stop(port_ids[k]);
		else if (kept_from[k] >= 0)
			port_set_mtu(port_ids[k], prev->ports[kept_from[k]].mtu);
	}
	return ret;
}
