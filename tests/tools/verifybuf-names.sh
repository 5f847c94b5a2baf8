#!/bin/sh
# verifybuf and mkbuf on file names that hold terminal escapes, a C1
# control, a bidi override and bytes that are not UTF-8: the text lines and
# the messages escape them as dumpbuf does (tests/tools/dumpbuf-text.sh),
# and --json is strict JSON, with U+FFFD for each bad byte.

. "${srcdir:-.}/tests/tools/verifybuf-lib.sh"

need_built "$MKBUF"

# ESC [ 2 J (clears the screen), U+009B, U+202E, a lone 0x9B, a surrogate,
# an overlong '/', F5; and a backslash.
# shellcheck disable=SC2059
raw=$(printf 'n\033[2J\302\233\342\200\256\233\355\240\200\300\257\365\\')
esc='n\x1b[2J\u009b\u202e\x9b\xed\xa0\x80\xc0\xaf\xf5\\'
js='n\u001b[2J\u009b\u202e\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\\'
name=$tmp/$raw

"$MKBUF" -q -s 4K "$name"
status "mkbuf -q" 0 $?
expect 0 mkbuf -f -s 4K "$name"
expect_out "$tmp/$esc: created, dtype <u1, shape none, capacity 4096, length 4096, data offset 8192"
expect 0 mkbuf -f --json -s 4K "$name"
json_strict "mkbuf --json" "$tmp/out"
grep '"file"' "$tmp/out" > "$tmp/got"
printf '  "file": "%s/%s",\n' "$tmp" "$js" > "$tmp/exp"
same "mkbuf --json: file" "$tmp/got" "$tmp/exp"
"$MKBUF" -q -s 4K "$name" 2> "$tmp/err"
status "mkbuf, the file exists" 3 $?
expect_err "mkbuf: $tmp/$esc: File exists"

expect 0 verifybuf --seal "$name"
expect_out "$tmp/$esc: sealed" "$tmp/$esc: ok"
expect 0 verifybuf --json "$name"
json_strict "verifybuf --json" "$tmp/out" lines
sed 's/, "verdict".*//' "$tmp/out" > "$tmp/got"
printf '{"file": "%s/%s"\n' "$tmp" "$js" > "$tmp/exp"
same "verifybuf --json: file" "$tmp/got" "$tmp/exp"

rm "$name"
expect 3 verifybuf "$name"
expect_out "$tmp/$esc: cannot check: No such file or directory"
expect 3 verifybuf --json "$name" "$tmp/$(printf '\377\376')"
json_strict "verifybuf --json, missing files" "$tmp/out" lines
sed 's/, "verdict".*//' "$tmp/out" > "$tmp/got"
printf '{"file": "%s/%s"\n' "$tmp" "$js" "$tmp" '\ufffd\ufffd' > "$tmp/exp"
same "verifybuf --json, missing files: file" "$tmp/got" "$tmp/exp"

finish
