#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "control/sg_compile.h"
#include "control/table_compile.h"

/* The MAC of next hop ip: a static neighbour of the configuration first,
 * else one resolved by ARP. NULL when unknown. */
static const struct rte_ether_addr *next_hop_mac(const struct config *cfg,
						 const struct neighbour_table *nt, uint32_t ip)
{
	for (unsigned i = 0; i < cfg->underlay.n_neighbours; i++)
		if (cfg->underlay.neighbours[i].ip == ip)
			return &cfg->underlay.neighbours[i].mac;
	for (uint16_t i = 0; i < nt->n; i++)
		if (nt->entries[i].ip == ip && nt->entries[i].resolved)
			return &nt->entries[i].mac;
	return NULL;
}

static uint16_t vtep_add(struct dp_tables *t, const struct config *cfg,
			 const struct rte_ether_addr *local_mac, const struct neighbour_table *nt,
			 uint32_t ip)
{
	static const struct rte_ether_addr unresolved = {{0}};
	uint16_t i = dp_vtep_find(t, ip);
	const struct rte_ether_addr *nh_mac;
	struct dp_vtep *v;

	if (i != DP_NO_VTEP || t->n_vteps == DP_MAX_VTEPS)
		return i;
	v = &t->vteps[t->n_vteps];
	v->ip = ip;
	nh_mac = next_hop_mac(cfg, nt, underlay_next_hop(&cfg->underlay, ip));
	v->resolved = nh_mac != NULL;
	vxlan_template_init(&v->outer, local_mac, nh_mac ? nh_mac : &unresolved,
			    cfg->underlay.local_ip, ip, rte_cpu_to_be_16(cfg->underlay.udp_port));
	return t->n_vteps++;
}

static int vni_pages_build(struct dp_tables *t, const struct table_inputs *in, char *err,
			   size_t errlen)
{
	for (unsigned i = 0; i < in->cfg->n_tenants; i++) {
		uint32_t vni = in->cfg->tenants[i].vni;
		struct dp_vni_page **page = &t->vni_pages[vni >> DP_VNI_PAGE_BITS];

		if (vni == 0)
			continue;
		if (*page == NULL) {
			*page = rte_malloc("vni_page", sizeof(**page), RTE_CACHE_LINE_SIZE);
			if (*page == NULL) {
				snprintf(err, errlen, "out of memory for the VNI map");
				return -ENOMEM;
			}
			memset(*page, 0xff, sizeof(**page));
		}
		(*page)->slot[vni & ((1u << DP_VNI_PAGE_BITS) - 1)] = in->tenant_slots[i];
	}
	return 0;
}

static int rxqs_assign(struct dp_tables *t, const struct table_inputs *in, char *err,
		       size_t errlen)
{
	unsigned next = 0;

	for (unsigned i = 0; i < in->cfg->n_ports; i++) {
		uint16_t nq = in->port_rx_queues[i];

		for (uint16_t q = 0; q < nq; q++) {
			unsigned w = nq >= in->n_workers ? q % in->n_workers : next++ % in->n_workers;
			struct dp_worker_rxqs *rx = &t->workers[w];

			if (rx->n == DP_MAX_RXQ) {
				snprintf(err, errlen, "more than %u rx queues for one worker", DP_MAX_RXQ);
				return -ENOSPC;
			}
			rx->rxq[rx->n++] = (struct dp_rxq){in->port_ids[i], q};
		}
	}
	return 0;
}

_Static_assert(CONFIG_MAX_ALLOWED == PORT_SECURITY_MAX, "port security lists differ in size");

/* After the configured VTEPs: their indexes do not depend on traffic. */
static int learned_vteps_add(struct dp_tables *t, const struct table_inputs *in, char *err,
			     size_t errlen)
{
	for (unsigned i = 0; i < in->n_learned_vteps; i++)
		if (vtep_add(t, in->cfg, in->local_mac, in->neighbours, in->learned_vteps[i]) ==
		    DP_NO_VTEP) {
			snprintf(err, errlen, "more than %u remote VTEPs", DP_MAX_VTEPS);
			return -ENOSPC;
		}
	return 0;
}

static bool security_enforced(const struct port_security_config *sec)
{
	return sec->enabled && (sec->n_macs != 0 || sec->n_ipv4 != 0 || sec->n_ipv6 != 0);
}

static int security_compile(struct dp_tables *t, const struct table_inputs *in, char *err,
			    size_t errlen)
{
	const struct config *cfg = in->cfg;
	unsigned n = 0;

	for (unsigned i = 0; i < cfg->n_tenants; i++)
		for (unsigned a = 0; a < cfg->tenants[i].n_attachments; a++)
			n += security_enforced(&cfg->tenants[i].attachments[a].security);
	if (n == 0)
		return 0;
	t->security = rte_zmalloc("port_security", n * sizeof(*t->security), RTE_CACHE_LINE_SIZE);
	if (t->security == NULL) {
		snprintf(err, errlen, "out of memory for port security");
		return -ENOMEM;
	}
	n = 0;
	for (unsigned i = 0; i < cfg->n_tenants; i++)
		for (unsigned a = 0; a < cfg->tenants[i].n_attachments; a++) {
			const struct attachment_config *ac = &cfg->tenants[i].attachments[a];
			struct dp_port_security *sec = &t->security[n];

			if (!security_enforced(&ac->security))
				continue;
			sec->n_macs = ac->security.n_macs;
			memcpy(sec->macs, ac->security.macs, sizeof(sec->macs));
			sec->n_ipv4 = ac->security.n_ipv4;
			memcpy(sec->ipv4, ac->security.ipv4, sizeof(sec->ipv4));
			sec->n_ipv6 = ac->security.n_ipv6;
			memcpy(sec->ipv6, ac->security.ipv6, sizeof(sec->ipv6));
			t->ports[in->port_ids[config_port_index(cfg, ac->port)]].vlan_security[ac->vlan] = n++;
		}
	return 0;
}

