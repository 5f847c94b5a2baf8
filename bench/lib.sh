# lib.sh - shared by the tool benchmarks (bench/*-bench.sh); sourced, not
# run.
#
# The benchmarks run from the top build directory ("make bench-dumpbuf"),
# so the programs are found at their build paths.  A benchmark:
#
#   sets its defaults (size, rounds, dir), overrides the hooks it needs
#       (bench_option, bench_before_round, bench_after_round), then calls
#   bench_parse_options "$@"   --size, --rounds, --dir and its own options
#   bench_size_in_bytes        $size in bytes, in $bytes
#   bench_need PROG [WHERE]    exits 2 if PROG is not installed
#   bench_tool NAME            the program itself, not its libtool wrapper
#   bench_make_workdir NAME    a private directory in $dir, removed on exit
#   writes "name|command" lines to $work/cmds
#   bench_run_rounds           interleaved rounds, times in $work/times
#   bench_report PROGRAM       an awk END over the times, with median(NAME)

set -u

# Hooks, overridden by a benchmark that needs them.
#
# bench_option OPTION: takes a benchmark's own option (a flag, without an
# argument) and returns 0, or returns 1 for an unknown one.
bench_option() { return 1; }
# bench_before_round ROUND, bench_after_round ROUND: run around each round.
bench_before_round() { :; }
bench_after_round() { :; }

# Usage text after "[--size SIZE] [--rounds N] [--dir DIR]", such as
# " [--no-slow]".
bench_usage_extra=

bench_usage() {
    echo "usage: $0 [--size SIZE] [--rounds N] [--dir DIR]$bench_usage_extra" >&2
    exit 2
}

# bench_parse_options ARG...: sets size, rounds and dir from --size SIZE,
# --rounds N and --dir DIR; gives any other argument to bench_option, and
# prints the usage and exits 2 if it is not taken.
bench_parse_options() {
    while [ $# -gt 0 ]; do
        case $1 in
        --size) size=$2; shift ;;
        --rounds) rounds=$2; shift ;;
        --dir) dir=$2; shift ;;
        *) bench_option "$1" || bench_usage ;;
        esac
        shift
    done
}

# bench_size_in_bytes: sets bytes to $size (with K, M, G... suffixes) in
# bytes; exits 2 if it is not a size.
bench_size_in_bytes() {
    # shellcheck disable=SC2034 # used by the benchmark
    bytes=$(numfmt --from=iec "$size") || exit 2
}

# bench_need PROG [WHERE]: exits 2 unless PROG is installed; WHERE says
# where to get it.
bench_need() {
    command -v "$1" > /dev/null 2>&1 ||
        { echo "bench: $1 is needed${2:+ ($2)}" >&2; exit 2; }
}

# The programs themselves, not their libtool wrapper scripts (as the tests
# do), so that the timings do not include the wrapper's shell: bench_tool
# gives their paths, and they need the library path the wrapper would set.
if [ -d lib/.libs ]; then
    LD_LIBRARY_PATH=$PWD/lib/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
    export LD_LIBRARY_PATH
fi

# bench_tool NAME: prints the path of the program tools/NAME.
bench_tool() {
    if [ -x "tools/.libs/$1" ] && [ -d lib/.libs ]; then
        echo "./tools/.libs/$1"
    else
        echo "./tools/$1"
    fi
}

# bench_make_workdir NAME: sets work to a new directory NAME-bench.XXXXXX
# in $dir, removed when the benchmark exits; exits 2 if it cannot be made.
bench_make_workdir() {
    work=$(mktemp -d "$dir/$1-bench.XXXXXX") || exit 2
    trap 'rm -rf "$work"' EXIT
    trap 'exit 1' HUP INT TERM
}

# bench_run_rounds: runs the "name|command" lines of $work/cmds $rounds
# times, interleaved (each round runs every command once, so a change of
# machine load touches all of them alike), and appends "name|microseconds"
# to $work/times.  The commands' output goes to /dev/null; a command that
# fails ends the benchmark with status 1.
bench_run_rounds() {
    : > "$work/times"
    r=1
    while [ $r -le "$rounds" ]; do
        bench_before_round $r
        while IFS='|' read -r name cmd; do
            t0=$(date +%s%N)
            # shellcheck disable=SC2086
            $cmd > /dev/null || { echo "bench: '$cmd' failed" >&2; exit 1; }
            t1=$(date +%s%N)
            echo "$name|$(( (t1 - t0) / 1000 ))" >> "$work/times"
        done < "$work/cmds"
        bench_after_round $r
        r=$((r + 1))
    done
}

# bench_report PROGRAM [AWK-ARG...]: runs the awk PROGRAM (its END rule
# prints the results) over $work/times, with the AWK-ARGs (-v VAR=VALUE)
# and a function median(NAME) giving NAME's median time in microseconds.
bench_report() {
    bench_awk=$1
    shift
    awk -F'|' "$@" '
{ t[$1] = t[$1] " " $2; n[$1]++ }
function median(name,   a, k, i, j, x) {
    k = split(t[name], a, " ")
    for (i = 2; i <= k; i++) { x = a[i]; for (j = i - 1; j >= 1 && (a[j] + 0) > (x + 0); j--) a[j + 1] = a[j]; a[j + 1] = x }
    return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
}
'"$bench_awk" "$work/times"
}
