# examples: two small programs that show the library at work, built with
# everything else (so the build keeps them compiling) but not installed.
# "make demo" runs them one after the other, as two processes.
noinst_PROGRAMS += examples/producer examples/consumer examples/logger \
	examples/follow

# sin() lives in libm.
examples_producer_SOURCES = examples/producer.c examples/demo.h
examples_producer_LDADD = lib/libmmbuf.la $(LIBM)
examples_consumer_SOURCES = examples/consumer.c examples/demo.h
examples_consumer_LDADD = lib/libmmbuf.la $(LIBM)
examples_logger_SOURCES = examples/logger.c examples/demo.h
examples_logger_LDADD = lib/libmmbuf.la $(LIBM)
examples_follow_SOURCES = examples/follow.c examples/demo.h
examples_follow_LDADD = lib/libmmbuf.la

# The demo's buffer lives in the build directory, whatever the srcdir.
# examples/consumer.py is the Python twin of the C consumer: the demo
# checks that it prints the same summary, number for number (all but its
# "checked" line, which says whether NumPy did the checks).
DEMO_FILE = demo.mmbuf
DEMO_ROWS = 1000000
CLEANFILES += $(DEMO_FILE) demo-c.out demo-py.out
# The second act: a logger appends rows in bursts while a follower,
# started first, prints them as they are committed, woken by each commit.
FOLLOW_FILE = follow.mmbuf
FOLLOW_ROWS = 2000
CLEANFILES += $(FOLLOW_FILE) follow.out
EXTRA_DIST += examples/consumer.py

demo: examples/producer$(EXEEXT) examples/consumer$(EXEEXT) \
		examples/logger$(EXEEXT) examples/follow$(EXEEXT)
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
	@rm -f $(FOLLOW_FILE)
	@echo "== processes 4 and 5: a follower waits for the file, a logger" \
		"appends $(FOLLOW_ROWS) rows in bursts, the follower prints each" \
		"as it is committed and stops at the close"
	./examples/follow$(EXEEXT) $(FOLLOW_FILE) > follow.out & pid=$$!; \
	./examples/logger$(EXEEXT) $(FOLLOW_FILE) $(FOLLOW_ROWS) && \
	wait $$pid
	@head -n 3 follow.out; echo "..."; tail -n 2 follow.out
	@test `wc -l < follow.out` -eq $(FOLLOW_ROWS) || \
		{ echo "demo: the follower printed `wc -l < follow.out` rows," \
			"not $(FOLLOW_ROWS)"; exit 1; }
	@awk '$$1 != NR - 1 || $$2 != (NR - 1) / 2 { exit 1 }' follow.out || \
		{ echo "demo: the follower's rows are not rows 0, 1, 2..."; \
		  exit 1; }
	@echo "== the follower saw all $(FOLLOW_ROWS) rows, in order, as" \
		"they came"

.PHONY: demo
