# examples: two small programs that show the library at work, built with
# everything else (so the build keeps them compiling) but not installed.
# "make demo" runs them one after the other, as two processes.
noinst_PROGRAMS += examples/producer examples/consumer

# sin() lives in libm.
examples_producer_SOURCES = examples/producer.c examples/demo.h
examples_producer_LDADD = lib/libmmbuf.la $(LIBM)
examples_consumer_SOURCES = examples/consumer.c examples/demo.h
examples_consumer_LDADD = lib/libmmbuf.la $(LIBM)

# The demo's buffer lives in the build directory, whatever the srcdir.
# examples/consumer.py is the Python twin of the C consumer: the demo
# checks that it prints the same summary, number for number (all but its
# "checked" line, which says whether NumPy did the checks).
DEMO_FILE = demo.mmbuf
DEMO_ROWS = 1000000
CLEANFILES += $(DEMO_FILE) demo-c.out demo-py.out
EXTRA_DIST += examples/consumer.py

demo: examples/producer$(EXEEXT) examples/consumer$(EXEEXT)
	@rm -f $(DEMO_FILE)
	@echo "== process 1: the producer writes the table and exits"
	./examples/producer$(EXEEXT) $(DEMO_FILE) $(DEMO_ROWS)
	@echo "== process 2: the consumer opens it read-only and checks it"
	./examples/consumer$(EXEEXT) $(DEMO_FILE) > demo-c.out || \
		{ cat demo-c.out; exit 1; }
	@cat demo-c.out
	@echo "== process 3: a Python consumer (python/mmbuf) reads the same buffer"
	PYTHONPATH=$(abs_top_srcdir)/python $(PYTHON) \
		$(srcdir)/examples/consumer.py $(DEMO_FILE) > demo-py.out || \
		{ cat demo-py.out; exit 1; }
	@cat demo-py.out
	@sed -e 's/^consumer\.py:/consumer:/' -e '/^  checked  /d' \
		demo-py.out | diff demo-c.out - > /dev/null || \
		{ echo "demo: the C and Python consumers disagree:"; \
		  sed -e 's/^consumer\.py:/consumer:/' -e '/^  checked  /d' \
			demo-py.out | diff demo-c.out -; exit 1; }
	@echo "== C and Python read the same numbers; the data outlived the" \
		"process that wrote it: see $(DEMO_FILE)"

.PHONY: demo
