#!/bin/sh
# verifybuf-readlock.sh - a read lock on the writer's byte, which anyone
# who can read the file may hold: --seal and --repair are refused with a
# message that says so (not "another writer"), and the lock is not taken
# for a writer, so a crashed writer is still reported as one.

. "${srcdir:-.}/tests/tools/verifybuf-lib.sh"

b=$tmp/buf
sealed "$b" 5 30000
cp "$b" "$tmp/before"

# Readers are not kept out: the file still verifies.
hold -l "$b"
expect 0 verifybuf "$b"
expect_out "$b: ok"
expect_err
# Writers are: --seal and --repair cannot take the writer lock.
expect 3 verifybuf --seal "$b"
expect_out "$b: ok"
expect_err "verifybuf: $b: cannot seal: buffer is busy: a read lock on it keeps writers out"
same "--seal refused under a read lock: nothing written" "$b" "$tmp/before"
# With nothing to repair --repair needs no lock; with a damaged slot it is
# refused.
expect 0 verifybuf --repair "$b"
expect_out "$b: ok"
expect_err
flip "$b" 300
cp "$b" "$tmp/before"
expect 3 verifybuf --repair "$b"
expect_out "$b: CORRUPT (slot 0 CRC)"
expect_err "verifybuf: $b: cannot repair: buffer is busy: a read lock on it keeps writers out"
same "--repair refused under a read lock: nothing written" "$b" "$tmp/before"
unhold
expect 0 verifybuf --repair "$b"
expect_out "$b: repaired slot 0 from slot 1" "$b: ok"

# A killed writer, then a read lock: the last writer crashed, no writer is
# open, and a dry run finds nothing to repair rather than a busy buffer.
hold "$b"
unhold
hold -l "$b"
expect 1 verifybuf "$b"
expect_out "$b: not verifiable (unclean, the last writer did not close it)"
expect_err
expect 1 verifybuf --repair --dry-run "$b"
expect_out "$b: not verifiable (unclean, the last writer did not close it)"
expect_err
unhold

finish
