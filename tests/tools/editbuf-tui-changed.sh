#!/bin/sh
# editbuf-tui-changed.sh - no lost update: when another writer committed
# to the buffer since the terminal UI read it (its generation moved), a
# save says so and asks, as an editor does for a file changed on disk:
# overwrite, reload or cancel (reload or cancel when it was resized).

. "${srcdir:-.}/tests/tools/editbuf-tui-lib.sh"

b=$tmp/b
hello "$b"
changed="Another writer changed the buffer: (o)verwrite, (r)eload dropping your changes, (c)ancel?"

start -- "$b"
text 41
expect_status "edited" "$b  0x00000001  #1  <u1 101  modified"
"$EDITBUF" --set 0x10=cafe "$b" || exit 99
cp "$b" "$tmp/theirs"
keys F2
expect_msg "a save notices the other writer" "$changed"
expect_line "their change is shown" 2 \
    "00000010  ca fe 20 69 73 20 61 20 74 65 73 74 20 62 75 66  .. is a test buf"
keys c
expect_msg "cancel" "cancelled; the changes are kept"
expect_status "the changes are kept" "$b  0x00000001  #1  <u1 101  modified"
same "cancel wrote nothing" "$b" "$tmp/theirs"
# Asked again, until answered.
keys F2
expect_msg "asked again" "$changed"
keys o
expect_msg "overwrite" "saved 1 bytes"
expect_data "ours and theirs" "$b" 18 "41656c6c6f2c20776f726c6421205468cafe"
# Our own saves do not count as another writer's.
text 42
keys F2
expect_msg "a second save does not ask" "saved 1 bytes"
expect_data "the second save" "$b" 2 "4142"

# Reload drops the changes and shows their data.
"$EDITBUF" --set 0x20=beef "$b" || exit 99
cp "$b" "$tmp/theirs"
text 43
expect_status "edited again" "$b  0x00000003  #3  <u1 108  modified"
keys F2
expect_msg "asked before the reload" "$changed"
keys r
expect_msg "reload" "reloaded $b; the changes were dropped"
expect_line "reloaded data" 3 \
    "00000020  be ef 72 20 77 69 74 68 20 73 6f 6d 65 20 74 65  ..r with some te"
expect_status "nothing pending" "$b  0x00000003  #3  <u1 108"
same "reload wrote nothing" "$b" "$tmp/theirs"

# Resized by another writer: the changes were made for another capacity,
# so overwriting is not on offer.
text 44
"$MKBUF" -q --resize 512 "$b" || exit 99
cp "$b" "$tmp/theirs"
keys F2
resized="Another writer resized the buffer: (r)eload it, dropping your changes, or (c)ancel?"
expect_msg "resized" "$resized"
keys o
expect_msg "o is not an answer after a resize" "$resized"
keys r
expect_msg "reload after a resize" "reloaded $b; the changes were dropped"
keys Escape
keys '>'
expect_status "the end of the new capacity" "$b  0x000001ff  #511  <u1 0"
same "nothing written after the resize" "$b" "$tmp/theirs"
keys C-c
expect_exit "quit" 0

finish
