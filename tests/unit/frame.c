#include <string.h>

#include "frame.h"

void put_bytes(struct frame *f, const void *p, uint16_t n)
{
	memcpy(&f->bytes[f->len], p, n);
	f->len += n;
}

void put_zeros(struct frame *f, uint16_t n)
{
	memset(&f->bytes[f->len], 0, n);
	f->len += n;
}

void put_u8(struct frame *f, uint8_t v)
{
	f->bytes[f->len++] = v;
}

void put_be16(struct frame *f, uint16_t v)
{
	put_u8(f, v >> 8);
	put_u8(f, v & 0xff);
}

void put_be32(struct frame *f, uint32_t v)
{
	put_be16(f, v >> 16);
	put_be16(f, v & 0xffff);
}

void put_macs(struct frame *f, const uint8_t dst[6], const uint8_t src[6])
{
	put_bytes(f, dst, 6);
	put_bytes(f, src, 6);
}

void put_ipv4(struct frame *f, uint8_t ihl, uint16_t total_len, uint16_t flags_frag,
	      uint8_t proto, uint32_t src, uint32_t dst)
{
	uint16_t start = f->len;
	uint16_t sum;

	put_u8(f, 0x40 | ihl);
	put_u8(f, 0); /* TOS */
	put_be16(f, total_len);
	put_be16(f, 0x1234); /* identification */
	put_be16(f, flags_frag);
	put_u8(f, 64); /* TTL */
	put_u8(f, proto);
	put_be16(f, 0); /* checksum, filled below */
	put_be32(f, src);
	put_be32(f, dst);
	for (unsigned i = 5; i < ihl; i++)
		put_be32(f, 0x01010101); /* NOP options */
	sum = rfc1071_checksum(&f->bytes[start], f->len - start);
	f->bytes[start + 10] = sum >> 8;
	f->bytes[start + 11] = sum & 0xff;
}

void put_ipv6(struct frame *f, uint16_t payload_len, uint8_t next_header)
{
	put_be32(f, 0x60000000); /* version 6, traffic class 0, flow label 0 */
	put_be16(f, payload_len);
	put_u8(f, next_header);
	put_u8(f, 64); /* hop limit */
	put_zeros(f, 15);
	put_u8(f, 1);
	put_zeros(f, 15);
	put_u8(f, 2);
}

void put_udp(struct frame *f, uint16_t src_port, uint16_t dst_port, uint16_t len)
{
	put_be16(f, src_port);
	put_be16(f, dst_port);
	put_be16(f, len);
	put_be16(f, 0); /* no checksum */
}

void put_vxlan(struct frame *f, uint8_t flags, uint32_t vni)
{
	put_u8(f, flags);
	put_zeros(f, 3);
	put_be32(f, vni << 8);
}

uint16_t rfc1071_checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}
