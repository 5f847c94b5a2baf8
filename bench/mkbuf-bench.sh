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

set -u
size=1G rounds=7 dir=${MMBUF_BENCH_DIR:-.}
while [ $# -gt 0 ]; do
    case $1 in
    --size) size=$2; shift ;;
    --rounds) rounds=$2; shift ;;
    --dir) dir=$2; shift ;;
    *) echo "usage: $0 [--size SIZE] [--rounds N] [--dir DIR]" >&2; exit 2 ;;
    esac
    shift
done
command -v fallocate > /dev/null 2>&1 || { echo "bench: fallocate is needed" >&2; exit 2; }

# The program itself, not its libtool wrapper script (as the tests do).
mkbuf=./tools/mkbuf
if [ -x tools/.libs/mkbuf ] && [ -d lib/.libs ]; then
    mkbuf=./tools/.libs/mkbuf
    LD_LIBRARY_PATH=$PWD/lib/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
    export LD_LIBRARY_PATH
fi

work=$(mktemp -d "$dir/mkbuf-bench.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
trap 'exit 1' HUP INT TERM

echo "mkbuf benchmark: $size, $rounds rounds, files in $dir ($(df -PT "$dir" | awk 'NR == 2 { print $2 }'))"
cat > "$work/cmds" <<CMDS
fallocate|fallocate -l $size $work/f
mkbuf|$mkbuf -q -s $size $work/m.buf
mkbuf --sparse 1M|$mkbuf -q --sparse -s 1M $work/s1.buf
mkbuf --sparse $size|$mkbuf -q --sparse -s $size $work/s2.buf
mkbuf --sparse 1T|$mkbuf -q --sparse -s 1T $work/s3.buf
CMDS

: > "$work/times"
r=1
while [ $r -le "$rounds" ]; do
    rm -f "$work"/*.buf "$work/f"
    sync
    while IFS='|' read -r name cmd; do
        t0=$(date +%s%N)
        # shellcheck disable=SC2086
        $cmd || { echo "bench: '$cmd' failed" >&2; exit 1; }
        t1=$(date +%s%N)
        echo "$name|$(( (t1 - t0) / 1000 ))" >> "$work/times"
    done < "$work/cmds"
    r=$((r + 1))
done

awk -F'|' -v size="$size" '
{ t[$1] = t[$1] " " $2; n[$1]++ }
function median(name,   a, k, i, j, x) {
    k = split(t[name], a, " ")
    for (i = 2; i <= k; i++) { x = a[i]; for (j = i - 1; j >= 1 && (a[j] + 0) > (x + 0); j--) a[j + 1] = a[j]; a[j + 1] = x }
    return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
}
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
}' "$work/times"
