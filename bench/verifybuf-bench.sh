#!/bin/sh
# verifybuf-bench.sh - verifybuf's throughput against xxhsum -H3 (XXH3-64)
# on the same sealed buffer file, in the page cache.  Run from the top build
# directory ("make bench-verifybuf").
#
#   verifybuf-bench.sh [--size SIZE] [--rounds N] [--dir DIR]
#
# SIZE (default 1G) bytes of random data in a buffer file sealed by
# verifybuf --seal (1 MiB blocks); the file is read once first so the runs
# find it in the page cache.  The rounds are interleaved (each round runs
# both commands once) and the median of the rounds is reported, with the
# ratio of the throughputs.  The target of the issue (at least 1.0x
# xxhsum -H3) is checked and reported, but this is a measurement: the exit
# status is 0 unless a command fails.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

size=1G rounds=7 dir=${MMBUF_BENCH_DIR:-.}
bench_parse_options "$@"
bench_size_in_bytes
bench_need xxhsum 'Debian package xxhash'
verifybuf=$(bench_tool verifybuf)
mktestbuf=./tests/tools/mktestbuf

bench_make_workdir verifybuf

cpus=$(nproc 2>/dev/null || echo '?')
echo "verifybuf benchmark: $size ($bytes bytes), $rounds rounds, $cpus CPUs, file in $dir"
"$mktestbuf" --random "1:$bytes" "$work/buf.mmbuf" || exit 1
"$verifybuf" -q --seal "$work/buf.mmbuf" || exit 1
cat "$work/buf.mmbuf" > /dev/null

# name|command
cat > "$work/cmds" <<CMDS
verifybuf|$verifybuf -q $work/buf.mmbuf
xxhsum -H3|xxhsum -q -H3 $work/buf.mmbuf
CMDS

bench_run_rounds

bench_report '
END {
    printf "%-12s %12s %12s\n", "command", "median s", "MB/s"
    split("verifybuf|xxhsum -H3", order, "|")
    for (i = 1; i <= 2; i++) {
        m[order[i]] = median(order[i])
        printf "%-12s %12.3f %12.1f\n", order[i], m[order[i]] / 1e6, bytes / m[order[i]]
    }
    ratio = m["xxhsum -H3"] / m["verifybuf"]
    printf "ratio (throughput of verifybuf / xxhsum -H3): %.2fx (target >= 1.0x: %s)\n",
        ratio, (ratio >= 1.0 ? "met" : "MISSED")
}' -v bytes="$bytes"
