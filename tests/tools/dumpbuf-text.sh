#!/bin/sh
# dumpbuf -H, --slots and --json on text a file can hold: a stale slot (its
# CRC broken, so the buffer stays valid) whose label and dtype hold
# terminal escapes, C1 controls, a bidi override and every kind of invalid
# UTF-8, and a file name that does.  On a terminal all of that is escaped
# (\xNN for a byte that is not UTF-8 and below U+0080, \uNNNN and
# \UNNNNNNNN above); --json is strict JSON, with U+FFFD for bad bytes.
# A dtype that is not a stored form has no itemsize.

. "${srcdir:-.}/tests/tools/lib.sh"

# ESC ] 0 ; x BEL (sets the window title), U+009B (CSI), U+202E (RIGHT-TO-
# LEFT OVERRIDE), a lone 0x9B, an overlong '/', a surrogate, F5, a code
# point above U+10FFFF, DEL, U+E0001 (a tag), then what stays: é " q \.
label='\033]0;x\007\302\233\342\200\256\233\300\257\355\240\200\365\200\200\200\364\220\200\200\177\363\240\200\201\303\251"q\\'
# A lone 0x9B and U+202E in the dtype.
dtype='<\233\342\200\256'

printf 'abcd' | "$MKTESTBUF" --label ok "$tmp/t.mmbuf" || fail "mktestbuf"
# shellcheck disable=SC2059
printf "$label" | dd of="$tmp/t.mmbuf" bs=1 seek=$((4096 + 240)) \
    conv=notrunc status=none
# shellcheck disable=SC2059
printf "$dtype" | dd of="$tmp/t.mmbuf" bs=1 seek=$((4096 + 120)) \
    conv=notrunc status=none

expect 0 dumpbuf -H "$tmp/t.mmbuf"
mv "$tmp/out" "$tmp/raw"
grep -E '^ *(label|dtype):' "$tmp/raw" > "$tmp/out"
expect_out \
    '  dtype:         <u1 (1 bytes per element)' \
    '  label:         "ok"' \
    '  dtype:         "<\x9b\u202e" (invalid)' \
    '  label:         "\x1b]0;x\x07\u009b\u202e\x9b\xc0\xaf\xed\xa0\x80\xf5\x80\x80\x80\xf4\x90\x80\x80\x7f\U000e0001é\"q\\"'
expect_err

expect 0 dumpbuf --slots "$tmp/t.mmbuf"
mv "$tmp/out" "$tmp/raw"
grep -E '^00001.*  (dtype|label) = ' "$tmp/raw" |
    sed 's/.*  \([a-z]* = \)/\1/' > "$tmp/out"
expect_out \
    'dtype = "<\x9b\u202e"' \
    'label = "\x1b]0;x\x07\u009b\u202e\x9b\xc0\xaf\xed\xa0\x80\xf5\x80\x80\x80\xf4\x90\x80\x80\x7f\U000e0001é\"q\\"'

expect 0 dumpbuf --json "$tmp/t.mmbuf"
mv "$tmp/out" "$tmp/raw"
json_strict "--json" "$tmp/raw"
grep -E '"(label|dtype|itemsize)"' "$tmp/raw" > "$tmp/out"
expect_out \
    '      "dtype": "<u1",' \
    '      "itemsize": 1,' \
    '      "label": "ok",' \
    '      "dtype": "<\ufffd\u202e",' \
    '      "itemsize": null,' \
    '      "label": "\u001b]0;x\u0007\u009b\u202e\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\u007f\udb40\udc01é\"q\\",'

# A dtype that mmbuf_dtype_parse() takes but a slot may not hold ("=f8"
# is no stored form): invalid, with itemsize null, as dumpbuf(1) says.
cp "$tmp/t.mmbuf" "$tmp/eq.mmbuf"
printf '=f8\000\000' | dd of="$tmp/eq.mmbuf" bs=1 seek=$((4096 + 120)) \
    conv=notrunc status=none
expect 0 dumpbuf --json "$tmp/eq.mmbuf"
mv "$tmp/out" "$tmp/raw"
grep -E '"(dtype|itemsize)"' "$tmp/raw" > "$tmp/out"
expect_out '      "dtype": "<u1",' '      "itemsize": 1,' \
    '      "dtype": "=f8",' '      "itemsize": null,'
"$DUMPBUF" -H "$tmp/eq.mmbuf" > "$tmp/raw"
grep 'dtype:' "$tmp/raw" > "$tmp/out"
expect_out '  dtype:         <u1 (1 bytes per element)' \
    '  dtype:         "=f8" (invalid)'

# A label cut at 64 bytes by --slots is cut between characters.
printf 'x' | "$MKTESTBUF" --label "$(printf '%063d\303\251tail' 0)" \
    "$tmp/long.mmbuf" || fail "mktestbuf"
"$DUMPBUF" --slots "$tmp/long.mmbuf" > "$tmp/raw"
grep -m1 'label = ' "$tmp/raw" | sed 's/.*  label = //' > "$tmp/out"
expect_out "\"$(printf '%063d' 0)\"..."

# A file name that holds the same: -H, --slots, --json and the messages.
# shellcheck disable=SC2059
name=$tmp/$(printf 'n\033[2J\302\233\342\200\256\233\355\240\200.mmbuf')
cp "$tmp/t.mmbuf" "$name"
esc='n\x1b[2J\u009b\u202e\x9b\xed\xa0\x80.mmbuf'
"$DUMPBUF" -H "$name" | head -n 1 > "$tmp/out"
expect_out "file:            $tmp/$esc"
"$DUMPBUF" --slots "$name" | head -n 1 > "$tmp/out"
expect_out "# $tmp/$esc: 8196 bytes; header: valid"
"$DUMPBUF" --json "$name" > "$tmp/raw"
json_strict "--json, file name" "$tmp/raw"
grep '"file"' "$tmp/raw" > "$tmp/out"
expect_out "  \"file\": \"$tmp/n\\u001b[2J\\u009b\\u202e\\ufffd\\ufffd\\ufffd\\ufffd.mmbuf\","
rm "$name"
expect 2 dumpbuf -H "$name"
expect_err "dumpbuf: $tmp/$esc: No such file or directory"

finish
