#include "dataplane/drop_reason.h"

static const char *const drop_reason_names[DROP_REASON_MAX] = {
	[DROP_NO_TENANT] = "no_tenant",
	[DROP_VLAN_UNKNOWN] = "vlan_unknown",
	[DROP_DOUBLE_TAGGED] = "double_tagged",
	[DROP_VNI_UNKNOWN] = "vni_unknown",
	[DROP_VTEP_UNKNOWN] = "vtep_unknown",
	[DROP_MALFORMED] = "malformed",
	[DROP_BAD_SRC_MAC] = "bad_src_mac",
	[DROP_NOT_FOR_VTEP] = "not_for_vtep",
	[DROP_INNER_TAGGED] = "inner_tagged",
	[DROP_SPLIT_HORIZON] = "split_horizon",
	[DROP_SAME_PORT] = "same_port",
	[DROP_MTU_EXCEEDED] = "mtu_exceeded",
	[DROP_NO_NEIGHBOUR] = "no_neighbour",
	[DROP_NO_MBUF] = "no_mbuf",
	[DROP_PUNT_FULL] = "punt_full",
	[DROP_TX_FULL] = "tx_full",
	[DROP_ATTACHMENT_GONE] = "attachment_gone",
	[DROP_SPOOFED_MAC] = "spoofed_mac",
	[DROP_SPOOFED_IP] = "spoofed_ip",
	[DROP_SPOOFED_ARP] = "spoofed_arp",
	[DROP_SG_DENIED] = "sg_denied",
	[DROP_SG_REJECTED] = "sg_rejected",
	[DROP_CT_INVALID] = "ct_invalid",
	[DROP_CT_FULL] = "ct_full",
};

const char *drop_reason_name(enum drop_reason reason)
{
	if (reason >= DROP_REASON_MAX)
		return "unknown";
	return drop_reason_names[reason];
}
