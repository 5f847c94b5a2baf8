#!/bin/sh
# editbuf-tui-readonly.sh - the terminal UI refuses every change when the
# buffer is read-only (-R, a file it may not write, another writer), and a
# save that meets another writer keeps the changes.

. "${srcdir:-.}/tests/tools/editbuf-tui-lib.sh"

b=$tmp/b
hello "$b"
cp "$b" "$tmp/orig"
orig=$(data "$b" 78)
line1="00000000  48 65 6c 6c 6f 2c 20 77 6f 72 6c 64 21 20 54 68  Hello, world! Th"

# refused WHY: every kind of change is refused with WHY, and nothing
# changes on screen or in the file.
refused() {
    why=$1
    expect_msg "$why: the first message" "$why; F1 for help"
    expect_status "$why: the status line says so" \
        "$b  0x00000000  #0  <u1 72  $why"
    text 41
    expect_msg "$why: hex digits" "$why: changes are refused"
    expect_line "$why: no nibble changed" 1 "$line1"
    keys Tab
    text x
    expect_msg "$why: a character" "$why: changes are refused"
    keys Tab C-l
    expect_msg "$why: Ctrl-L clears the message" ""
    keys C-Space Right
    keys Escape
    keys w
    expect_msg "$why: copy is allowed" "copied 2 bytes"
    keys C-y
    expect_msg "$why: paste" "$why: changes are refused"
    keys C-Space Escape
    keys i
    expect_msg "$why: fill" "$why: changes are refused"
    keys C-u
    expect_msg "$why: undo" "$why: changes are refused"
    keys Escape
    keys u
    expect_msg "$why: redo" "$why: changes are refused"
    keys F2
    expect_msg "$why: save" "$why: changes are refused"
    expect_line "$why: nothing changed on screen" 1 "$line1"
    # Nothing pending: quitting does not ask.
    keys C-x
    expect_exit "$why: Ctrl-X just quits" 0
    expect_data "$why: the data is unchanged" "$b" 78 "$orig"
}

start -- -R "$b"
refused "read-only (-R)"

hold "$b"
start -- "$b"
refused "read-only (another writer has it open)"
unhold
# The killed holder left a crashed writer's state: start again clean.
cp "$tmp/orig" "$b"

# A file we may not write.  As root the permission bits do not stop us,
# so the case runs as nobody (setpriv, util-linux); as another user the
# file's mode is enough.
chmod 444 "$b"
if [ "$(id -u)" = 0 ]; then
    chmod 755 "$tmp"
    if ! command -v setpriv > /dev/null 2>&1; then
        echo "SKIP (this case only): setpriv is missing, cannot drop root" >&2
    elif ! setpriv --reuid=65534 --regid=65534 --clear-groups \
        env LD_LIBRARY_PATH="${LD_LIBRARY_PATH:-}" "$EDITBUF" --version \
        > /dev/null 2>&1; then
        echo "SKIP (this case only): nobody cannot run $EDITBUF" \
            "(the build tree is private)" >&2
    else
        TUI_PREFIX="setpriv --reuid=65534 --regid=65534 --clear-groups"
        start -- "$b"
        TUI_PREFIX=
        refused "read-only (file not writable)"
    fi
else
    start -- "$b"
    refused "read-only (file not writable)"
fi
chmod 644 "$b"

# Writable when opened, but another writer takes the buffer before the
# save: the save fails, the changes stay, and a later save succeeds.
start -- "$b"
text 41
expect_status "edited" "$b  0x00000001  #1  <u1 101  modified"
hold "$b"
keys F2
expect_msg "save under another writer" \
    "cannot save (open): buffer is busy: another writer has it open; the changes are kept"
expect_status "the changes are kept" "$b  0x00000001  #1  <u1 101  modified"
expect_line "still on screen" 1 \
    "00000000  41 65 6c 6c 6f 2c 20 77 6f 72 6c 64 21 20 54 68  Aello, world! Th"
expect_data "the failed save wrote nothing" "$b" 78 "$orig"
unhold
# The other writer committed (its open did), so the editor asks first.
keys C-w
expect_msg "the other writer's commit is noticed" \
    "Another writer changed the buffer: (o)verwrite, (r)eload dropping your changes, (c)ancel?"
keys o
expect_msg "saved once the writer is gone" "saved 1 bytes"
keys C-c
expect_exit "quit after saving" 0
expect_data "the retried save" "$b" 4 "41656c6c"

finish
