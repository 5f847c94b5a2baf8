/*
 * fuzz.h - the entry point every fuzz target defines.  Built with clang's
 * -fsanitize=fuzzer (configure --enable-fuzzing) libFuzzer calls it; in
 * every other build tests/fuzz/driver.c calls it once per file of the
 * target's seed corpus, so "make check" replays the corpora.
 */
#ifndef MMBUF_TESTS_FUZZ_H
#define MMBUF_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * A copy of the input with the CRC-32 of each header slot it holds made
 * right (malloc'd; NULL when the input is too short to hold a slot or
 * memory ran out).  Random mutations almost never keep a CRC valid, so
 * the targets run each input twice, as is and with its CRCs fixed, to
 * reach the field validation behind the checksum too.
 */
uint8_t *fuzz_fix_crcs(const uint8_t *data, size_t size);

/* run(data, size), then run() again on fuzz_fix_crcs()'s copy, if any. */
void fuzz_run_fixed_too(void (*run)(const uint8_t *, size_t),
			const uint8_t *data, size_t size);

#endif /* MMBUF_TESTS_FUZZ_H */
