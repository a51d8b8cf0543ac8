#include <string.h>

#include <rte_byteorder.h>

#include "dataplane/vxlan.h"

void vxlan_template_init(struct vxlan_outer_template *t, const struct rte_ether_addr *local_mac,
			 const struct rte_ether_addr *next_hop_mac, uint32_t local_ip,
			 uint32_t remote_ip, uint16_t udp_port)
{
	struct vxlan_outer *o = &t->hdr;

	memset(t, 0, sizeof(*t));
	rte_ether_addr_copy(next_hop_mac, &o->eth.dst_addr);
	rte_ether_addr_copy(local_mac, &o->eth.src_addr);
	o->eth.ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	o->ip.version_ihl = RTE_IPV4_VHL_DEF;
	/* DF: the underlay must not fragment tunnels; oversize frames are
	 * refused at encapsulation instead (mtu_exceeded). */
	o->ip.fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	o->ip.time_to_live = VXLAN_OUTER_TTL;
	o->ip.next_proto_id = IPPROTO_UDP;
	o->ip.src_addr = local_ip;
	o->ip.dst_addr = remote_ip;
	o->udp.dst_port = udp_port;
	o->vxlan.vx_flags = RTE_BE32(0x08000000);
	/* Summed in memory order, as vxlan_encap() adds the length. */
	t->ip_sum = rte_raw_cksum(&o->ip, sizeof(o->ip));
}
