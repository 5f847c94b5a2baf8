# mkbuf-lib.sh - what the mkbuf tests share beyond lib.sh; sourced.

. "${srcdir:-.}/tests/tools/lib.sh"

# Absolute paths: the fault tests run the programs from shells of their own.
case $MKBUF in /*) ;; *) MKBUF=$PWD/$MKBUF ;; esac
case $DUMPBUF in /*) ;; *) DUMPBUF=$PWD/$DUMPBUF ;; esac
need_built "$MKBUF"

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
