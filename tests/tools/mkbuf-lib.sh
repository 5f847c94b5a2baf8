# mkbuf-lib.sh - what the mkbuf tests share beyond lib.sh; sourced.

. "${srcdir:-.}/tests/tools/lib.sh"

MKBUF=${MKBUF:-./tools/mkbuf}
# As for dumpbuf in lib.sh: run the program itself, not libtool's wrapper.
if [ "$MKBUF" = ./tools/mkbuf ] && [ -x tools/.libs/mkbuf ]; then
    MKBUF=$PWD/tools/.libs/mkbuf
fi
case $MKBUF in /*) ;; *) MKBUF=$PWD/$MKBUF ;; esac
case $DUMPBUF in /*) ;; *) DUMPBUF=$PWD/$DUMPBUF ;; esac
if [ ! -x "$MKBUF" ]; then
    echo "ERROR: $MKBUF is not built" >&2
    exit 99
fi

# mk WANT-STATUS ARGS...: run mkbuf; stdout in $tmp/out, stderr in
# $tmp/err, the status must be WANT-STATUS.
mk() {
    want=$1
    shift
    "$MKBUF" "$@" > "$tmp/out" 2> "$tmp/err"
    rc=$?
    status "mkbuf $*" "$want" $rc
}



# field FILE KEY: a field of the current header slot, from dumpbuf --json.
field() {
    "$DUMPBUF" --json "$1" | awk -v key="\"$2\":" '
        /"current": true/ { cur = 1 }
        /"current": false/ { cur = 0 }
        cur && $1 == key { v = $0; sub(/^[^:]*: /, "", v); sub(/,$/, "", v); print v; exit }'
}

# empty_dir DIR: nothing at all in DIR (no buffer, no temporary file).
empty_dir() {
    checks=$((checks + 1))
    if [ -n "$(ls -A "$1")" ]; then
        fail "files left behind in $1: $(ls -A "$1" | tr '\n' ' ')"
    fi
}
