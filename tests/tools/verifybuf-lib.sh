# verifybuf-lib.sh - what the verifybuf tests share beyond lib.sh; sourced.

. "${srcdir:-.}/tests/tools/lib.sh"

VERIFYBUF=${VERIFYBUF:-./tools/verifybuf}
HOLDBUF=${HOLDBUF:-./tests/tools/holdbuf}
# As for dumpbuf in lib.sh: run the program itself, not libtool's wrapper.
if [ "$VERIFYBUF" = ./tools/verifybuf ] && [ -x tools/.libs/verifybuf ]; then
    VERIFYBUF=./tools/.libs/verifybuf
fi
for prog in "$VERIFYBUF" "$HOLDBUF"; do
    if [ ! -x "$prog" ]; then
        echo "ERROR: $prog is not built" >&2
        exit 99
    fi
done

# vb WANT-STATUS ARGS...: run verifybuf; stdout in $tmp/out, stderr in
# $tmp/err, the status must be WANT-STATUS.
vb() {
    want=$1
    shift
    "$VERIFYBUF" "$@" > "$tmp/out" 2> "$tmp/err"
    rc=$?
    status "verifybuf $*" "$want" $rc
}

# expect_out TEXT / expect_err TEXT: stdout / stderr is exactly TEXT
# (printf's %s\n of each argument: one line per argument, none for none).
expect_out() {
    if [ $# -gt 0 ]; then printf '%s\n' "$@"; fi > "$tmp/expout"
    same "stdout: $*" "$tmp/out" "$tmp/expout"
}
expect_err() {
    if [ $# -gt 0 ]; then printf '%s\n' "$@"; fi > "$tmp/experr"
    same "stderr: $*" "$tmp/err" "$tmp/experr"
}

# sealed FILE SEED LEN [BLOCK-SIZE]: a buffer of LEN random bytes, sealed
# by verifybuf --seal with 4 KiB blocks unless told otherwise.
sealed() {
    "$MKTESTBUF" --random "$2:$3" "$1" || exit 99
    "$VERIFYBUF" -q --seal --block-size "${4:-4K}" "$1" || exit 99
}

# flip FILE OFFSET: invert one byte of FILE, with dd.
flip() {
    byte=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d " ")
    printf "\\$(printf '%03o' $((255 - byte)))" |
        dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# hold FILE: a writer holds FILE open in the background ($holder) until
# unhold kills it (which leaves it as a crashed writer would).
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
    kill $holder
    wait $holder 2>/dev/null
    holder=
}
