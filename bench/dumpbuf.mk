# bench-dumpbuf: dumpbuf's throughput against xxd, hexdump -C and
# basenc --base16 -w0, on random data and on mostly-zero data, in the page
# cache with output to /dev/null (bench/dumpbuf-bench.sh).  A benchmark,
# never run by "make check".
#
#   make bench-dumpbuf
#   make bench-dumpbuf BENCH_DUMPBUF_ARGS='--size 64M --rounds 7'
#   MMBUF_BENCH_DIR=/mnt/ssd make bench-dumpbuf
BENCH_DUMPBUF_ARGS =
EXTRA_DIST += bench/dumpbuf-bench.sh

bench-dumpbuf: tools/dumpbuf$(EXEEXT) tests/tools/mktestbuf$(EXEEXT)
	$(SHELL) $(srcdir)/bench/dumpbuf-bench.sh $(BENCH_DUMPBUF_ARGS)

.PHONY: bench-dumpbuf
