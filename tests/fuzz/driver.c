/*
 * driver.c - a main for the fuzz targets where libFuzzer is not linked:
 * it runs the target once on every file named on the command line (a
 * directory means every file in it), so "make check" replays the seed
 * corpora of tests/fuzz/ in every build, sanitizers included.  Without
 * arguments it runs the corpus directory compiled in as FUZZ_CORPUS.
 * Exit status 0, or 1 when a file cannot be read (a crash is a crash).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int runs;

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, k;

	if (f == NULL) {
		fprintf(stderr, "driver: %s: %s\n", path, strerror(errno));
		return 1;
	}
	do {
		if (len == cap) {
			uint8_t *nb;

			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (nb == NULL) {
				fprintf(stderr, "driver: %s: out of memory\n", path);
				free(buf);
				fclose(f);
				return 1;
			}
			buf = nb;
		}
		k = fread(buf + len, 1, cap - len, f);
		len += k;
	} while (k > 0);
	if (ferror(f)) {
		fprintf(stderr, "driver: %s: read error\n", path);
		free(buf);
		fclose(f);
		return 1;
	}
	fclose(f);
	/* An exact-size copy, so ASan sees reads past the input. */
	{
		uint8_t *exact = malloc(len ? len : 1);

		if (exact == NULL) {
			free(buf);
			return 1;
		}
		memcpy(exact, buf, len);
		free(buf);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	runs++;
	return 0;
}

static int run_path(const char *path)
{
	struct stat st;
	struct dirent **names;
	int n, status = 0;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "driver: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path);
	/* Sorted, so a failing run names the same file every time. */
	n = scandir(path, &names, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "driver: %s: %s\n", path, strerror(errno));
		return 1;
	}
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			size_t l = strlen(path) + strlen(names[i]->d_name) + 2;
			char *p = malloc(l);

			if (p == NULL)
				status = 1;
			else {
				snprintf(p, l, "%s/%s", path, names[i]->d_name);
				status |= run_file(p);
				free(p);
			}
		}
		free(names[i]);
	}
	free(names);
	return status;
}

int main(int argc, char **argv)
{
	int status = 0;

	if (argc < 2)
		status = run_path(FUZZ_CORPUS);
	for (int i = 1; i < argc; i++)
		status |= run_path(argv[i]);
	printf("%d inputs run\n", runs);
	if (runs == 0) {
		fprintf(stderr, "driver: no inputs\n");
		return 1;
	}
	return status;
}
