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

# Every benchmark: the fill benchmark here, dumpbuf's (bench/dumpbuf.mk),
# mkbuf's (bench/mkbuf.mk), verifybuf's (below), appending
# (bench/append.mk), the Python package's open (bench/python.mk),
# following a writer (bench/follow.mk).
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
