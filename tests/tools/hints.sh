#!/bin/sh
# hints.sh - the errors that say what to do (issue 16, section 3), pinned
# word for word in every tool (python3 -m mmbuf's are in
# tests/python/test_cli.py, TestNotABuffer): a file that is not
# a buffer (-F dumps any file), a .npy file given as a buffer (mkbuf
# --from-npy), standard input given as a buffer (-F -), an empty file
# (not a buffer file, mmbuf(5) "Magic").  mkbuf's sizes are pinned in
# mkbuf-errors.sh, its full disk in tests/faults/faults.sh, the refusal
# of binary output to a terminal in dumpbuf-terminal.sh.

. "${srcdir:-.}/tests/tools/lib.sh"

need_built "$VERIFYBUF" "$EDITBUF" "$MKBUF"

printf 'some data, 32 bytes of it.......' | "$MKTESTBUF" "$tmp/ok.mmbuf"
printf 'some notes\n' > "$tmp/notes.txt"
"$DUMPBUF" --npy "$tmp/ok.mmbuf" > "$tmp/a.npy" || fail "dumpbuf --npy"
: > "$tmp/empty"
printf '\215MMB' > "$tmp/prefix"
npy="a NumPy .npy file, not an mmbuf buffer file (mkbuf --from-npy makes a buffer of it)"
magic="not an mmbuf buffer file (bad magic)"

# A file that is not a buffer: -F dumps any file.
expect 2 dumpbuf "$tmp/notes.txt"
expect_out
expect_err "dumpbuf: $tmp/notes.txt: $magic; -F dumps any file"
expect 0 dumpbuf -F "$tmp/notes.txt"
expect_out "00000000: 736f 6d65 206e 6f74 6573 0a              some notes."

# A .npy file given as a buffer, to every tool that reads buffers.
expect 2 dumpbuf "$tmp/a.npy"
expect_err "dumpbuf: $tmp/a.npy: $npy"
expect 2 dumpbuf -H "$tmp/a.npy"
expect_err "dumpbuf: $tmp/a.npy: $npy"
expect 3 verifybuf "$tmp/a.npy"
expect_out "$tmp/a.npy: cannot check: $npy"
expect_err
expect 2 editbuf --set 0=01 "$tmp/a.npy" < /dev/null
expect_err "editbuf: $tmp/a.npy: $npy"
expect 3 verifybuf --seal "$tmp/a.npy"
expect_err "verifybuf: $tmp/a.npy: cannot seal: $npy"
expect 3 mkbuf --resize 1M "$tmp/a.npy"
expect_err "mkbuf: $tmp/a.npy: $npy"
# ...and mkbuf --from-npy does make one of it.
expect 0 mkbuf -q --from-npy "$tmp/a.npy" "$tmp/from.mmbuf"
expect 0 dumpbuf --raw "$tmp/from.mmbuf"
printf 'some data, 32 bytes of it.......' > "$tmp/expout"
same "mkbuf --from-npy of dumpbuf --npy" "$tmp/out" "$tmp/expout"

# Standard input given as a buffer: -F - dumps it.
printf 'abc' | "$DUMPBUF" - > "$tmp/out" 2> "$tmp/err"
status "dumpbuf -" 2 $?
expect_err "dumpbuf: -: a buffer must be a file, not standard input; -F - dumps standard input as raw data"
printf 'abc' | "$DUMPBUF" -F - > "$tmp/out" 2> "$tmp/err"
status "dumpbuf -F -" 0 $?
expect_out "00000000: 6162 63                                  abc"
printf 'abc' | "$DUMPBUF" -H - > "$tmp/out" 2> "$tmp/err"
status "dumpbuf -H -" 2 $?
expect_err "dumpbuf: -: a buffer must be a file, not standard input"
# A file that is really called "-" is a buffer like any other.
dumpbuf_abs=$(cd "$(dirname "$DUMPBUF")" && pwd)/$(basename "$DUMPBUF")
(cd "$tmp" && cp ok.mmbuf ./- && "$dumpbuf_abs" -l 4 - > out 2> err)
status "dumpbuf - (a file called -)" 0 $?
expect_out "00000000: 736f 6d65                                some"

# An empty file, or one shorter than the magic, is not a buffer file, in
# every tool alike (mmbuf(5), "Magic").
for f in empty prefix; do
    expect 2 dumpbuf "$tmp/$f"
    expect_err "dumpbuf: $tmp/$f: $magic; -F dumps any file"
    expect 3 verifybuf "$tmp/$f"
    expect_out "$tmp/$f: cannot check: $magic"
    expect 2 editbuf --set 0=01 "$tmp/$f" < /dev/null
    expect_err "editbuf: $tmp/$f: $magic"
done

finish
