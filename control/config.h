/* The running configuration as C structs: what the YANG tree says, after
 * validation and semantic checks. The control thread compiles it into the
 * datapath tables (control/table_compile.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_ether.h>

#define CONFIG_NAME_MAX 32     /* port and tenant names, with the NUL */
#define CONFIG_DEVARGS_MAX 256 /* DPDK devargs string, with the NUL */
#define CONFIG_MAX_PORTS 16
#define CONFIG_MAX_TENANTS 1024
#define CONFIG_MAX_ATTACHMENTS 16 /* per tenant */
#define CONFIG_MAX_VTEPS 16       /* remote VTEPs per tenant */
#define CONFIG_MAX_NEIGHBOURS 64  /* static underlay neighbours */
#define CONFIG_MAX_STATIC_MACS 256 /* per tenant */
#define CONFIG_MAX_ALLOWED 8       /* allowed MACs, and IPs, per attachment */
#define CONFIG_MAX_SECURITY_GROUPS 256   /* per tenant */
#define CONFIG_MAX_SG_RULES 65536        /* per security group */
#define CONFIG_MAX_ATTACHMENT_GROUPS 16  /* security groups per attachment */

enum port_role {
	PORT_ROLE_ACCESS,
	PORT_ROLE_UPLINK,
};

struct port_config {
	char name[CONFIG_NAME_MAX];
	char devargs[CONFIG_DEVARGS_MAX]; /* e.g. "net_tap0,iface=pn0" */
	enum port_role role;
	uint16_t mtu; /* bytes of L3 payload, default 1500 */
};

/* Anti-spoofing of one attachment. Empty lists allow any address. */
struct port_security_config {
	bool enabled;
	unsigned n_macs;
	struct rte_ether_addr macs[CONFIG_MAX_ALLOWED];
	unsigned n_ipv4;
	uint32_t ipv4[CONFIG_MAX_ALLOWED]; /* network order */
	unsigned n_ipv6;
	uint8_t ipv6[CONFIG_MAX_ALLOWED][16];
};

enum sg_direction_config {
	SG_DIRECTION_INGRESS, /* to the VM behind the attachment */
	SG_DIRECTION_EGRESS,  /* from the VM behind the attachment */
};

enum sg_action_config {
	SG_ACTION_ACCEPT,
	SG_ACTION_DROP,
	SG_ACTION_REJECT, /* drop, and send a TCP RST or ICMP unreachable back */
};

/* One rule of a security group (an RFC 8519 ACE). A packet matches it when
 * it matches every present field; absent fields match anything. */
struct sg_rule_config {
	uint32_t sequence; /* rules apply in ascending sequence, first match wins */
	enum sg_direction_config direction;
	enum sg_action_config action; /* default accept */
	bool any_proto;               /* no protocol configured: proto is 0 */
	uint8_t proto;                /* IP protocol (IPv6: upper-layer header) */
	uint8_t family;               /* 4 or 6; 0: both */
	bool has_src, has_dst;
	uint8_t src_len, dst_len; /* prefix lengths, 0..32 or 0..128 */
	uint8_t src[16], dst[16]; /* network order, IPv4 in the first 4 bytes;
				   * the bits after the length are 0 */
	uint16_t sport_lo, sport_hi; /* host order, inclusive; 0..65535 when
				      * absent (only tcp and udp have ports) */
	uint16_t dport_lo, dport_hi;
	bool has_icmp_type, has_icmp_code; /* only with proto 1 or 58 */
	uint8_t icmp_type, icmp_code;
};

struct security_group_config {
	char name[CONFIG_NAME_MAX]; /* unique within the tenant */
	unsigned n_rules;
	struct sg_rule_config *rules; /* sorted by sequence; NULL when n_rules is 0;
				       * owned, see config_free */
};

