/* checksum.c - the checksums of mmbuf(5). */
#include "internal.h"

#include <zlib.h>

/* CRC-32 of the header slots: zlib's, so Python's zlib.crc32 agrees. */
uint32_t mmbuf__crc32(const void *p, size_t n)
{
	uLong crc = crc32(0L, Z_NULL, 0);
	const Bytef *b = p;

	while (n > 0) {
		uInt chunk = n > (1u << 30) ? (1u << 30) : (uInt)n;
		crc = crc32(crc, b, chunk);
		b += chunk;
		n -= chunk;
	}
	return (uint32_t)crc;
}
