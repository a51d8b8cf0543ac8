#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "control/arp_resolver.h"
#include "control/mac_learning.h"

#define LEARN_DRAIN_BURST 256

int mac_learning_configure(struct agent *a, char *err, size_t errlen)
{
	const struct dp_tables *t = a->dp.tables;

	static uint32_t previous_limit[UINT16_MAX + 1];

	memcpy(previous_limit, a->mac_limit_by_id, sizeof(previous_limit));
	memset(a->ageing_s_by_id, 0, sizeof(a->ageing_s_by_id));
	memset(a->mac_limit_by_id, 0, sizeof(a->mac_limit_by_id));
	for (unsigned i = 0; i < a->cfg->n_tenants; i++) {
		const struct tenant_config *tc = &a->cfg->tenants[i];

		a->ageing_s_by_id[tc->id] = tc->mac_ageing_s;
		a->mac_limit_by_id[tc->id] = tc->mac_limit;
		/* A tenant new to this configuration starts its count afresh. */
		if (previous_limit[tc->id] == 0)
			a->macs_refused_by_id[tc->id] = 0;
		for (unsigned s = 0; s < tc->n_static_macs; s++) {
			const struct static_mac_config *sm = &tc->static_macs[s];
			struct mac_key key = {.tenant_id = tc->id, .mac = sm->mac};
			uint64_t loc;

			if (sm->attachment >= 0)
				loc = mac_loc_local(t->tenants[a->tenant_slots[i]].local[sm->attachment].port_id,
						    tc->attachments[sm->attachment].vlan);
			else
				loc = mac_loc_remote(dp_vtep_find(t, sm->vtep), sm->vtep);
			if (mac_table_add_static(a->dp.macs, &key, loc) != 0) {
				snprintf(err, errlen, "tenant %s: MAC table full (%u entries)",
					 tc->name, MAC_TABLE_CAPACITY);
				return -ENOSPC;
			}
		}
	}
	return 0;
}

/* A tenant that lists no VTEPs takes VXLAN from any: the first MAC learned
 * behind an unknown VTEP makes it known. Returns whether it was new. */
static bool vtep_learn(struct agent *a, uint32_t ip)
{
	if (dp_vtep_find(a->dp.tables, ip) != DP_NO_VTEP ||
	    a->n_learned_vteps == AGENT_LEARNED_VTEPS_MAX)
		return false;
	a->learned_vteps[a->n_learned_vteps++] = ip;
	return true;
}

unsigned mac_learning_drain(struct agent *a, uint64_t now)
{
	bool new_vteps = false;
	struct learn_event ev[LEARN_DRAIN_BURST];
	unsigned n = rte_ring_sc_dequeue_burst_elem(a->dp.learn_ring, ev, sizeof(ev[0]),
						    LEARN_DRAIN_BURST, NULL);

	for (unsigned i = 0; i < n; i++) {
		uint16_t id = ev[i].key.tenant_id;

		/* One VM inventing MACs must not fill the table for everyone. */
		if (mac_table_dynamic_count(a->dp.macs, id) >= a->mac_limit_by_id[id] &&
		    mac_table_find(a->dp.macs, &ev[i].key) == NULL) {
			a->macs_refused_by_id[id]++;
			continue;
		}
		if ((ev[i].location & MAC_LOC_KIND_MASK) == MAC_LOC_REMOTE)
			new_vteps |= vtep_learn(a, mac_loc_vtep_ip(ev[i].location));
		mac_table_learn(a->dp.macs, &ev[i].key, ev[i].location, now);
	}
	/* Publish before the next burst of frames goes to the new VTEPs. */
	if (new_vteps) {
		arp_resolver_sync(a);
		agent_publish_tables(a);
	}
	return n;
}

static uint64_t tenant_ageing_cycles(uint16_t tenant_id, void *ctx)
{
	const struct agent *a = ctx;
	uint32_t seconds = a->ageing_s_by_id[tenant_id];

	/* A tenant that is gone has 0: its entries go at once. */
	return seconds == 0 ? 1 : seconds * a->dp.tsc_hz;
}

unsigned mac_learning_age(struct agent *a, uint64_t now)
{
	return mac_table_age(a->dp.macs, now, tenant_ageing_cycles, a);
}
