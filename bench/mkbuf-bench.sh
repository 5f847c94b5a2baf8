#!/bin/sh
# mkbuf-bench.sh - how long mkbuf takes to create a buffer, against
# fallocate(1) for a preallocated one, and for sparse buffers of growing
# size.  Run from the top build directory ("make bench-mkbuf").
#
#   mkbuf-bench.sh [--size SIZE] [--rounds N] [--dir DIR]
#
# Each round (the rounds are interleaved: each runs every command once)
# removes the files, then times: fallocate -l SIZE, mkbuf -s SIZE (which
# also writes, syncs and renames the header and syncs the directory), and
# mkbuf --sparse at 1M, SIZE and 1T.  The median of the rounds is
# reported, with the issue's targets: preallocated mkbuf at most 1.5x
# fallocate, and sparse creation that does not grow with the size (1T
# within 2x of 1M).  A measurement: the exit status is 0 unless a command
# fails.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

size=1G rounds=7 dir=${MMBUF_BENCH_DIR:-.}
# Each round creates the files afresh.
bench_before_round() {
    rm -f "$work"/*.buf "$work/f"
    sync
}

bench_parse_options "$@"
bench_need fallocate
mkbuf=$(bench_tool mkbuf)

bench_make_workdir mkbuf

echo "mkbuf benchmark: $size, $rounds rounds, files in $dir ($(df -PT "$dir" | awk 'NR == 2 { print $2 }'))"
cat > "$work/cmds" <<CMDS
fallocate|fallocate -l $size $work/f
mkbuf|$mkbuf -q -s $size $work/m.buf
mkbuf --sparse 1M|$mkbuf -q --sparse -s 1M $work/s1.buf
mkbuf --sparse $size|$mkbuf -q --sparse -s $size $work/s2.buf
mkbuf --sparse 1T|$mkbuf -q --sparse -s 1T $work/s3.buf
CMDS

bench_run_rounds

bench_report '
function target(what, ratio, want) {
    printf "  %-36s %6.2fx  (target <= %gx: %s)\n", what, ratio, want, (ratio <= want ? "met" : "MISSED")
}
END {
    printf "%-24s %12s\n", "command", "median ms"
    split("fallocate|mkbuf|mkbuf --sparse 1M|mkbuf --sparse " size "|mkbuf --sparse 1T", order, "|")
    for (i = 1; i <= 5; i++) { m[order[i]] = median(order[i]); printf "%-24s %12.2f\n", order[i], m[order[i]] / 1000 }
    print ""
    target("mkbuf -s " size " vs fallocate -l " size, m["mkbuf"] / m["fallocate"], 1.5)
    target("mkbuf --sparse 1T vs 1M", m["mkbuf --sparse 1T"] / m["mkbuf --sparse 1M"], 2)
}' -v size="$size"
