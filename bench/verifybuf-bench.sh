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

set -u
size=1G rounds=7 dir=${MMBUF_BENCH_DIR:-.}
while [ $# -gt 0 ]; do
    case $1 in
    --size) size=$2; shift ;;
    --rounds) rounds=$2; shift ;;
    --dir) dir=$2; shift ;;
    *) echo "usage: $0 [--size SIZE] [--rounds N] [--dir DIR]" >&2
       exit 2 ;;
    esac
    shift
done
bytes=$(numfmt --from=iec "$size") || exit 2
command -v xxhsum > /dev/null 2>&1 ||
    { echo "bench: xxhsum is needed (Debian package xxhash)" >&2; exit 2; }

# The program itself, not its libtool wrapper script (as the tests do).
verifybuf=./tools/verifybuf
if [ -x tools/.libs/verifybuf ] && [ -d lib/.libs ]; then
    verifybuf=./tools/.libs/verifybuf
    LD_LIBRARY_PATH=$PWD/lib/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
    export LD_LIBRARY_PATH
fi
mktestbuf=./tests/tools/mktestbuf

work=$(mktemp -d "$dir/verifybuf-bench.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
trap 'exit 1' HUP INT TERM

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

: > "$work/times"
r=1
while [ $r -le "$rounds" ]; do
    while IFS='|' read -r name cmd; do
        t0=$(date +%s%N)
        # shellcheck disable=SC2086
        $cmd > /dev/null || { echo "bench: '$cmd' failed" >&2; exit 1; }
        t1=$(date +%s%N)
        echo "$name|$(( (t1 - t0) / 1000 ))" >> "$work/times"
    done < "$work/cmds"
    r=$((r + 1))
done

awk -F'|' -v bytes="$bytes" '
{ t[$1] = t[$1] " " $2; n[$1]++ }
function median(name,   a, k, i, j, x) {
    k = split(t[name], a, " ")
    for (i = 2; i <= k; i++) { x = a[i]; for (j = i - 1; j >= 1 && (a[j] + 0) > (x + 0); j--) a[j + 1] = a[j]; a[j + 1] = x }
    return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
}
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
}' "$work/times"
