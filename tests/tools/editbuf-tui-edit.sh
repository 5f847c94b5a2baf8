#!/bin/sh
# editbuf-tui-edit.sh - editing in the terminal UI: nibbles in the hex
# pane, characters in the ASCII pane, undo and redo, mark, copy, paste and
# fill, saving, the quit prompt, and killing editbuf before a save.

. "${srcdir:-.}/tests/tools/editbuf-tui-lib.sh"

need_built "$VERIFYBUF"

b=$tmp/b
hello "$b"
"$VERIFYBUF" -q --seal "$b" || exit 99
cp "$b" "$tmp/orig"
orig48=$(data "$b" 48)

start -- "$b"
# A byte in two nibbles; the cursor moves on after the second.
keys 4
expect_line "high nibble" 1 \
    "00000000  48 65 6c 6c 6f 2c 20 77 6f 72 6c 64 21 20 54 68  Hello, world! Th"
expect_cursor "high nibble: the cursor on the low one" 11 0
keys 1
expect_line "a byte in hex" 1 \
    "00000000  41 65 6c 6c 6f 2c 20 77 6f 72 6c 64 21 20 54 68  Aello, world! Th"
expect_status "the byte changed, pending" "$b  0x00000001  #1  <u1 101  modified"
keys f
expect_line "one nibble" 1 \
    "00000000  41 f5 6c 6c 6f 2c 20 77 6f 72 6c 64 21 20 54 68  A.llo, world! Th"
expect_cursor "after one nibble" 14 0
keys Left
expect_cursor "Left: back to the high nibble" 13 0
keys g
expect_msg "a non-hex key in the hex pane" "unknown key (F1 lists the keys)"

# The ASCII pane: characters are data, ? < > too.
keys Tab
text 'xyz?'
expect_line "typed in the ASCII pane" 1 \
    "00000000  41 78 79 7a 3f 2c 20 77 6f 72 6c 64 21 20 54 68  Axyz?, world! Th"
expect_status "the cursor moved on" "$b  0x00000005  #5  "
same "nothing written before a save" "$b" "$tmp/orig"

# Undo and redo, one step at a time.
keys C-u
expect_msg "undo" "undid 1 bytes at 0x4"
expect_line "undo: ? is gone" 1 \
    "00000000  41 78 79 7a 6f 2c 20 77 6f 72 6c 64 21 20 54 68  Axyzo, world! Th"
keys C-_ C-u C-u
expect_line "three more undos" 1 \
    "00000000  41 f5 6c 6c 6f 2c 20 77 6f 72 6c 64 21 20 54 68  A.llo, world! Th"
expect_status "undo moves the cursor" "$b  0x00000001  #1  "
keys Escape
keys u
expect_line "redo" 1 \
    "00000000  41 78 6c 6c 6f 2c 20 77 6f 72 6c 64 21 20 54 68  Axllo, world! Th"
expect_msg "redo message" "redid 1 bytes at 0x1"
keys C-^
expect_line "redo again" 1 \
    "00000000  41 78 79 6c 6f 2c 20 77 6f 72 6c 64 21 20 54 68  Axylo, world! Th"
keys C-u C-u C-u C-u C-u C-u
expect_msg "undo everything" "nothing to undo"
expect_line "all undone" 1 \
    "00000000  48 65 6c 6c 6f 2c 20 77 6f 72 6c 64 21 20 54 68  Hello, world! Th"
expect_status "all undone: not modified" "$b  0x00000000  #0  <u1 72"
checks=$((checks + 1))
if has_text modified; then
    fail "all undone: still marked modified"
fi
for i in 1 2 3 4; do
    keys Escape
    keys u
done
expect_line "redo four" 1 \
    "00000000  41 78 6c 6c 6f 2c 20 77 6f 72 6c 64 21 20 54 68  Axllo, world! Th"
keys C-^
expect_line "redo five" 1 \
    "00000000  41 78 79 6c 6f 2c 20 77 6f 72 6c 64 21 20 54 68  Axylo, world! Th"

# Mark, copy, paste.
keys Escape
keys '<'
keys C-Space Right Right
expect_status "marked 3 bytes" "$b  0x00000002  #2  <u1 121  marked 3  modified"
keys Escape
keys w
expect_msg "copy" "copied 3 bytes"
keys C-g
text 0x10
keys Enter C-y
expect_msg "paste" "pasted 3 bytes"
expect_line "pasted" 2 \
    "00000010  41 78 79 69 73 20 61 20 74 65 73 74 20 62 75 66  Axyis a test buf"
