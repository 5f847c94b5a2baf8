# lib.sh - shared by the tool tests; sourced, not run.
#
# Tests run from the top build directory (Automake sets srcdir), so the
# programs are found at their build paths.  Each test works in a private
# temporary directory removed on exit (kept when MMBUF_TEST_KEEP is set).
#
# A test runs a tool with expect STATUS PROG ARGS... (below), which counts
# the check of its exit status, then checks what it printed with
# expect_out, expect_err, err_match, same, or expect_file for the long
# outputs kept in tests/tools/expected (MMBUF_SET_EXPECTED=1 rewrites
# those: see expect_file).  A tool whose stdin is a pipe, or that runs
# under another program (setpriv, script, timeout, a subshell with ulimit)
# or in the background, is run directly and its status checked with status.

set -u
LC_ALL=C
export LC_ALL
unset NO_COLOR

: "${srcdir:=.}"
DUMPBUF=${DUMPBUF:-./tools/dumpbuf}
MKTESTBUF=${MKTESTBUF:-./tests/tools/mktestbuf}

# An uninstalled program linked with the shared libmmbuf is a libtool
# wrapper script, which costs a shell start per run; the tests start
# dumpbuf thousands of times, so they run the program itself with the
# library path the wrapper would set.
if [ "$DUMPBUF" = ./tools/dumpbuf ] && [ -x tools/.libs/dumpbuf ] &&
   [ -d lib/.libs ]; then
    DUMPBUF=./tools/.libs/dumpbuf
    LD_LIBRARY_PATH=$PWD/lib/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
    export LD_LIBRARY_PATH
fi

# need_built PROG...: a hard error (exit 99) unless every PROG is built.
need_built() {
    for prog; do
        if [ ! -x "$prog" ]; then
            echo "ERROR: $prog is not built" >&2
            exit 99
        fi
    done
}

# tool_program NAME: the program tools/NAME itself rather than its libtool
# wrapper, as for dumpbuf above (the library path is set already).
tool_program() {
    if [ -x "tools/.libs/$1" ]; then
        echo "./tools/.libs/$1"
    else
        echo "./tools/$1"
    fi
}

need_built "$DUMPBUF" "$MKTESTBUF"

# The other tools, by the name expect knows them by; each test's library
# checks with need_built those it runs.
MKBUF=${MKBUF:-$(tool_program mkbuf)}
VERIFYBUF=${VERIFYBUF:-$(tool_program verifybuf)}
EDITBUF=${EDITBUF:-$(tool_program editbuf)}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dumpbuf-test.XXXXXX") || exit 99
cleanup() {
    if [ -n "${MMBUF_TEST_KEEP:-}" ]; then
        echo "keeping $tmp" >&2
    else
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

failures=0
checks=0

# need PROG: skip (77) only when a program the test compares with is
# really absent; CI installs xxd and bsdextrautils, so there it runs.
need() {
    if ! command -v "$1" >/dev/null 2>&1; then
        echo "SKIP: $1 is not installed" >&2
        exit 77
    fi
}

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# sampled N K: whether case N runs: every case in make check-long (which
# sets MMBUF_LONG=1), one case in K in make check.
sampled() {
    [ "${MMBUF_LONG:-0}" = 1 ] || [ $(($1 % $2)) -eq 0 ]
}

# expect_out TEXT... / expect_err TEXT...: stdout / stderr ($tmp/out,
# $tmp/err) is exactly the lines given (printf's %s\n of each argument;
# none for none).
expect_out() {
    if [ $# -gt 0 ]; then printf '%s\n' "$@"; fi > "$tmp/expout"
    same "stdout: $*" "$tmp/out" "$tmp/expout"
}
expect_err() {
    if [ $# -gt 0 ]; then printf '%s\n' "$@"; fi > "$tmp/experr"
    same "stderr: $*" "$tmp/err" "$tmp/experr"
}

# as_nobody CMD ARGS...: run CMD as uid and gid 65534, without groups
# (setpriv, util-linux), for the cases where root's rights would hide what
# a user meets.
as_nobody() {
    setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

# can_be_nobody PROG: whether as_nobody can run PROG; if not, says why on
# stderr, as the SKIP of that case only.
can_be_nobody() {
    if ! command -v setpriv > /dev/null 2>&1; then
        echo "SKIP (this case only): setpriv is missing, cannot drop root" >&2
        return 1
    fi
    if ! as_nobody "$1" --version > /dev/null 2>&1; then
        echo "SKIP (this case only): nobody cannot run $1" \
            "(the build tree is private)" >&2
        return 1
    fi
}

# hold [-r | -l] FILE: tests/tools/holdbuf keeps FILE open in the
# background ($holder), for writing (or with -r for reading; with -l it
# only holds a read lock over the whole file), until unhold kills it
# (which leaves a writer's buffer as a crashed writer would).
HOLDBUF=${HOLDBUF:-$PWD/tests/tools/holdbuf}
hold() {
    need_built "$HOLDBUF"
    rm -f "$tmp/ready"
    "$HOLDBUF" "$@" > "$tmp/ready" &
    holder=$!
    n=0
    until [ -s "$tmp/ready" ]; do
        n=$((n + 1))
        if [ $n -gt 400 ] || ! kill -0 $holder 2>/dev/null; then
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

# same DESC GOT EXPECTED: the two files must be byte-identical.
same() {
    checks=$((checks + 1))
    if ! cmp -s "$2" "$3"; then
        fail "$1"
        diff -u "$3" "$2" | head -n 20 >&2
    fi
}

# expect_file DESC GOT NAME: GOT is byte-identical to the expected output
# tests/tools/expected/NAME, in the source tree.  The long expectations
# live there rather than in the scripts.  To rewrite them from the current
# output, when a change of the output is deliberate, run the tests with
# MMBUF_SET_EXPECTED=1 (as zstd's cli-tests --set-exact-output does):
#   MMBUF_SET_EXPECTED=1 make check TESTS=tests/tools/dumpbuf-header.sh
# then review the change with git diff tests/tools/expected before
# committing it.
expect_file() {
    if [ -n "${MMBUF_SET_EXPECTED:-}" ]; then
        cp "$2" "$srcdir/tests/tools/expected/$3" || exit 99
        echo "rewrote tests/tools/expected/$3" >&2
    fi
    same "$1" "$2" "$srcdir/tests/tools/expected/$3"
}

# status DESC WANT GOT
status() {
    checks=$((checks + 1))
    if [ "$2" != "$3" ]; then
        fail "$1: exit status $3, expected $2"
    fi
}

# expect STATUS [NAME=VALUE...] PROG ARGS...: run the tool PROG (dumpbuf,
# mkbuf, verifybuf, editbuf: the programs above) with ARGS, stdout in
# $tmp/out, stderr in $tmp/err, its status in $rc; one check, that the
# status is STATUS.  NAME=VALUE words before PROG go to its environment
# only (through env), as the fault tests' LD_PRELOAD=$SHIM.  Stdin is the
# caller's: redirect the call.  What the tool printed is then checked with
# expect_out, expect_err, err_match or same.
expect() {
    expect_want=$1
    shift
    expect_cmdline=$*
    # The words before PROG, then the arguments again with PROG replaced
    # by its program.
    expect_n=0
    for expect_a; do
        case $expect_a in *=*) expect_n=$((expect_n + 1)) ;; *) break ;; esac
    done
    expect_prog=
    expect_i=0
    for expect_a; do
        expect_i=$((expect_i + 1))
        if [ $expect_i -eq $((expect_n + 1)) ]; then
            expect_prog=$expect_a
            case $expect_prog in
            dumpbuf) expect_a=$DUMPBUF ;;
            mkbuf) expect_a=$MKBUF ;;
            verifybuf) expect_a=$VERIFYBUF ;;
            editbuf) expect_a=$EDITBUF ;;
            *)
                echo "ERROR: expect: unknown tool '$expect_prog'" \
                    "in: $expect_cmdline" >&2
                exit 99
                ;;
            esac
        fi
        set -- "$@" "$expect_a"
    done
    shift $expect_i
    if [ -z "$expect_prog" ]; then
        echo "ERROR: expect: no tool in: $expect_cmdline" >&2
        exit 99
    fi
    if [ $expect_n -gt 0 ]; then
        env "$@" > "$tmp/out" 2> "$tmp/err"
    else
        "$@" > "$tmp/out" 2> "$tmp/err"
    fi
    rc=$?
    status "$expect_cmdline" "$expect_want" $rc
    if [ "$expect_want" != $rc ]; then
        head -n 5 "$tmp/err" >&2
    fi
}

