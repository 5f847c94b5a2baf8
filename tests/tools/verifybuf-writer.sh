#!/bin/sh
# verifybuf-writer.sh - a writer open, a crashed writer, and --seal,
# --repair refusing to work under a live writer.

. "${srcdir:-.}/tests/tools/verifybuf-lib.sh"

b=$tmp/buf
sealed "$b" 4 50000
expect 0 verifybuf "$b"
expect_out "$b: ok"

# A writer holds it open: consistent, not verifiable.
hold "$b"
expect 1 verifybuf "$b"
expect_out "$b: not verifiable (writer open)"
expect_err
# --seal refuses while another writer is open.
cp "$b" "$tmp/before"
expect 1 verifybuf --seal "$b"
expect_out "$b: not verifiable (writer open)"
expect_err "verifybuf: $b: cannot seal: buffer is busy: another writer has it open"
same "--seal under a writer wrote nothing" "$b" "$tmp/before"
# So does --repair, even with nothing to repair.
expect 1 verifybuf --repair "$b"
expect_out "$b: not verifiable (writer open)"
expect_err "verifybuf: $b: cannot repair: buffer is busy: another writer has it open"
unhold

# The writer was killed: the buffer is unclean.
expect 1 verifybuf "$b"
expect_out "$b: not verifiable (unclean, the last writer did not close it)"
expect 1 verifybuf -v "$b"
expect_out "$b: not verifiable (unclean, the last writer did not close it)" \
    "  slot 0: intact" \
    "  slot 1: intact (current)" \
    "  generation: 9" \
    "  state: not sealed, writer open" \
    "  file size: 61544 bytes (expected 61544)" \
    "  length: 50000 bytes" \
    "  sealed at generation: 6" \
    "  bytes checked: 0"

# Killed while it wrote a commit into the older slot (slot 0 here): the
# slot fails its checksum, but that is the commit the crash cut short, not
# damage.  --repair rewrites the slot as the next generation.
cp "$b" "$tmp/crashed"
flip "$b" 300
expect 1 verifybuf "$b"
expect_out "$b: not verifiable (unclean, the last writer did not close it; slot 0 CRC: an interrupted commit)"
expect 1 verifybuf --repair "$b"
expect_out "$b: repaired slot 0 from slot 1" \
    "$b: not verifiable (unclean, the last writer did not close it)"
expect 1 verifybuf -v "$b"
expect_out "$b: not verifiable (unclean, the last writer did not close it)" \
    "  slot 0: intact (current)" \
    "  slot 1: intact" \
    "  generation: 10" \
    "  state: not sealed, writer open" \
    "  file size: 61544 bytes (expected 61544)" \
    "  length: 50000 bytes" \
    "  sealed at generation: 6" \
    "  bytes checked: 0"
# The same damage to the current slot, whose fallback is the clean, sealed
# generation before the writer opened it: corruption, and the data
# verifies against that generation's seal.
cp "$tmp/crashed" "$b"
flip "$b" 4396
expect 2 verifybuf "$b"
expect_out "$b: CORRUPT (slot 1 CRC)"
cp "$tmp/crashed" "$b"

# --seal after the crash, then verify: ok again.
expect 0 verifybuf --seal "$b"
expect_out "$b: sealed" "$b: ok"
expect_err
expect 0 verifybuf "$b"
expect_out "$b: ok"

finish