static int tenants_compile(struct dp_tables *t, const struct table_inputs *in, char *err,
			   size_t errlen)
{
	const struct config *cfg = in->cfg;
	uint64_t hz = rte_get_tsc_hz();

	for (unsigned i = 0; i < cfg->n_tenants; i++) {
		const struct tenant_config *tc = &cfg->tenants[i];
		uint16_t slot = in->tenant_slots[i];
		struct dp_tenant *tn = &t->tenants[slot];

		tn->id = tc->id;
		tn->vni = tc->vni;
		tn->vtep_filter = tc->n_vteps != 0;
		tn->session_limit = tc->conntrack.session_limit;
		t->ct_timeouts[slot] = (struct ct_timeouts){
			.tcp_transitory = tc->conntrack.tcp_transitory_s * hz,
			.tcp_established = tc->conntrack.tcp_established_s * hz,
			.udp = tc->conntrack.udp_s * hz,
			.icmp = tc->conntrack.icmp_s * hz,
		};
		for (unsigned a = 0; a < tc->n_attachments; a++) {
			uint16_t pid = in->port_ids[config_port_index(cfg, tc->attachments[a].port)];

			tn->local[tn->n_local].port_id = pid;
			tn->local[tn->n_local].vlan = tc->attachments[a].vlan;
			tn->n_local++;
			t->ports[pid].vlan_tenant[tc->attachments[a].vlan] = slot;
		}
		for (unsigned v = 0; v < tc->n_vteps; v++) {
			uint16_t idx = vtep_add(t, cfg, in->local_mac, in->neighbours, tc->vteps[v]);

			if (idx == DP_NO_VTEP) {
				snprintf(err, errlen, "more than %u remote VTEPs", DP_MAX_VTEPS);
				return -ENOSPC;
			}
			tn->remote[tn->n_remote++] = idx;
		}
	}
	return 0;
}

struct dp_tables *tables_compile(const struct table_inputs *in, char *err, size_t errlen)
{
	const struct config *cfg = in->cfg;
	struct dp_tables *t = rte_zmalloc("dp_tables", sizeof(*t), RTE_CACHE_LINE_SIZE);

	if (t == NULL) {
		snprintf(err, errlen, "out of memory for the datapath tables");
		return NULL;
	}
	static uint64_t tables_compiled;

	t->version = ++tables_compiled;
	t->uplink_port = RTE_MAX_ETHPORTS;
	for (unsigned i = 0; i < RTE_MAX_ETHPORTS; i++) {
		memset(t->ports[i].vlan_tenant, 0xff, sizeof(t->ports[i].vlan_tenant));
		memset(t->ports[i].vlan_security, 0xff, sizeof(t->ports[i].vlan_security));
		memset(t->ports[i].vlan_sg, 0xff, sizeof(t->ports[i].vlan_sg));
	}
	for (unsigned i = 0; i < cfg->n_ports; i++) {
		struct dp_port *p = &t->ports[in->port_ids[i]];

		p->role = cfg->ports[i].role == PORT_ROLE_UPLINK ? DP_PORT_UPLINK : DP_PORT_ACCESS;
		p->mtu = cfg->ports[i].mtu;
	}
	if (cfg->underlay.present) {
		t->uplink_port = in->port_ids[config_port_index(cfg, cfg->underlay.uplink)];
		t->local_ip = cfg->underlay.local_ip;
		t->udp_port = rte_cpu_to_be_16(cfg->underlay.udp_port);
		t->local_mac = *in->local_mac;
	}
	if (rxqs_assign(t, in, err, errlen) != 0 || tenants_compile(t, in, err, errlen) != 0 ||
	    learned_vteps_add(t, in, err, errlen) != 0 ||
	    vni_pages_build(t, in, err, errlen) != 0 || security_compile(t, in, err, errlen) != 0 ||
	    sg_compile(t, in, err, errlen) != 0) {
		tables_free(t);
		return NULL;
	}
	return t;
}

void tables_free(struct dp_tables *t)
{
	if (t == NULL)
		return;
	for (unsigned i = 0; i < DP_VNI_PAGES; i++)
		rte_free(t->vni_pages[i]);
	rte_free(t->security);
	rte_free(t->sg_attachments);
	sg_acl_free(t->acl);
	rte_free(t->sg_hits);
	rte_free(t->sg_rule_ids);
	rte_free(t);
}
