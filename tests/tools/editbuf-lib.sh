# editbuf-lib.sh - what the editbuf tests share beyond lib.sh; sourced.

. "${srcdir:-.}/tests/tools/lib.sh"

EDITBUF=${EDITBUF:-./tools/editbuf}
HOLDBUF=${HOLDBUF:-./tests/tools/holdbuf}
# As for dumpbuf in lib.sh: run the program itself, not libtool's wrapper.
if [ "$EDITBUF" = ./tools/editbuf ] && [ -x tools/.libs/editbuf ]; then
    EDITBUF=./tools/.libs/editbuf
fi
for prog in "$EDITBUF" "$HOLDBUF"; do
    if [ ! -x "$prog" ]; then
        echo "ERROR: $prog is not built" >&2
        exit 99
    fi
done
need python3

# eb WANT-STATUS ARGS...: run editbuf with stdin from /dev/null unless
# redirected by the caller; stdout in $tmp/out, stderr in $tmp/err.
eb() {
    want=$1
    shift
    "$EDITBUF" "$@" > "$tmp/out" 2> "$tmp/err"
    rc=$?
    status "editbuf $*" "$want" $rc
}

# expect_out TEXT... / expect_err TEXT...: stdout / stderr is exactly the
# lines given (none for none).
expect_out() {
    if [ $# -gt 0 ]; then printf '%s\n' "$@"; fi > "$tmp/expout"
    same "stdout: $*" "$tmp/out" "$tmp/expout"
}
expect_err() {
    if [ $# -gt 0 ]; then printf '%s\n' "$@"; fi > "$tmp/experr"
    same "stderr: $*" "$tmp/err" "$tmp/experr"
}

# data BUF OUT: the whole data region of BUF (its capacity; the tests make
# buffers whose length is their capacity) as raw bytes in OUT.
data() {
    "$DUMPBUF" --raw "$1" > "$2" || exit 99
}

# mkraw SEED LEN OUT: LEN reproducible random bytes in OUT.
mkraw() {
    python3 -c '
import random, sys
r = random.Random(int(sys.argv[1]))
sys.stdout.buffer.write(bytes(r.randrange(256) for _ in range(int(sys.argv[2]))))
' "$1" "$2" > "$3" || exit 99
}

# mkbuf_from RAW BUF [mktestbuf options]: a buffer holding the bytes of RAW.
mkbuf_from() {
    raw=$1 buf=$2
    shift 2
    "$MKTESTBUF" "$@" "$buf" < "$raw" || exit 99
}

# patch_raw RAW OUT PYTHON-STATEMENTS: OUT is RAW after the statements,
# which change the bytearray d; the independent model of an edit.
patch_raw() {
    python3 -c '
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
exec(sys.argv[3])
open(sys.argv[2], "wb").write(bytes(d))
' "$1" "$2" "$3" || exit 99
}

# unchanged DESC BUF COPY: BUF is byte-identical to COPY, header included
# (so the generation did not move either).
unchanged() {
    same "$1: file untouched" "$2" "$3"
}

# hold FILE: a writer holds FILE open in the background until unhold.
hold() {
    rm -f "$tmp/ready"
    "$HOLDBUF" "$1" > "$tmp/ready" &
    holder=$!
    n=0
    until [ -s "$tmp/ready" ]; do
        n=$((n + 1))
        if [ $n -gt 200 ] || ! kill -0 $holder 2>/dev/null; then
            echo "ERROR: holdbuf did not start" >&2
            exit 99
        fi
        sleep 0.05
    done
}
unhold() {
    kill "$holder"
    wait "$holder" 2>/dev/null
    holder=
}
