# bench-python: how long the Python package takes to open a 4 GiB and a
# 16 MiB buffer and give their typed views, and to mmbuf.load() them,
# against numpy.load(mmap_mode="r") on the same arrays as .npy files; how
# np.asarray(buf) compares with np.frombuffer on the same mmap; and how
# mmbuf.save() of a 1 GiB float64 array compares with np.save and fsync
# (bench/python-open-bench.py, which writes 1 GiB per save round), with
# the issue's targets as ratios.  A benchmark, never run by "make check".
# It needs NumPy: $(PYTHON) if it has it, else /usr/bin/python3 (Debian's
# python3-numpy).
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
