#!/bin/sh
# editbuf-tui-view.sh - the terminal UI without editing: the panes, the
# cursor keys, goto, search, the status line and data inspector, the
# header panel, the help screen, resizing and offsets beyond 4 GiB.

. "${srcdir:-.}/tests/tools/editbuf-tui-lib.sh"

b=$tmp/b
hello "$b"
cp "$b" "$tmp/orig"

start -- "$b"
expect_line "first line" 1 \
    "00000000  48 65 6c 6c 6f 2c 20 77 6f 72 6c 64 21 20 54 68  Hello, world! Th"
expect_line "fifth line" 5 \
    "00000040  4d 4e 4f 50 51 52 53 54 55 56 57 58 59 5a 00 00  MNOPQRSTUVWXYZ.."
expect_line "last line of the capacity" 16 \
    "000000f0  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  ................"
expect_line "nothing past the capacity" 17 ""
expect_status "status at the start" "$b  0x00000000  #0  "
expect_line "inspector, little-endian" 26 \
    "LE i8 72 u8 72 i16 25928 u16 25928 i32 1819043144 u32 1819043144 f32 1.14313912e+27"
expect_line "inspector, big-endian" 27 \
    "BE i8 72 u8 72 i16 18533 u16 18533 i32 1214606444 u32 1214606444 f32 234929.688"
expect_line "inspector, 64 bits little-endian" 28 \
    "LE i64 8583909746840200520 u64 8583909746840200520 f64 6.5188685003647886e+265"
expect_line "inspector, 64 bits big-endian" 29 \
    "BE i64 5216694956356018295 u64 5216694956356018295 f64 5.8320394814310024e+40"
expect_cursor "cursor on the first nibble" 10 0

# Moving the cursor.
keys Right
expect_status "Right" "$b  0x00000001  #1  "
expect_cursor "Right: second byte" 13 0
keys Down
expect_status "Down" "$b  0x00000011  #17  "
expect_cursor "Down: next line" 13 1
keys End
expect_status "End" "$b  0x0000001f  #31  "
keys Home
expect_status "Home" "$b  0x00000010  #16  "
keys C-f C-f C-n
expect_status "Ctrl-F Ctrl-F Ctrl-N" "$b  0x00000022  #34  "
keys C-b C-p
expect_status "Ctrl-B Ctrl-P" "$b  0x00000011  #17  "
keys Up Left
expect_status "Up Left" "$b  0x00000000  #0  "
keys Left Up
expect_status "Left and Up stop at the start" "$b  0x00000000  #0  "
keys NPage
expect_status "PgDn on a short buffer: the last byte" "$b  0x000000ff  #255  "
keys Right Down
expect_status "Right and Down stop at the end" "$b  0x000000ff  #255  "
keys PPage
expect_status "PgUp" "$b  0x0000000f  #15  "
keys Escape
keys '>'
expect_status "Esc->" "$b  0x000000ff  #255  "
keys Escape
keys '<'
expect_status "Esc-<" "$b  0x00000000  #0  "
keys '>'
expect_status "> in the hex pane" "$b  0x000000ff  #255  "
keys '<'
expect_status "< in the hex pane" "$b  0x00000000  #0  "

# Tab: the cursor goes to the ASCII pane, at the same byte.
keys Right Tab
expect_cursor "Tab: the ASCII pane" 60 0
expect_status "Tab keeps the offset" "$b  0x00000001  #1  "
keys Tab
expect_cursor "Tab again: the hex pane" 13 0

# Goto: hex, decimal, an element index, and refusals.
keys Enter
expect_line "goto prompt" 30 "Go to (0x hex, decimal, #index):"
text 0x42
keys Enter
expect_status "goto 0x42" "$b  0x00000042  #66  "
keys C-g
text 100
keys Enter
expect_status "goto 100" "$b  0x00000064  #100  "
keys C-g
text '#7'
keys Enter
expect_status "goto #7" "$b  0x00000007  #7  "
keys C-g
text 0x100
keys Enter
expect_msg "goto past the capacity" \
    "go to 0x100: offset 0x100 is past the end of the data (capacity 256)"
expect_status "goto refused: the cursor stays" "$b  0x00000007  #7  "
keys C-g
text '#300'
keys Enter
expect_text "goto a bad index" "go to #300: index 300"
keys C-g
text 12xyz
keys Enter
expect_msg "goto garbage" "go to 12xyz: not an offset or #index"
keys C-g
text 0x10
keys Escape
expect_msg "goto cancelled" "cancelled"
expect_status "cancelled goto does not move" "$b  0x00000007  #7  "