/* The security groups that filter one attachment. */
struct attachment_sg_config {
	unsigned n_groups; /* 0: the attachment is not filtered at all */
	/* Indexes into tenant_config.groups, in evaluation order: the first
	 * rule that matches, in this order then by sequence, decides. */
	uint16_t groups[CONFIG_MAX_ATTACHMENT_GROUPS];
	enum sg_action_config ingress_default; /* default drop */
	enum sg_action_config egress_default;  /* default accept */
};

struct attachment_config {
	char name[CONFIG_NAME_MAX]; /* unique within the tenant */
	char port[CONFIG_NAME_MAX]; /* a port_config name of role access */
	uint16_t vlan;              /* 1..4094, or 0 for untagged */
	struct port_security_config security;
	struct attachment_sg_config sg;
};

/* A tenant's tracked connections: how many, and idle timeouts in seconds. */
struct conntrack_config {
	uint32_t session_limit;     /* default 65536 */
	uint32_t tcp_established_s; /* default 3600 */
	uint32_t tcp_transitory_s;  /* opening or closing; default 30 */
	uint32_t udp_s;             /* default 30 */
	uint32_t icmp_s;            /* ICMP and ICMPv6 echo; default 10 */
};

struct neighbour_config {
	uint32_t ip; /* IPv4, network byte order */
	struct rte_ether_addr mac;
};

struct underlay_config {
	bool present;
	uint32_t local_ip;  /* local VTEP IPv4, network byte order */
	uint8_t prefix_len; /* of the underlay subnet, 1..32 (default 24) */
	uint32_t gateway;   /* next hop for VTEPs off-subnet; 0 = none */
	char uplink[CONFIG_NAME_MAX]; /* a port_config name of role uplink */
	uint16_t udp_port;            /* VXLAN destination port, default 4789 */
	bool has_mac;                 /* false: use the uplink port's MAC */
	struct rte_ether_addr mac;    /* source MAC of encapsulated frames */
	unsigned n_neighbours;
	struct neighbour_config neighbours[CONFIG_MAX_NEIGHBOURS];
};

/* A MAC address pinned by the operator: never aged, never moved by learning. */
struct static_mac_config {
	struct rte_ether_addr mac;
	int attachment; /* index into tenant_config.attachments, or -1 */
	uint32_t vtep;  /* remote VTEP IPv4 (network order) when attachment is -1 */
};

struct tenant_config {
	char name[CONFIG_NAME_MAX];
	uint16_t id;          /* 1..65535, unique */
	uint32_t vni;         /* 1..16777215, unique; 0 = no VXLAN */
	uint32_t mac_ageing_s; /* seconds, default 300 */
	uint32_t mac_limit;    /* learned MACs at most, default 4096 */
	unsigned n_attachments;
	struct attachment_config attachments[CONFIG_MAX_ATTACHMENTS];
	unsigned n_vteps;
	uint32_t vteps[CONFIG_MAX_VTEPS]; /* remote VTEP IPv4, network order */
	unsigned n_static_macs;
	struct static_mac_config static_macs[CONFIG_MAX_STATIC_MACS];
	unsigned n_groups;
	struct security_group_config *groups; /* NULL when n_groups is 0; owned,
					       * see config_free */
	struct conntrack_config conntrack;
};

struct config {
	unsigned n_ports;
	struct port_config ports[CONFIG_MAX_PORTS];
	struct underlay_config underlay;
	unsigned n_tenants;
	struct tenant_config tenants[CONFIG_MAX_TENANTS];
};

/* struct config is large (megabytes): allocate it, never put it on a stack.
 * It owns the heap arrays it points to (security groups and their rules):
 * never copy it by value, and free it with config_free(). config_from_tree()
 * overwrites it without freeing anything, so give it one that owns no array
 * yet (fresh from calloc, or left zeroed by a failed config_from_tree()). */

/* Frees cfg and the arrays it owns. cfg may be NULL, or zeroed by calloc. */
void config_free(struct config *cfg);

/* Index of the port named name in cfg->ports, or -1. */
int config_port_index(const struct config *cfg, const char *name);
