/* Validated libyang data tree → struct config, with the semantic checks
 * that yang/poolnet.yang cannot express. Every error names the YANG data
 * path of the offending node. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libyang/libyang.h>
#include <rte_ether.h>

#include "control/config_load.h"

#define VLAN_IDS 4096 /* 0 stands for untagged */

struct config_builder {
	struct config *cfg;
	/* Who owns each (port, VLAN): tenant << 8 | attachment, plus 1; 0 = free.
	 * Indexed by port index * VLAN_IDS + VLAN id. */
	uint32_t *vlan_owner;
	char *err;
	size_t errlen;
};

/* Fills err with "PATH: reason" for node and returns -EINVAL. */
static int __attribute__((format(printf, 3, 4)))
node_error(struct config_builder *b, const struct lyd_node *node, const char *fmt, ...)
{
	char *path = lyd_path(node, LYD_PATH_STD, NULL, 0);
	int used = snprintf(b->err, b->errlen, "%s: ", path ? path : "/");
	va_list ap;

	free(path);
	if (used >= 0 && (size_t)used < b->errlen) {
		va_start(ap, fmt);
		vsnprintf(b->err + used, b->errlen - used, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int out_of_memory(struct config_builder *b)
{
	snprintf(b->err, b->errlen, "/: out of memory");
	return -ENOMEM;
}

/* First node named name among node and its following siblings, or NULL. */
static const struct lyd_node *named_from(const struct lyd_node *node, const char *name)
{
	for (; node; node = node->next)
		if (!strcmp(LYD_NAME(node), name))
			return node;
	return NULL;
}

#define FOR_EACH_CHILD_NAMED(parent, name, node)                                 \
	for (node = named_from(lyd_child(parent), name); node;                   \
	     node = named_from(node->next, name))

static const struct lyd_node *child(const struct lyd_node *parent, const char *name)
{
	return named_from(lyd_child(parent), name);
}

static unsigned count_children(const struct lyd_node *parent, const char *name)
{
	const struct lyd_node *node;
	unsigned n = 0;

	FOR_EACH_CHILD_NAMED(parent, name, node)
		n++;
	return n;
}

/* Value of parent's child leaf name, or NULL when absent. */
static const char *child_value(const struct lyd_node *parent, const char *name)
{
	const struct lyd_node *leaf = child(parent, name);

	return leaf ? lyd_get_value(leaf) : NULL;
}

/* Numeric child leaf, 0 when absent. The tree is validated, so defaults
 * are present and values are in range. */
static unsigned long child_number(const struct lyd_node *parent, const char *name)
{
	const char *value = child_value(parent, name);

	return value ? strtoul(value, NULL, 10) : 0;
}

static void copy_child_string(const struct lyd_node *parent, const char *name, char *dst,
			      size_t dstlen)
{
	const char *value = child_value(parent, name);

	snprintf(dst, dstlen, "%s", value ? value : "");
}

/* IPv4 address leaf in network byte order. */
static uint32_t ipv4_of(const struct lyd_node *leaf)
{
	struct in_addr addr = { 0 };

	inet_pton(AF_INET, lyd_get_value(leaf), &addr);
	return addr.s_addr;
}

static void mac_of(const struct lyd_node *leaf, struct rte_ether_addr *mac)
{
	rte_ether_unformat_addr(lyd_get_value(leaf), mac);
}

int config_port_index(const struct config *cfg, const char *name)
{
	unsigned i;

	for (i = 0; i < cfg->n_ports; i++)
		if (!strcmp(cfg->ports[i].name, name))
			return i;
	return -1;
}

static void tenant_free_groups(struct tenant_config *tenant)
{
	unsigned i;

	for (i = 0; i < tenant->n_groups; i++)
		free(tenant->groups[i].rules);
	free(tenant->groups);
}

/* Frees what cfg owns and zeroes it. */
static void config_release(struct config *cfg)
{
	unsigned i;

	for (i = 0; i < cfg->n_tenants; i++)
		tenant_free_groups(&cfg->tenants[i]);
	memset(cfg, 0, sizeof(*cfg));
}

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	config_release(cfg);
	free(cfg);
}

/* Length of the device name that starts devargs ("net_tap0" in
 * "net_tap0,iface=pn0"): two ports on one device would fight over it. */
static size_t devargs_device_len(const char *devargs)
{
	return strcspn(devargs, ",");
}

static int check_device_unused(struct config_builder *b, const struct lyd_node *port_node,
			       const struct port_config *port)
{
	size_t len = devargs_device_len(port->devargs);
	const struct port_config *other;

	for (other = b->cfg->ports; other < port; other++) {
		if (devargs_device_len(other->devargs) == len &&
		    !strncmp(other->devargs, port->devargs, len))
			return node_error(b, child(port_node, "devargs"),
					  "device %.*s is already used by port %s", (int)len,
					  port->devargs, other->name);
	}
	return 0;
}

static int read_ports(struct config_builder *b, const struct lyd_node *ports)
{
	const struct lyd_node *node;
	struct port_config *port;
	int ret;

	FOR_EACH_CHILD_NAMED(ports, "port", node) {
		if (b->cfg->n_ports == CONFIG_MAX_PORTS)
			return node_error(b, node, "too many ports: at most %d", CONFIG_MAX_PORTS);
		port = &b->cfg->ports[b->cfg->n_ports];
		copy_child_string(node, "name", port->name, sizeof(port->name));
		copy_child_string(node, "devargs", port->devargs, sizeof(port->devargs));
		port->role = strcmp(child_value(node, "role"), "uplink") ? PORT_ROLE_ACCESS
									   : PORT_ROLE_UPLINK;
		port->mtu = child_number(node, "mtu");
		ret = check_device_unused(b, node, port);
		if (ret)
			return ret;
		b->cfg->n_ports++;
	}
	return 0;
}

static int read_gateway(struct config_builder *b, const struct lyd_node *underlay_node)
{
	struct underlay_config *underlay = &b->cfg->underlay;
	const struct lyd_node *gateway = child(underlay_node, "gateway");
	uint32_t mask;

	if (!gateway)
		return 0;
	underlay->gateway = ipv4_of(gateway);
	mask = htonl(~0u << (32 - underlay->prefix_len));
	if ((underlay->gateway ^ underlay->local_ip) & mask)
		return node_error(b, gateway, "gateway %s is outside the underlay subnet of %s/%u",
				  lyd_get_value(gateway), child_value(underlay_node, "local-vtep"),
				  underlay->prefix_len);
	return 0;
}

static int read_neighbours(struct config_builder *b, const struct lyd_node *underlay_node)
{
	struct underlay_config *underlay = &b->cfg->underlay;
	struct neighbour_config *neighbour;
	const struct lyd_node *node;

	FOR_EACH_CHILD_NAMED(underlay_node, "neighbour", node) {
		if (underlay->n_neighbours == CONFIG_MAX_NEIGHBOURS)
			return node_error(b, node,
					  "too many static neighbours: at most %d",
					  CONFIG_MAX_NEIGHBOURS);
		neighbour = &underlay->neighbours[underlay->n_neighbours++];
		neighbour->ip = ipv4_of(child(node, "ip"));
		mac_of(child(node, "mac"), &neighbour->mac);
	}
	return 0;
}

static int read_underlay(struct config_builder *b, const struct lyd_node *underlay_node)
{
	struct underlay_config *underlay = &b->cfg->underlay;
	const struct lyd_node *source_mac = child(underlay_node, "source-mac");
	int ret;

	underlay->present = true;
	underlay->local_ip = ipv4_of(child(underlay_node, "local-vtep"));
	underlay->prefix_len = child_number(underlay_node, "prefix-length");
	copy_child_string(underlay_node, "uplink-port", underlay->uplink,
			  sizeof(underlay->uplink));
	underlay->udp_port = child_number(underlay_node, "udp-port");
	underlay->has_mac = source_mac != NULL;
	if (source_mac)
		mac_of(source_mac, &underlay->mac);
	ret = read_gateway(b, underlay_node);
	return ret ? ret : read_neighbours(b, underlay_node);
}

/* Claims (port, VLAN) for the attachment, which must be the last one read. */
static int claim_port_vlan(struct config_builder *b, const struct lyd_node *node,
			   const struct tenant_config *tenant)
{
	const struct attachment_config *att = &tenant->attachments[tenant->n_attachments];
	const struct tenant_config *owner_tenant;
	uint32_t *owner;
	char what[32];
	int port;

	port = config_port_index(b->cfg, att->port);
	if (port < 0)
		return node_error(b, child(node, "port"), "no port named %s", att->port);
	owner = &b->vlan_owner[port * VLAN_IDS + att->vlan];
	if (!*owner) {
		*owner = ((uint32_t)(tenant - b->cfg->tenants) << 8 | tenant->n_attachments) + 1;
		return 0;
	}
	owner_tenant = &b->cfg->tenants[(*owner - 1) >> 8];
	if (att->vlan)
		snprintf(what, sizeof(what), "VLAN %u", att->vlan);
	else
		snprintf(what, sizeof(what), "untagged traffic");
	return node_error(b, att->vlan ? child(node, "vlan") : node,
			  "%s on port %s is already used by tenant %s (attachment %s)", what,
			  att->port, owner_tenant->name,
			  owner_tenant->attachments[(*owner - 1) & 0xff].name);
}

static enum sg_action_config sg_action_of(const char *action)
{
	if (!strcmp(action, "drop"))
		return SG_ACTION_DROP;
	if (!strcmp(action, "reject"))
		return SG_ACTION_REJECT;
	return SG_ACTION_ACCEPT;
}

/* The protocol leaf holds a number or one of the names YANG allows. */
static uint8_t protocol_number(const char *protocol)
{
	static const struct {
		const char *name;
		uint8_t number;
	} names[] = {
		{ "tcp", IPPROTO_TCP },
		{ "udp", IPPROTO_UDP },
		{ "icmp", IPPROTO_ICMP },
		{ "icmpv6", IPPROTO_ICMPV6 },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(protocol, names[i].name))
			return names[i].number;
	return strtoul(protocol, NULL, 10);
}

/* Clears the bits of addr (bytes long) after the first len. */
static void clear_host_bits(uint8_t *addr, unsigned len, unsigned bytes)
{
	unsigned i;

	for (i = 0; i < bytes; i++) {
		if (len >= 8 * (i + 1))
			continue;
		addr[i] &= len > 8 * i ? 0xff << (8 - (len - 8 * i)) : 0;
	}
}

/* Reads an ip-prefix leaf (YANG checks only its shape) into addr and len.
 * Returns its family, 4 or 6, or -EINVAL for a bad address or length or a
 * bit set after the length. */
static int read_prefix(struct config_builder *b, const struct lyd_node *leaf, uint8_t addr[16],
		       uint8_t *len)
{
	const char *text = lyd_get_value(leaf);
	size_t host_len = strcspn(text, "/");
	int family = memchr(text, ':', host_len) ? 6 : 4;
	unsigned bits = family == 6 ? 128 : 32;
	char host[INET6_ADDRSTRLEN], network_text[INET6_ADDRSTRLEN];
	uint8_t network[16];
	unsigned long length;
	char *end;

	length = strtoul(text + host_len + 1, &end, 10);
	if (host_len >= sizeof(host) || *end || length > bits)
		return node_error(b, leaf, "%s is not an IPv%d prefix", text, family);
	snprintf(host, sizeof(host), "%.*s", (int)host_len, text);
	if (inet_pton(family == 6 ? AF_INET6 : AF_INET, host, addr) != 1)
		return node_error(b, leaf, "%s is not an IPv%d prefix", text, family);
	*len = length;
	memcpy(network, addr, bits / 8);
	clear_host_bits(network, length, bits / 8);
	if (memcmp(network, addr, bits / 8)) {
		inet_ntop(family == 6 ? AF_INET6 : AF_INET, network, network_text,
			  sizeof(network_text));
		return node_error(b, leaf,
				  "%s has bits set after the prefix length: write %s/%lu for the "
				  "subnet or %s/%u for the host",
				  text, network_text, length, host, bits);
	}
	return family;
}

/* Reads both prefixes and sets rule->family from them. */
static int read_rule_prefixes(struct config_builder *b, const struct lyd_node *node,
			      struct sg_rule_config *rule)
{
	const struct lyd_node *src = child(node, "source-prefix");
	const struct lyd_node *dst = child(node, "destination-prefix");
	int src_family = 0, dst_family = 0;

	if (src) {
		src_family = read_prefix(b, src, rule->src, &rule->src_len);
		if (src_family < 0)
			return src_family;
	}
	if (dst) {
		dst_family = read_prefix(b, dst, rule->dst, &rule->dst_len);
		if (dst_family < 0)
			return dst_family;
	}
	if (src && dst && src_family != dst_family)
		return node_error(b, dst, "destination-prefix is IPv%d but source-prefix is IPv%d",
				  dst_family, src_family);
	rule->has_src = src != NULL;
	rule->has_dst = dst != NULL;
	rule->family = src ? src_family : dst_family;
	return 0;
}

/* The port range in the container name, or the full range when absent. */
static int read_port_range(struct config_builder *b, const struct lyd_node *node,
			   const struct sg_rule_config *rule, const char *name, uint16_t *lo,
			   uint16_t *hi)
{
	const struct lyd_node *range = child(node, name);

	*lo = 0;
	*hi = UINT16_MAX;
	if (!range)
		return 0;
	if (rule->any_proto || (rule->proto != IPPROTO_TCP && rule->proto != IPPROTO_UDP))
		return node_error(b, range, "ports need protocol tcp (6) or udp (17)");
	*lo = child_number(range, "lower");
	*hi = child(range, "upper") ? child_number(range, "upper") : *lo;
	return 0;
}

static int read_icmp(struct config_builder *b, const struct lyd_node *node,
		     struct sg_rule_config *rule)
{
	const struct lyd_node *icmp = child(node, "icmp");

	if (!icmp)
		return 0;
	if (rule->any_proto || (rule->proto != IPPROTO_ICMP && rule->proto != IPPROTO_ICMPV6))
		return node_error(b, icmp, "icmp needs protocol icmp (1) or icmpv6 (58)");
	rule->has_icmp_type = true;
	rule->icmp_type = child_number(icmp, "type");
	rule->has_icmp_code = child(icmp, "code") != NULL;
	rule->icmp_code = child_number(icmp, "code");
	return 0;
}

/* ICMP is IPv4's and ICMPv6 IPv6's: the protocol sets the family of a rule
 * without prefixes, and must agree with the prefixes of one with them. */
static int check_icmp_family(struct config_builder *b, const struct lyd_node *node,
			     struct sg_rule_config *rule)
{
	uint8_t icmp_family;

	if (rule->any_proto || (rule->proto != IPPROTO_ICMP && rule->proto != IPPROTO_ICMPV6))
		return 0;
	icmp_family = rule->proto == IPPROTO_ICMP ? 4 : 6;
	if (!rule->family)
		rule->family = icmp_family;
	else if (rule->family != icmp_family)
		return node_error(b, child(node, "protocol"),
				  "protocol %u is for IPv%u but the rule's prefixes are IPv%u: "
				  "use %s",
				  rule->proto, icmp_family, rule->family,
				  icmp_family == 4 ? "icmpv6 (58)" : "icmp (1)");
	return 0;
}

static int read_rule(struct config_builder *b, const struct lyd_node *node,
		     struct sg_rule_config *rule)
{
	const char *protocol = child_value(node, "protocol");
	int ret;

	rule->sequence = child_number(node, "sequence");
	rule->direction = strcmp(child_value(node, "direction"), "ingress") ? SG_DIRECTION_EGRESS
									    : SG_DIRECTION_INGRESS;
	rule->action = sg_action_of(child_value(node, "action"));
	rule->any_proto = protocol == NULL;
	rule->proto = protocol ? protocol_number(protocol) : 0;
	ret = read_rule_prefixes(b, node, rule);
	if (!ret)
		ret = read_port_range(b, node, rule, "source-port", &rule->sport_lo,
				      &rule->sport_hi);
	if (!ret)
		ret = read_port_range(b, node, rule, "destination-port", &rule->dport_lo,
				      &rule->dport_hi);
	if (!ret)
		ret = read_icmp(b, node, rule);
	return ret ? ret : check_icmp_family(b, node, rule);
}

static int rule_sequence_cmp(const void *a, const void *b)
{
	const struct sg_rule_config *x = a, *y = b;

	return (x->sequence > y->sequence) - (x->sequence < y->sequence);
}

/* The rules array is allocated and counted before it is filled, so that a
 * failure half-way frees it with the rest of the config. */
static int read_security_group(struct config_builder *b, const struct lyd_node *group_node,
			       struct security_group_config *group)
{
	const struct lyd_node *node;
	unsigned n = 0;
	int ret;

	copy_child_string(group_node, "name", group->name, sizeof(group->name));
	group->n_rules = count_children(group_node, "rule");
	if (!group->n_rules)
		return 0;
	group->rules = calloc(group->n_rules, sizeof(*group->rules));
	if (!group->rules)
		return out_of_memory(b);
	FOR_EACH_CHILD_NAMED(group_node, "rule", node) {
		if (n == CONFIG_MAX_SG_RULES)
			return node_error(b, node,
					  "too many rules: at most %d per security group",
					  CONFIG_MAX_SG_RULES);
		ret = read_rule(b, node, &group->rules[n++]);
		if (ret)
			return ret;
	}
	qsort(group->rules, group->n_rules, sizeof(*group->rules), rule_sequence_cmp);
	return 0;
}

static int read_security_groups(struct config_builder *b, const struct lyd_node *tenant_node,
				struct tenant_config *tenant)
{
	const struct lyd_node *node;
	unsigned n = 0;
	int ret;

	tenant->n_groups = count_children(tenant_node, "security-group");
	if (!tenant->n_groups)
		return 0;
	tenant->groups = calloc(tenant->n_groups, sizeof(*tenant->groups));
	if (!tenant->groups)
		return out_of_memory(b);
	FOR_EACH_CHILD_NAMED(tenant_node, "security-group", node) {
		if (n == CONFIG_MAX_SECURITY_GROUPS)
			return node_error(b, node,
					  "too many security groups: at most %d per tenant",
					  CONFIG_MAX_SECURITY_GROUPS);
		ret = read_security_group(b, node, &tenant->groups[n++]);
		if (ret)
			return ret;
	}
	return 0;
}

static int security_group_index(const struct tenant_config *tenant, const char *name)
{
	unsigned i;

	for (i = 0; i < tenant->n_groups; i++)
		if (!strcmp(tenant->groups[i].name, name))
			return i;
	return -1;
}

/* YANG bounds the group list (max-elements) to the array's size. */
static int read_attachment_sg(struct config_builder *b, const struct lyd_node *attachment,
			      const struct tenant_config *tenant, struct attachment_sg_config *sg)
{
	const struct lyd_node *container = child(attachment, "security");
	const struct lyd_node *node;
	int group;

	sg->ingress_default = sg_action_of(child_value(container, "ingress-default"));
	sg->egress_default = sg_action_of(child_value(container, "egress-default"));
	FOR_EACH_CHILD_NAMED(container, "group", node) {
		group = security_group_index(tenant, lyd_get_value(node));
		if (group < 0)
			return node_error(b, node, "tenant %s has no security group %s",
					  tenant->name, lyd_get_value(node));
		if (sg->n_groups < CONFIG_MAX_ATTACHMENT_GROUPS)
			sg->groups[sg->n_groups++] = group;
	}
	return 0;
}

static void read_conntrack(const struct lyd_node *tenant_node, struct conntrack_config *ct)
{
	const struct lyd_node *container = child(tenant_node, "connection-tracking");
	const struct lyd_node *timeouts = child(container, "idle-timeout");

	ct->session_limit = child_number(container, "session-limit");
	ct->tcp_established_s = child_number(timeouts, "tcp-established");
	ct->tcp_transitory_s = child_number(timeouts, "tcp-transitory");
	ct->udp_s = child_number(timeouts, "udp");
	ct->icmp_s = child_number(timeouts, "icmp");
}

/* YANG bounds the lists (max-elements) to the arrays' sizes. */
static void read_port_security(const struct lyd_node *attachment,
			       struct port_security_config *sec)
{
	const struct lyd_node *container = child(attachment, "port-security");
	const struct lyd_node *node;
	const char *enabled = container ? child_value(container, "enabled") : NULL;

	sec->enabled = enabled == NULL || strcmp(enabled, "true") == 0;
	if (container == NULL)
		return;
	FOR_EACH_CHILD_NAMED(container, "allowed-mac", node)
		if (sec->n_macs < CONFIG_MAX_ALLOWED)
			mac_of(node, &sec->macs[sec->n_macs++]);
	FOR_EACH_CHILD_NAMED(container, "allowed-ip", node) {
		const char *ip = lyd_get_value(node);

		if (strchr(ip, ':') == NULL) {
			if (sec->n_ipv4 < CONFIG_MAX_ALLOWED &&
			    inet_pton(AF_INET, ip, &sec->ipv4[sec->n_ipv4]) == 1)
				sec->n_ipv4++;
		} else if (sec->n_ipv6 < CONFIG_MAX_ALLOWED &&
			   inet_pton(AF_INET6, ip, sec->ipv6[sec->n_ipv6]) == 1) {
			sec->n_ipv6++;
		}
	}
}

static int read_attachments(struct config_builder *b, const struct lyd_node *tenant_node,
			    struct tenant_config *tenant)
{
	const struct lyd_node *node;
	struct attachment_config *att;
	int ret;

	FOR_EACH_CHILD_NAMED(tenant_node, "attachment", node) {
		if (tenant->n_attachments == CONFIG_MAX_ATTACHMENTS)
			return node_error(b, node,
					  "too many attachments: at most %d per tenant",
					  CONFIG_MAX_ATTACHMENTS);
		att = &tenant->attachments[tenant->n_attachments];
		copy_child_string(node, "name", att->name, sizeof(att->name));
		copy_child_string(node, "port", att->port, sizeof(att->port));
		att->vlan = child_number(node, "vlan");
		read_port_security(node, &att->security);
		ret = read_attachment_sg(b, node, tenant, &att->sg);
		if (ret)
			return ret;
		ret = claim_port_vlan(b, node, tenant);
		if (ret)
			return ret;
		tenant->n_attachments++;
	}
	return 0;
}

static int read_remote_vteps(struct config_builder *b, const struct lyd_node *tenant_node,
			     struct tenant_config *tenant)
{
	const struct underlay_config *underlay = &b->cfg->underlay;
	const struct lyd_node *node;
	uint32_t vtep;

	FOR_EACH_CHILD_NAMED(tenant_node, "remote-vtep", node) {
		if (!underlay->present)
			return node_error(b, node,
					  "remote VTEPs need an underlay with an uplink port");
		if (!tenant->vni)
			return node_error(b, node, "remote VTEPs need the tenant to have a vni");
		if (tenant->n_vteps == CONFIG_MAX_VTEPS)
			return node_error(b, node,
					  "too many remote VTEPs: at most %d per tenant",
					  CONFIG_MAX_VTEPS);
		vtep = ipv4_of(node);
		if (vtep == underlay->local_ip)
			return node_error(b, node, "remote VTEP %s is this host's local-vtep",
					  lyd_get_value(node));
		tenant->vteps[tenant->n_vteps++] = vtep;
	}
	return 0;
}

static int attachment_index(const struct tenant_config *tenant, const char *name)
{
	unsigned i;

	for (i = 0; i < tenant->n_attachments; i++)
		if (!strcmp(tenant->attachments[i].name, name))
			return i;
	return -1;
}

static int read_static_mac(struct config_builder *b, const struct lyd_node *node,
			   const struct tenant_config *tenant, struct static_mac_config *smac)
{
	const struct lyd_node *mac = child(node, "mac");
	const struct lyd_node *vtep = child(node, "remote-vtep");
	const char *att = child_value(node, "attachment");

	mac_of(mac, &smac->mac);
	if (!rte_is_unicast_ether_addr(&smac->mac))
		return node_error(b, mac, "static MAC %s is a multicast address",
				  lyd_get_value(mac));
	if (rte_is_zero_ether_addr(&smac->mac))
		return node_error(b, mac, "static MAC %s is the all-zero address",
				  lyd_get_value(mac));
	smac->attachment = att ? attachment_index(tenant, att) : -1;
	smac->vtep = vtep ? ipv4_of(vtep) : 0;
	if (att && smac->attachment < 0)
		return node_error(b, child(node, "attachment"), "tenant %s has no attachment %s",
				  tenant->name, att);
	return 0;
}

static int read_static_macs(struct config_builder *b, const struct lyd_node *tenant_node,
			    struct tenant_config *tenant)
{
	const struct lyd_node *node;
	int ret;

	FOR_EACH_CHILD_NAMED(tenant_node, "static-mac", node) {
		if (tenant->n_static_macs == CONFIG_MAX_STATIC_MACS)
			return node_error(b, node,
					  "too many static MACs: at most %d per tenant",
					  CONFIG_MAX_STATIC_MACS);
		ret = read_static_mac(b, node, tenant, &tenant->static_macs[tenant->n_static_macs]);
		if (ret)
			return ret;
		tenant->n_static_macs++;
	}
	return 0;
}

static int read_tenant(struct config_builder *b, const struct lyd_node *node,
		       struct tenant_config *tenant)
{
	int ret;

	copy_child_string(node, "name", tenant->name, sizeof(tenant->name));
	tenant->id = child_number(node, "id");
	tenant->vni = child_number(node, "vni");
	tenant->mac_ageing_s = child_number(node, "mac-ageing-time");
	tenant->mac_limit = child_number(node, "mac-limit");
	read_conntrack(node, &tenant->conntrack);
	/* Groups first: attachments refer to them by index. */
	ret = read_security_groups(b, node, tenant);
	if (!ret)
		ret = read_attachments(b, node, tenant);
	if (!ret)
		ret = read_remote_vteps(b, node, tenant);
	if (!ret)
		ret = read_static_macs(b, node, tenant);
	return ret;
}

static int read_tenants(struct config_builder *b, const struct lyd_node *tenants)
{
	const struct lyd_node *node;
	int ret;

	FOR_EACH_CHILD_NAMED(tenants, "tenant", node) {
		if (b->cfg->n_tenants == CONFIG_MAX_TENANTS)
			return node_error(b, node, "too many tenants: at most %d",
					  CONFIG_MAX_TENANTS);
		/* Counted before it is read, so that a failure frees its groups. */
		ret = read_tenant(b, node, &b->cfg->tenants[b->cfg->n_tenants++]);
		if (ret)
			return ret;
	}
	return 0;
}

/* The poolnet top-level container named name, or NULL. */
static const struct lyd_node *top_node(const struct lyd_node *tree, const char *name)
{
	const struct lyd_node *node;

	LY_LIST_FOR(tree ? lyd_first_sibling(tree) : NULL, node) {
		if (node->schema && !strcmp(node->schema->module->name, "poolnet") &&
		    !strcmp(node->schema->name, name))
			return node;
	}
	return NULL;
}

/* Ports first, then the underlay: tenants refer to both. */
static int read_config(struct config_builder *b, const struct lyd_node *tree)
{
	const struct lyd_node *underlay = top_node(tree, "underlay");
	int ret;

	ret = read_ports(b, top_node(tree, "ports"));
	if (ret)
		return ret;
	if (underlay) {
		ret = read_underlay(b, underlay);
		if (ret)
			return ret;
	}
	b->vlan_owner = calloc((size_t)b->cfg->n_ports * VLAN_IDS, sizeof(*b->vlan_owner));
	if (!b->vlan_owner && b->cfg->n_ports)
		return out_of_memory(b);
	return read_tenants(b, top_node(tree, "tenants"));
}

int config_from_tree(const struct lyd_node *tree, struct config *cfg, char *err,
		     size_t errlen)
{
	struct config_builder builder = {
		.cfg = cfg,
		.err = err,
		.errlen = errlen,
	};
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	ret = read_config(&builder, tree);
	free(builder.vlan_owner);
	if (ret)
		config_release(cfg);
	return ret;
}
