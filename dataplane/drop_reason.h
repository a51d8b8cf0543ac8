/* Every packet the datapath drops is counted under one of these reasons. */
#pragma once

enum drop_reason {
	DROP_NO_TENANT,     /* access port frame matching no attachment */
	DROP_VLAN_UNKNOWN,  /* 802.1Q tag with a VLAN not configured on the port */
	DROP_DOUBLE_TAGGED, /* stacked tags on an access port (VLAN hopping) */
	DROP_VNI_UNKNOWN,   /* VXLAN for a VNI of no tenant */
	DROP_VTEP_UNKNOWN,  /* VXLAN from a VTEP the tenant does not list */
	DROP_MALFORMED,     /* truncated or inconsistent headers */
	DROP_BAD_SRC_MAC,   /* multicast or zero source MAC */
	DROP_NOT_FOR_VTEP,  /* uplink traffic that is neither ours nor ARP */
	DROP_INNER_TAGGED,  /* VXLAN payload carrying an 802.1Q tag */
	DROP_SPLIT_HORIZON, /* VXLAN destined to another VTEP */
	DROP_SAME_PORT,     /* destination is the attachment it came from */
	DROP_MTU_EXCEEDED,  /* encapsulated frame larger than the uplink MTU */
	DROP_NO_NEIGHBOUR,  /* underlay next hop unresolved and its queue full */
	DROP_NO_MBUF,       /* no buffer for a flood copy or a header */
	DROP_PUNT_FULL,     /* control-thread queue full (ARP, pending packets) */
	DROP_TX_FULL,       /* the port's transmit queue refused the packet */
	DROP_ATTACHMENT_GONE, /* learned destination removed by a config change */
	DROP_SPOOFED_MAC,   /* source MAC not allowed on the attachment */
	DROP_SPOOFED_IP,    /* source IP not allowed on the attachment */
	DROP_SPOOFED_ARP,   /* ARP or neighbour advertisement for another address */
	DROP_SG_DENIED,     /* a security-group rule or default action said drop */
	DROP_SG_REJECTED,   /* said reject: answered with a TCP RST or an ICMP unreachable */
	DROP_CT_INVALID,    /* TCP segment not valid in its session's state, or without session */
	DROP_CT_FULL,       /* accepted, but the tenant's session limit or the table is full */
	DROP_REASON_MAX,
};

/* Snake-case name of a reason, as shown in telemetry and the YANG state. */
const char *drop_reason_name(enum drop_reason reason);
