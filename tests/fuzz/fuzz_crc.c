/*
 * fuzz_crc.c - fuzz_fix_crcs() of fuzz.h, shared by the targets.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fuzz.h"

/* mmbuf(5): 512-byte slots at 0 and 4096, CRC-32 of [0, 508) at 508. */
#define SLOT_SIZE 512
#define SLOT_CRC 508
#define PAGE 4096

uint8_t *fuzz_fix_crcs(const uint8_t *data, size_t size)
{
	uint8_t *copy;

	if (size < SLOT_SIZE)
		return NULL;
	copy = malloc(size);
	if (copy == NULL)
		return NULL;
	memcpy(copy, data, size);
	for (size_t base = 0; base + SLOT_SIZE <= size && base <= PAGE;
	     base += PAGE) {
		uLong crc = crc32(0L, copy + base, SLOT_CRC);

		copy[base + SLOT_CRC] = (uint8_t)crc;
		copy[base + SLOT_CRC + 1] = (uint8_t)(crc >> 8);
		copy[base + SLOT_CRC + 2] = (uint8_t)(crc >> 16);
		copy[base + SLOT_CRC + 3] = (uint8_t)(crc >> 24);
	}
	return copy;
}

void fuzz_run_fixed_too(void (*run)(const uint8_t *, size_t),
			const uint8_t *data, size_t size)
{
	uint8_t *fixed;

	run(data, size);
	fixed = fuzz_fix_crcs(data, size);
	if (fixed != NULL) {
		run(fixed, size);
		free(fixed);
	}
}