# err_match PATTERN: one check, that stderr ($tmp/err, of the last expect)
# matches the extended regular expression PATTERN (grep -E).
err_match() {
    checks=$((checks + 1))
    if ! grep -Eq -- "$1" "$tmp/err"; then
        fail "$expect_cmdline: stderr does not match '$1':"
        cat "$tmp/err" >&2
    fi
}

# xxd_opts ARGS...: dumpbuf's spelling of xxd options, in xxd's: the
# long options, and -C (the hexdump layout in dumpbuf) as --capitalize.
xxd_opts() {
    out=
    for w in "$@"; do
        case $w in
        --len|--length) w=-l ;;
        --capitalize) w=-C ;;
        --name) w=-n ;;
        esac
        out="$out $w"
    done
    echo "$out"
}

# json_strict DESC FILE [lines]: FILE is strict JSON (one value, or with
# "lines" one per line), as tests/python/strictjson.py checks it: strict
# UTF-8, no lone surrogate escape, no NaN or Infinity.
json_strict() {
    checks=$((checks + 1))
    if ! "${PYTHON:-python3}" "$srcdir/tests/python/strictjson.py" "$2" \
        "${3:-}"; then
        fail "$1: not strict JSON"
    fi
}

# find_python [MODULE]: sets py to the first of /usr/bin/python3 and
# python3 that runs (and imports MODULE); returns 1, with py empty, if none
# does.
find_python() {
    py=
    for p in /usr/bin/python3 python3; do
        if "$p" -c "import ${1:-sys}" > /dev/null 2>&1; then
            py=$p
            return 0
        fi
    done
    return 1
}

# mk_typed NAME DTYPE SHAPE BYTES [mktestbuf options]: $tmp/NAME.mmbuf of
# that dtype and shape (none if empty) holding the printf-escaped BYTES.
mk_typed() {
    name=$1 dtype=$2 shape=$3 data=$4
    shift 4
    # shellcheck disable=SC2059
    printf "$data" | "$MKTESTBUF" --dtype "$dtype" ${shape:+--shape "$shape"} \
        "$@" "$tmp/$name.mmbuf" || fail "mktestbuf $name"
}

# expect_typed NAME [OPTIONS...] <<expected: "dumpbuf -t OPTIONS
# $tmp/NAME.mmbuf" exits 0 and prints the expected text.
expect_typed() {
    name=$1
    shift
    expect 0 dumpbuf -t "$@" "$tmp/$name.mmbuf"
    mv "$tmp/out" "$tmp/got"
    cat > "$tmp/exp"
    same "dumpbuf -t $* $name" "$tmp/got" "$tmp/exp"
}

finish() {
    echo "$checks checks, $failures failures"
    [ "$failures" -eq 0 ] || exit 1
    exit 0
}
