/* Frames for the tests, written field by field in network byte order,
 * independently of the DPDK header structs the code under test uses. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define FRAME_MAX 1600

struct frame {
	uint16_t len;
	uint8_t bytes[FRAME_MAX];
};

void put_bytes(struct frame *f, const void *p, uint16_t n);
void put_zeros(struct frame *f, uint16_t n);
void put_u8(struct frame *f, uint8_t v);
void put_be16(struct frame *f, uint16_t v);
void put_be32(struct frame *f, uint32_t v);

/* Destination and source MAC; the caller writes the tags and EtherType. */
void put_macs(struct frame *f, const uint8_t dst[6], const uint8_t src[6]);

/* IPv4 header of ihl 32-bit words (options are NOPs), addresses in host
 * order, with a correct header checksum. */
void put_ipv4(struct frame *f, uint8_t ihl, uint16_t total_len, uint16_t flags_frag,
	      uint8_t proto, uint32_t src, uint32_t dst);

/* IPv6 header; addresses are ::1 and ::2, they do not matter to the tests. */
void put_ipv6(struct frame *f, uint16_t payload_len, uint8_t next_header);

void put_udp(struct frame *f, uint16_t src_port, uint16_t dst_port, uint16_t len);

/* VXLAN header: flags byte, 24 reserved bits, VNI, 8 reserved bits. */
void put_vxlan(struct frame *f, uint8_t flags, uint32_t vni);

/* RFC 1071 Internet checksum, byte-wise, as a reference for the code's. */
uint16_t rfc1071_checksum(const void *p, size_t len);