# Search: hex bytes in the hex pane, text in the ASCII pane.
keys '<' C-s
expect_line "search prompt, hex pane" 30 "Search forward (hex bytes):"
text '6c 6c'
keys Enter
expect_status "search hex 6c 6c" "$b  0x00000002  #2  "
expect_msg "search message" "found at 0x2"
keys C-s Enter
expect_msg "search again: no other match" "not found"
expect_status "not found: the cursor stays" "$b  0x00000002  #2  "
keys C-s
text 6c6
keys Enter
expect_msg "odd hex digits" \
    "search: \"6c6\" is not hex bytes (two hex digits a byte, e.g. de ad be ef)"
keys Tab C-s
expect_line "search prompt, ASCII pane" 30 "Search forward (text):"
text is
keys Enter
expect_status "search text forward" "$b  0x00000010  #16  "
keys F3
expect_status "F3: next match" "$b  0x00000013  #19  "
keys Escape
keys s
expect_msg "Esc-S: no third match" "not found"
expect_status "no third match: the cursor stays" "$b  0x00000013  #19  "
keys Escape
keys r
expect_status "Esc-R: previous match" "$b  0x00000010  #16  "
keys C-r
expect_line "backward prompt" 30 "Search backward (text):"
text Hello
keys Enter
expect_status "search backward" "$b  0x00000000  #0  "
keys C-r
text zzz
keys Enter
expect_msg "backward, not found" "not found"
keys C-s
text XYZ
keys Enter
expect_status "search across the text" "$b  0x0000004b  #75  "
keys Tab

# The header panel.
keys F4
expect_line "header: dtype" 1 'dtype <u1  shape ()  itemsize 1  label ""'
expect_line "header: sizes" 2 \
    "length 78  capacity 256  data offset 8192  file size 8448"
expect_line "header: the data moves down" 5 \
    "00000000  48 65 6c 6c 6f 2c 20 77 6f 72 6c 64 21 20 54 68  Hello, world! Th"
keys F4
expect_line "header hidden again" 1 \
    "00000000  48 65 6c 6c 6f 2c 20 77 6f 72 6c 64 21 20 54 68  Hello, world! Th"

# The help screen, from F1 and from ? in the hex pane.
keys F1
expect_line "help title" 1 "editbuf keys (arrows scroll; q or Esc closes)"
expect_text "help lists search" "Ctrl-S                      search forward"
expect_text "help lists redo" "Esc-U, Ctrl-^               redo the last undone change"
keys q
expect_line "help closed" 1 \
    "00000000  48 65 6c 6c 6f 2c 20 77 6f 72 6c 64 21 20 54 68  Hello, world! Th"
keys '?'
expect_line "? opens the help" 1 "editbuf keys (arrows scroll; q or Esc closes)"
keys Escape
expect_status "help closed by Esc" "$b  0x0000004b  #75  "

# Resizing: fewer bytes a line, then too small, then back.
tmux -S "$sock" resize-window -t 0 -x 60 -y 20
expect_line "narrow: 8 bytes a line" 1 \
    "00000000  48 65 6c 6c 6f 2c 20 77  Hello, w"
expect_status_at() {
    checks=$((checks + 1))
    poll line_starts "$1" "$2" || { fail "$3"; show_screen; }
}
expect_status_at 15 "$b  0x0000004b" "narrow: the status line moves up"
tmux -S "$sock" resize-window -t 0 -x 30 -y 8
expect_line "too small" 1 "too small: need 44x10"
tmux -S "$sock" resize-window -t 0 -x 100 -y 30
expect_status "back to 100x30" "$b  0x0000004b  #75  "

# Ctrl-C with nothing changed quits at once.
keys C-c
expect_exit "quit" 0
same "viewing changed nothing" "$b" "$tmp/orig"

# A typed buffer: the element index and value.
t=$tmp/typed
printf '\001\000\000\000\002\000\000\000\003\000\000\000\004\000\000\000\005\000\000\000\377\377\377\377' |
    "$MKTESTBUF" --dtype '<i4' --shape 2,3 "$t" || exit 99
start -- "$t"
expect_status "typed: first element" "$t  0x00000000  #0,0  <i4 1"
keys C-g
text '#1,2'
keys Enter
expect_status "typed: goto #1,2" "$t  0x00000014  #1,2  <i4 -1"
keys Left
expect_status "typed: the element of a byte" "$t  0x00000013  #1,1  <i4 5"
keys C-g
text '#1'
keys Enter
expect_status "typed: goto #1 is the row" "$t  0x0000000c  #1,0  <i4 4"
keys C-g
text '#2'
keys Enter
expect_text "typed: index outside the shape" "go to #2: index 2 is outside dimension 0"
keys C-c
expect_exit "typed: quit" 0

# Offsets beyond 4 GiB: a sparse 6 GiB buffer, nine hex digits.
big=$tmp/big
printf XYZ | "$MKTESTBUF" --sparse --capacity 6442450944 --at 5368709120 "$big" ||
    exit 99
start -- "$big"
expect_line "big: offsets are 9 digits" 1 \
    "000000000  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  ................"
