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

struct attachment_config {
	char name[CONFIG_NAME_MAX]; /* unique within the tenant */
	char port[CONFIG_NAME_MAX]; /* a port_config name of role access */
	uint16_t vlan;              /* 1..4094, or 0 for untagged */
	struct port_security_config security;
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
};

struct config {
	unsigned n_ports;
	struct port_config ports[CONFIG_MAX_PORTS];
	struct underlay_config underlay;
	unsigned n_tenants;
	struct tenant_config tenants[CONFIG_MAX_TENANTS];
};

/* struct config is large (megabytes): allocate it, never put it on a stack. */

/* Index of the port named name in cfg->ports, or -1. */
int config_port_index(const struct config *cfg, const char *name);
