#!/bin/sh
# editbuf-tui-replaced.sh - a save never writes into a file other than the
# one the terminal UI opened: when the name now holds a replacement (mkbuf
# -f, an atomic replace), the save says so and offers to reload the new
# file or cancel, not to overwrite it.

. "${srcdir:-.}/tests/tools/editbuf-tui-lib.sh"

b=$tmp/b
hello "$b"
new1="00000000  33 33 33 33 33 33 33 33 33 33 33 33 33 33 33 33  3333333333333333"
replaced="The file was replaced by another: (r)eload it, dropping your changes, or (c)ancel?"

start -- "$b"
text 41
expect_status "edited" "$b  0x00000001  #1  <u1 101  modified"
# The buffer is replaced under the editor: the old file goes on under no
# name, a new one has the name.
"$MKBUF" -q -f -s 512 --fill 0x33 "$b" || exit 99
cp "$b" "$tmp/new"
keys F2
expect_msg "a save notices the replacement" "$replaced"
# Overwriting is not on offer.
keys o
expect_msg "o is not an answer" "$replaced"
keys c
expect_msg "cancel" "cancelled; the changes are kept"
expect_status "the changes are kept" "$b  0x00000001  #1  <u1 101  modified"
expect_line "the old data is still shown" 1 \
    "00000000  41 65 6c 6c 6f 2c 20 77 6f 72 6c 64 21 20 54 68  Aello, world! Th"
same "the replacement was not written" "$b" "$tmp/new"

# Save and quit asks too; reload takes the new file, without the changes.
keys C-x
expect_msg "Ctrl-X notices the replacement" "$replaced"
keys r
expect_msg "reload" "reloaded $b; the changes were dropped"
expect_line "the new file is shown" 1 "$new1"
expect_status "reloaded: nothing pending" "$b  0x00000001  #1  <u1 51"
checks=$((checks + 1))
if has_text modified; then
    fail "reloaded: still marked modified"
fi
same "the reload wrote nothing" "$b" "$tmp/new"
keys Escape
keys '>'
expect_status "the end of the new capacity" "$b  0x000001ff  #511  <u1 51"
# Saving into the new file, now the one opened, works as usual.
keys Escape
keys '<'
text 42
keys F2
expect_msg "a save into the reloaded file" "saved 1 bytes"
expect_data "saved into the new file" "$b" 4 "42333333"
keys C-c
expect_exit "quit" 0

finish
