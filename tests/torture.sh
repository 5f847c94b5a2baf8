#!/bin/sh
# torture.sh - tests/torture: 150 writers killed at random moments in
# make check, 10,000 in make check-long (MMBUF_LONG=1), or
# MMBUF_TORTURE_KILLS.  The seed is printed, so a failure can be replayed
# with "tests/torture --seed S".
if [ "${MMBUF_LONG:-0}" = 1 ]; then
    kills=${MMBUF_TORTURE_KILLS:-10000}
else
    kills=${MMBUF_TORTURE_KILLS:-150}
fi
exec ./tests/torture --kills "$kills"
