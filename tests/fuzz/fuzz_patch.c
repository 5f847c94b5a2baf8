/*
 * fuzz_patch - editbuf's strict dump parsers (tools/patch.c) over
 * arbitrary text: the xxd / hexdump -C layout of --patch and the plain
 * hex of --patch-plain.
 *
 * The first byte of the input chooses the parser (even: dump, odd: plain)
 * and, with the second, the capacity of the edit log (up to 64 KiB, so
 * that offsets past it are common); the rest is the text.  Whatever the
 * parser returns, it must not crash or leak, a failure must come with a
 * line number and a message, and after a success every byte it recorded
 * must lie inside the capacity (edit_read over the whole region).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "edit.h"
#include "patch.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct patch_error err;
	struct edit_log *log;
	uint64_t cap;
	int plain, rc;

	if (size < 2)
		return 0;
	plain = data[0] & 1;
	cap = ((uint64_t)(data[0] >> 1) << 9 | data[1]) & 0xffff;
	log = edit_log_new(cap);
	if (log == NULL)
		return 0;
	memset(&err, 0, sizeof err);
	rc = plain ? patch_parse_plain((const char *)data + 2, size - 2,
				       data[1] % 16, log, &err)
		   : patch_parse_dump((const char *)data + 2, size - 2, log,
				      &err);
	if (rc == -1) {
		if (err.msg[0] == '\0' ||
		    memchr(err.msg, '\0', sizeof err.msg) == NULL)
			abort();
	} else if (rc == 0) {
		uint8_t *base = calloc(1, cap ? cap : 1);
		uint8_t *out = malloc(cap ? cap : 1);

		if (base != NULL && out != NULL && cap > 0) {
			edit_read(log, base, 0, out, cap);
			if (edit_pending(log) > cap)
				abort();
		}
		free(base);
		free(out);
	} else if (rc != -12) { /* -ENOMEM */
		abort();
	}
	edit_log_free(log);
	return 0;
}
