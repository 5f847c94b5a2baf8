# bench-follow: following a writer (issue 15): commit-to-wake latency of
# mmbuf_wait (C -> C, C -> Python) against a pipe, a 1 ms polling loop
# and h5py SWMR; a waiting follower's CPU while idle against the polling
# loop; appending 64-byte rows with two followers against h5py SWMR
# (bench/bench_follow.c runs the C writers and followers,
# bench/follow-bench.py runs the Python ones and prints the table).  A
# benchmark, never run by "make check".  h5py comes from Debian's
# python3-h5py, for /usr/bin/python3.
#
#   make bench-follow
#   make bench-follow BENCH_FOLLOW_ARGS='--samples 1000 --rounds 5 --rows 200000'
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
