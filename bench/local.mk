# bench: performance measurements, run by "make bench", never by
# "make check".  The programs are built with everything else, so that they
# keep compiling, but not installed.
#
#   make bench                          1 GiB per file, 11 rounds, files in .
#   make bench BENCH_ARGS='--size 256M --rounds 5'
#   MMBUF_BENCH_DIR=/mnt/ssd make bench
noinst_PROGRAMS += bench/bench_fill

bench_bench_fill_SOURCES = bench/bench_fill.c
bench_bench_fill_LDADD = lib/libmmbuf.la

BENCH_ARGS =

# Every benchmark: the fill benchmark here, and those below: dumpbuf's,
# mkbuf's, verifybuf's, appending, the Python package's, following a
# writer.
bench: bench/bench_fill$(EXEEXT) bench-dumpbuf bench-mkbuf bench-verifybuf \
	bench-append bench-python bench-follow
	./bench/bench_fill$(EXEEXT) $(BENCH_ARGS)

.PHONY: bench

# bench-verifybuf: verify and seal against xxhsum -H3 on the same sealed
# 1 GiB buffer in the page cache (bench/verifybuf-bench.sh), through
# verifybuf and through bench/bench_checksum, one library call of each kind.
#
#   make bench-verifybuf BENCH_VERIFYBUF_ARGS='--size 256M --rounds 5'
BENCH_VERIFYBUF_ARGS =
noinst_PROGRAMS += bench/bench_checksum
bench_bench_checksum_SOURCES = bench/bench_checksum.c
bench_bench_checksum_LDADD = lib/libmmbuf.la
EXTRA_DIST += bench/lib.sh bench/verifybuf-bench.sh

bench-verifybuf: tools/verifybuf$(EXEEXT) tests/tools/mktestbuf$(EXEEXT) \
		bench/bench_checksum$(EXEEXT)
	$(SHELL) $(srcdir)/bench/verifybuf-bench.sh $(BENCH_VERIFYBUF_ARGS)

.PHONY: bench-verifybuf

# bench-dumpbuf: dumpbuf's throughput against xxd, hexdump -C and
# basenc --base16 -w0, on random data and on mostly-zero data, and of
# dumpbuf -t against od -t f8, od -t d8 and numpy.savetxt on 2,000,000 x 3
# random <f8 and <i8, in the page cache with output to /dev/null
# (bench/dumpbuf-bench.sh).
#
#   make bench-dumpbuf
#   make bench-dumpbuf BENCH_DUMPBUF_ARGS='--size 64M --rounds 7'
#   make bench-dumpbuf BENCH_DUMPBUF_ARGS='--typed-only --rounds 3'
#   MMBUF_BENCH_DIR=/mnt/ssd make bench-dumpbuf
BENCH_DUMPBUF_ARGS =
EXTRA_DIST += bench/dumpbuf-bench.sh

bench-dumpbuf: tools/dumpbuf$(EXEEXT) tests/tools/mktestbuf$(EXEEXT)
	$(SHELL) $(srcdir)/bench/dumpbuf-bench.sh $(BENCH_DUMPBUF_ARGS)

.PHONY: bench-dumpbuf

# bench-mkbuf: how long mkbuf takes to create a preallocated buffer, against
# fallocate -l, and sparse buffers of growing size (bench/mkbuf-bench.sh).
#
#   make bench-mkbuf
#   make bench-mkbuf BENCH_MKBUF_ARGS='--size 256M --rounds 9'
#   MMBUF_BENCH_DIR=/mnt/ssd make bench-mkbuf
BENCH_MKBUF_ARGS =
EXTRA_DIST += bench/mkbuf-bench.sh

bench-mkbuf: tools/mkbuf$(EXEEXT)
	$(SHELL) $(srcdir)/bench/mkbuf-bench.sh $(BENCH_MKBUF_ARGS)

.PHONY: bench-mkbuf

# bench-append: appending 64-byte records with mmbuf_reserve and
# mmbuf_commit_reserved against write(2), with and without sync
# (bench/bench_append.c).
#
#   make bench-append BENCH_APPEND_ARGS='--records 1048576 --rounds 5'
#   MMBUF_BENCH_DIR=/mnt/ssd make bench-append
noinst_PROGRAMS += bench/bench_append
bench_bench_append_SOURCES = bench/bench_append.c
bench_bench_append_LDADD = lib/libmmbuf.la

