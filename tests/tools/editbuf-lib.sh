# editbuf-lib.sh - what the editbuf tests share beyond lib.sh; sourced.

. "${srcdir:-.}/tests/tools/lib.sh"

need_built "$EDITBUF" "$HOLDBUF"
need python3

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

