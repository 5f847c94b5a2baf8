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
DEMO_FILE = demo.mmbuf
DEMO_ROWS = 1000000
CLEANFILES += $(DEMO_FILE)

demo: examples/producer$(EXEEXT) examples/consumer$(EXEEXT)
	@rm -f $(DEMO_FILE)
	@echo "== process 1: the producer writes the table and exits"
	./examples/producer$(EXEEXT) $(DEMO_FILE) $(DEMO_ROWS)
	@echo "== process 2: the consumer opens it read-only and checks it"
	./examples/consumer$(EXEEXT) $(DEMO_FILE)
	@echo "== the data outlived the process that wrote it: see $(DEMO_FILE)"

.PHONY: demo