# Fill, marked from the end backwards, from the hex pane.
keys C-g
text 0x23
keys Enter F9 Left Left Left Tab
keys Escape
keys i
expect_line "fill prompt" 30 "Fill 4 bytes with (a hex byte):"
text ee
keys Enter
expect_msg "fill" "filled 4 bytes with ee"
expect_line "filled" 3 \
    "00000020  ee ee ee ee 77 69 74 68 20 73 6f 6d 65 20 74 65  ....with some te"
# Refusals.
keys Escape
keys i
expect_msg "fill without a mark" \
    "fill: no range marked (Ctrl-Space or F9 sets the mark)"
keys C-g
text 0xfe
keys Enter C-y
expect_msg "paste past the end" \
    "paste: 3 bytes do not fit before the end of the data"
# A fill in the ASCII pane takes a character; past the length is fine.
keys C-g
text 0x50
keys Enter Tab C-Space Right
keys Escape
keys i
expect_line "fill prompt, ASCII pane" 30 "Fill 2 bytes with (a character):"
text '*'
keys Enter
expect_line "filled past the length" 6 \
    "00000050  2a 2a 00 00 00 00 00 00 00 00 00 00 00 00 00 00  **.............."
same "still nothing written" "$b" "$tmp/orig"

# The header before saving: sealed.
keys F4
expect_text "sealed before the save" "state sealed"
# Save.
keys F2
expect_msg "save" "saved 12 bytes"
expect_data "saved data" "$b" 48 \
"4178796c6f2c20776f726c642120546841787969732061207465737420627566\
eeeeeeee7769746820736f6d65207465"
expect_text "the seal is stale after the save" "state clean, not sealed"
expect_text "the save kept the length" "length 78  capacity 256"
keys F4
# Once F4 has hidden the header, the screen shows the state after the
# save: "modified" must be gone.  (Polling for "modified" to appear would
# wait the whole $TUI_WAIT when all is well.)
checks=$((checks + 1))
if ! poll no_text "state clean, not sealed"; then
    fail "F4 after the save: the header is still shown"
    show_screen
elif has_text modified; then
    fail "saved: still marked modified"
    show_screen
fi
cp "$b" "$tmp/saved"

# The quit prompt: cancel keeps editing, discard quits without saving.
keys Tab Escape
keys '<'
text 0000
keys C-c
expect_msg "quit asks" "Unsaved changes: (s)ave, (d)iscard, (c)ancel?"
keys c
expect_msg "cancel" "cancelled"
expect_status "still editing" "$b  0x00000002  #2  <u1 121  modified"
keys C-c
expect_msg "quit asks again" "Unsaved changes: (s)ave, (d)iscard, (c)ancel?"
keys d
expect_exit "discard" 0
same "discard wrote nothing" "$b" "$tmp/saved"

# Quit and save.
start -- "$b"
text 42
keys F10
expect_msg "F10 asks" "Unsaved changes: (s)ave, (d)iscard, (c)ancel?"
keys s
expect_exit "save at the prompt" 0
expect_data "saved at the prompt" "$b" 4 "4278796c"

# Ctrl-X saves and quits.
start -- "$b"
keys Tab
text C
keys C-x
expect_exit "Ctrl-X" 0
expect_data "Ctrl-X saved" "$b" 4 "4378796c"

# Killed before a save: the file is untouched, whether editbuf gets a
# chance to clean up (SIGTERM: it restores the terminal and dies of the
# signal) or not (SIGKILL).
cp "$b" "$tmp/before"
for sig in TERM KILL; do
    start -- "$b"
    text 99999999
    keys C-g
    text 0x80
    keys Enter
    text 77
    expect_status "$sig: edited" "$b  0x00000081  #129  <u1 0  modified"
    pane=$(tmux -S "$sock" display-message -p -t 0 '#{pane_pid}')
    pid=$(ps -o pid= --ppid "$pane" | tr -d ' ')
    kill -$sig "$pid"
    if [ $sig = TERM ]; then
        expect_exit "SIGTERM" 143
    else
        expect_exit "SIGKILL" 137
    fi
    same "SIG$sig before a save: file unchanged" "$b" "$tmp/before"
done

finish
