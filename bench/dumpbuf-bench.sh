#!/bin/sh
# dumpbuf-bench.sh - dumpbuf's throughput against xxd, hexdump -C and
# basenc --base16 -w0.  Run from the top build directory ("make
# bench-dumpbuf").
#
#   dumpbuf-bench.sh [--size SIZE] [--rounds N] [--dir DIR] [--no-slow]
#
# SIZE (default 256M) bytes of random data in a buffer file, and the same
# size of mostly-zero data; the files are read once first so the runs find
# them in the page cache.  Every command writes to /dev/null; the rounds
# are interleaved (each round runs every command once) and the median of
# the rounds is reported.  --no-slow leaves out hexdump -C on random data
# (about 45 s a run at 256 MiB).  The targets of the issue are checked and
# reported, but this is a measurement: the exit status is 0 unless a
# command fails.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

size=256M rounds=5 dir=${MMBUF_BENCH_DIR:-.} slow=1
bench_usage_extra=' [--no-slow]'
bench_option() {
    case $1 in
    --no-slow) slow=0 ;;
    *) return 1 ;;
    esac
}
bench_after_round() { echo "round $1 of $rounds done"; }

bench_parse_options "$@"
bench_size_in_bytes
for prog in xxd hexdump basenc; do
    bench_need $prog
done
dumpbuf=$(bench_tool dumpbuf)
mktestbuf=./tests/tools/mktestbuf

bench_make_workdir dumpbuf

echo "dumpbuf benchmark: $size ($bytes bytes), $rounds rounds, files in $dir"
"$mktestbuf" --random "1:$bytes" "$work/random.mmbuf" || exit 1
"$dumpbuf" --raw "$work/random.mmbuf" > "$work/random.raw" || exit 1
# Mostly zero: one byte in the middle of a sparse buffer.
printf x | "$mktestbuf" --sparse --capacity "$bytes" --length "$bytes" \
    --at $((bytes / 2)) "$work/zero.mmbuf" || exit 1
"$dumpbuf" --raw "$work/zero.mmbuf" > "$work/zero.raw" || exit 1
cat "$work"/* > /dev/null

# name|command
cat > "$work/cmds" <<CMDS
dumpbuf|$dumpbuf $work/random.mmbuf
xxd|xxd $work/random.raw
dumpbuf -C|$dumpbuf -C $work/random.mmbuf
basenc|basenc --base16 -w0 $work/random.raw
dumpbuf -a (zero)|$dumpbuf -a $work/zero.mmbuf
xxd -a (zero)|xxd -a $work/zero.raw
dumpbuf -C (zero)|$dumpbuf -C $work/zero.mmbuf
hexdump -C (zero)|hexdump -C $work/zero.raw
CMDS
if [ $slow -eq 1 ]; then
    echo "hexdump -C|hexdump -C $work/random.raw" >> "$work/cmds"
fi

bench_run_rounds

# Medians, throughputs, ratios and the targets.
bench_report '
function mbs(us) { return bytes / us }
function target(what, ratio, want) {
    printf "  %-40s %8.1fx  (target >= %gx: %s)\n", what, ratio, want, (ratio >= want ? "met" : "MISSED")
}
END {
    print ""
    printf "%-20s %12s %12s\n", "command", "median s", "MB/s"
    for (name in n) m[name] = median(name)
    split("dumpbuf|xxd|dumpbuf -C|hexdump -C|basenc|dumpbuf -a (zero)|xxd -a (zero)|dumpbuf -C (zero)|hexdump -C (zero)", order, "|")
    for (i = 1; i <= 9; i++) if (order[i] in m)
        printf "%-20s %12.3f %12.1f\n", order[i], m[order[i]] / 1e6, mbs(m[order[i]])
    print ""
    print "ratios (throughput of dumpbuf / the other):"
    target("dumpbuf vs xxd", m["xxd"] / m["dumpbuf"], 10)
    if ("hexdump -C" in m) target("dumpbuf -C vs hexdump -C", m["hexdump -C"] / m["dumpbuf -C"], 50)
    target("dumpbuf vs basenc --base16 -w0", m["basenc"] / m["dumpbuf"], 0.5)
    target("dumpbuf -C vs basenc --base16 -w0", m["basenc"] / m["dumpbuf -C"], 0.5)
    printf "  %-40s %8.1fx\n", "dumpbuf -a vs xxd -a (mostly zero)", m["xxd -a (zero)"] / m["dumpbuf -a (zero)"]
    printf "  %-40s %8.1fx\n", "dumpbuf -C vs hexdump -C (mostly zero)", m["hexdump -C (zero)"] / m["dumpbuf -C (zero)"]
}' -v bytes="$bytes"

# Memory: the resident size does not grow with the file.
if [ -x /usr/bin/time ]; then
    for opts in "" "-C" "-a"; do
        # shellcheck disable=SC2086
        kb=$( { /usr/bin/time -f %M "$dumpbuf" $opts "$work/random.mmbuf" > /dev/null; } 2>&1 )
        echo "max resident size of dumpbuf $opts: $kb KiB (data: $((bytes / 1024)) KiB)"
    done
fi
