# bench-mkbuf: how long mkbuf takes to create a preallocated buffer, against
# fallocate -l, and sparse buffers of growing size (bench/mkbuf-bench.sh).
# A benchmark, never run by "make check".
#
#   make bench-mkbuf
#   make bench-mkbuf BENCH_MKBUF_ARGS='--size 256M --rounds 9'
#   MMBUF_BENCH_DIR=/mnt/ssd make bench-mkbuf
BENCH_MKBUF_ARGS =
EXTRA_DIST += bench/mkbuf-bench.sh

bench-mkbuf: tools/mkbuf$(EXEEXT)
	$(SHELL) $(srcdir)/bench/mkbuf-bench.sh $(BENCH_MKBUF_ARGS)

.PHONY: bench-mkbuf
