# bench-dumpbuf: dumpbuf's throughput against xxd, hexdump -C and
# basenc --base16 -w0, on random data and on mostly-zero data, and of
# dumpbuf -t against od -t f8, od -t d8 and numpy.savetxt on 2,000,000 x 3
# random <f8 and <i8, in the page cache with output to /dev/null
# (bench/dumpbuf-bench.sh).  A benchmark, never run by "make check".
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
