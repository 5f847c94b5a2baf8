#!/bin/sh
# torture.sh - the short run of tests/torture for make check: 150 writers
# killed at random moments (make check-long runs 10,000).  The seed is
# printed, so a failure can be replayed with "tests/torture --seed S".
exec ./tests/torture --kills "${MMBUF_TORTURE_KILLS:-150}"
