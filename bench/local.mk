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

# Every benchmark: the fill benchmark here, dumpbuf's (bench/dumpbuf.mk).
bench: bench/bench_fill$(EXEEXT) bench-dumpbuf
	./bench/bench_fill$(EXEEXT) $(BENCH_ARGS)

.PHONY: bench
