#!/bin/sh
# nocheck.sh - stands for the C unit tests (tests/check_*) in a build
# configured without Check: says why they did not run, and counts as
# skipped (77).  configure --with-check makes a missing Check an error.
echo "SKIP: the C unit tests (tests/check_*) were not built: configure" \
    "found no Check >= 0.11 (Debian: apt-get install check), or was" \
    "given --without-check; install it and run configure again" >&2
exit 77