BENCH_APPEND_ARGS =
bench-append: bench/bench_append$(EXEEXT)
	./bench/bench_append$(EXEEXT) $(BENCH_APPEND_ARGS)

.PHONY: bench-append

# bench-python: how long the Python package takes to open a 4 GiB and a
# 16 MiB buffer and give their typed views, and to mmbuf.load() them,
# against numpy.load(mmap_mode="r") on the same arrays as .npy files; how
# np.asarray(buf) compares with np.frombuffer on the same mmap; and how
# mmbuf.save() of a 1 GiB float64 array compares with np.save and fsync
# (bench/python-open-bench.py, which writes 1 GiB per save round), with
# the issue's targets as ratios.  It needs NumPy: $(PYTHON) if it has it,
# else /usr/bin/python3 (Debian's python3-numpy).
#
#   make bench-python
#   make bench-python BENCH_PYTHON_ARGS='--iterations 500 --rounds 3'
#   make bench-python BENCH_PYTHON_ARGS='--save-rounds 0'   # no 1 GiB writes
#   MMBUF_BENCH_DIR=/mnt/ssd make bench-python
BENCH_PYTHON_ARGS =
EXTRA_DIST += bench/python-open-bench.py

bench-python:
	@py=; for cand in '$(PYTHON)' /usr/bin/python3; do \
		if "$$cand" -c 'import numpy' > /dev/null 2>&1; then \
			py=$$cand; break; \
		fi; \
	done; \
	if [ -z "$$py" ]; then \
		echo "bench-python: no Python with NumPy: neither $(PYTHON) nor" \
			"/usr/bin/python3 (apt-get install python3-numpy)" >&2; \
		exit 2; \
	fi; \
	echo "PYTHONPATH=$(abs_top_srcdir)/python $$py" \
		"$(srcdir)/bench/python-open-bench.py $(BENCH_PYTHON_ARGS)"; \
	PYTHONPATH='$(abs_top_srcdir)/python' "$$py" \
		'$(srcdir)/bench/python-open-bench.py' $(BENCH_PYTHON_ARGS)

.PHONY: bench-python

# bench-follow: following a writer (issue 15): commit-to-wake latency of
# mmbuf_wait (C -> C, C -> Python) against a pipe, a 1 ms polling loop
# and h5py SWMR; a waiting follower's CPU while idle against the polling
# loop; appending 64-byte rows with two followers against h5py SWMR
# (bench/bench_follow.c runs the C writers and followers,
# bench/follow-bench.py runs the Python ones and prints the table).
# h5py comes from Debian's python3-h5py, for /usr/bin/python3.
#
#   make bench-follow
#   make bench-follow BENCH_FOLLOW_ARGS='--samples 200 --lat-rounds 30 --rounds 5 --rows 200000'
#   MMBUF_BENCH_DIR=/mnt/ssd make bench-follow
noinst_PROGRAMS += bench/bench_follow
bench_bench_follow_SOURCES = bench/bench_follow.c
bench_bench_follow_LDADD = lib/libmmbuf.la
# Started as followers many times: no libtool wrapper script.
bench_bench_follow_LDFLAGS = $(AM_LDFLAGS) -no-install

BENCH_FOLLOW_ARGS =
EXTRA_DIST += bench/follow-bench.py

bench-follow: bench/bench_follow$(EXEEXT)
	@py=; for cand in /usr/bin/python3 '$(PYTHON)'; do \
		if "$$cand" -c 'import numpy, h5py' > /dev/null 2>&1; then \
			py=$$cand; break; \
		fi; \
	done; \
	if [ -z "$$py" ]; then py='$(PYTHON)'; \
		echo "bench-follow: no Python with h5py (apt-get install" \
			"python3-h5py): the h5py rows are left out" >&2; \
	fi; \
	PYTHONPATH='$(abs_top_srcdir)/python' "$$py" \
		'$(srcdir)/bench/follow-bench.py' ./bench/bench_follow$(EXEEXT) \
		"$${MMBUF_BENCH_DIR:-.}" $(BENCH_FOLLOW_ARGS)

.PHONY: bench-follow
