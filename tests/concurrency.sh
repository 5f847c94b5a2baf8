#!/bin/sh
# concurrency.sh - tests/concurrency for make check: for 10 seconds
# (MMBUF_CONCURRENCY_SECONDS), one writer appends patterned records while
# 4 C readers follow the committed length and check every record they can
# see; a second writer and a shrink must be refused meanwhile.
exec ./tests/concurrency --seconds "${MMBUF_CONCURRENCY_SECONDS:-10}" \
    --readers 4
