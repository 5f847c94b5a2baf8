# tests/faults: fault injection (tests/faults/faults.sh).  faultshim is an
# LD_PRELOAD library that fails chosen system calls; faultop runs one
# library operation and reports its result.  The shim is built without
# the sanitizers: it only forwards a few libc calls.
check_LTLIBRARIES = tests/faults/faultshim.la
tests_faults_faultshim_la_SOURCES = tests/faults/faultshim.c
tests_faults_faultshim_la_CFLAGS = $(MMBUF_WARN_CFLAGS)
tests_faults_faultshim_la_LDFLAGS = -module -avoid-version -shared \
	-rpath $(abs_builddir)/tests/faults
tests_faults_faultshim_la_LIBADD = -ldl

check_PROGRAMS += tests/faults/faultop
tests_faults_faultop_SOURCES = tests/faults/faultop.c
tests_faults_faultop_LDADD = lib/libmmbuf.la
tests_faults_faultop_LDFLAGS = $(AM_LDFLAGS) -no-install

TESTS += tests/faults/faults.sh tests/faults/editbuf.sh tests/faults/interrupt.sh
EXTRA_DIST += tests/faults/faults.sh tests/faults/editbuf.sh \
	tests/faults/interrupt.sh