keys C-g
text 0x140000000
keys Enter
expect_status "big: goto past 4 GiB" "$big  0x140000000  #5368709120  "
expect_text "big: the bytes there" \
    "140000000  58 59 5a 00 00 00 00 00 00 00 00 00 00 00 00 00  XYZ............."
keys Escape
keys '>'
expect_status "big: the end" "$big  0x17fffffff  #6442450943  "
keys C-c
expect_exit "big: quit" 0

# A search streams through the data in chunks: a match across the first
# chunk boundary (1 MiB) is found forward and backward.
s3=$tmp/s3
printf 'XYZ' | "$MKTESTBUF" --sparse --capacity 3145728 --at 1048575 "$s3" ||
    exit 99
start -- "$s3"
keys C-s
text '58 59 5a'
keys Enter
expect_status "chunked search forward" "$s3  0x000fffff  #1048575  "
keys Escape
keys '>'
keys Tab C-r
text XYZ
keys Enter
expect_status "chunked search backward" "$s3  0x000fffff  #1048575  "
keys C-c
expect_exit "chunked search: quit" 0

# Colours: modified bytes red, bytes past the length blue, the status
# line on cyan; with NO_COLOR set, attributes only (bold, dim, reverse).
esc=$(printf '\033')
c=$tmp/c
printf 'Hello' | "$MKTESTBUF" --capacity 64 "$c" || exit 99
start -- "$c"
text 41
expect_line "colour: edited" 1 \
    "00000000  41 65 6c 6c 6f 00 00 00 00 00 00 00 00 00 00 00  Aello..........."
tmux -S "$sock" capture-pane -e -p -t 0 > "$tmp/esc"
checks=$((checks + 1))
grep -q "^00000000  ${esc}\[1m${esc}\[31m41" "$tmp/esc" ||
    fail "colour: the modified byte is not bold red"
checks=$((checks + 1))
grep -q "${esc}\[34m00" "$tmp/esc" ||
    fail "colour: bytes past the length are not blue"
checks=$((checks + 1))
grep -q "${esc}\[46m$c  0x" "$tmp/esc" ||
    fail "colour: the status line is not on cyan"
keys C-c d
expect_exit "colour: quit" 0
start NO_COLOR=1 -- "$c"
text 41
expect_line "NO_COLOR: edited" 1 \
    "00000000  41 65 6c 6c 6f 00 00 00 00 00 00 00 00 00 00 00  Aello..........."
tmux -S "$sock" capture-pane -e -p -t 0 > "$tmp/esc"
checks=$((checks + 1))
if grep -q "${esc}\[[34][0-7]m" "$tmp/esc"; then
    fail "NO_COLOR: colours used"
    cat -v "$tmp/esc" | head -n 3 >&2
fi
checks=$((checks + 1))
grep -q "^00000000  ${esc}\[1m41" "$tmp/esc" ||
    fail "NO_COLOR: the modified byte is not bold"
checks=$((checks + 1))
grep -q "${esc}\[2m00" "$tmp/esc" ||
    fail "NO_COLOR: bytes past the length are not dim"
keys C-c d
expect_exit "NO_COLOR: quit" 0

# The file shrinks under the editor: reading the lost pages faults, and
# the editor says so instead of dying.
t=$tmp/trunc
printf 'Hello' | "$MKTESTBUF" --capacity 65536 "$t" || exit 99
start -- "$t"
truncate -s 12288 "$t"
keys C-g
text 0x2000
keys Enter
expect_msg "truncated file" "$t: cannot read the data: the file was truncated"
keys C-c
expect_exit "truncated file: quit" 0

# A label and a file name with terminal escapes, a C1 control and a bidi
# override: shown escaped, as dumpbuf -H shows them, never obeyed.
# shellcheck disable=SC2059
h=$tmp/$(printf 'h\033[2J\302\233x')
printf 'Hi' | "$MKTESTBUF" --capacity 16 \
    --label "$(printf '\033]0;t\007\302\233\342\200\256q')" "$h" || exit 99
start -- "$h"
expect_status "escaped file name" "$tmp/h\\x1b[2J\\u009bx  0x00000000  #0  "
keys F4
expect_line "escaped label" 1 \
    'dtype <u1  shape ()  itemsize 1  label "\x1b]0;t\x07\u009b\u202eq"'
keys C-c
expect_exit "escaped label: quit" 0

# A terminal ncurses does not know: a message, status 2, no crash.
TUI_NOWAIT=1
start TERM=no-such-terminal -- "$b"
TUI_NOWAIT=
expect_exit "unknown terminal" 2
printf '%s\n' "editbuf: $b: cannot start the editor on terminal type \"no-such-terminal\"" \
    > "$tmp/experr"
same "unknown terminal: the message" "$tmp/tui-err" "$tmp/experr"

finish
