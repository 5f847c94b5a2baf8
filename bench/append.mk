# bench-append: appending 64-byte records with mmbuf_reserve and
# mmbuf_commit_reserved against write(2), with and without sync
# (bench/bench_append.c).  A benchmark, never run by "make check".
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
