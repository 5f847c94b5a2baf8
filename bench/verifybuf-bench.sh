#!/bin/sh
# verifybuf-bench.sh - verify and seal against xxhsum -H3 (XXH3-64) on the
# same sealed buffer file, in the page cache.  Run from the top build
# directory ("make bench-verifybuf").
#
#   verifybuf-bench.sh [--size SIZE] [--rounds N] [--dir DIR]
#
# SIZE (default 1G) bytes of random data in a buffer file sealed by
# verifybuf --seal (1 MiB blocks); the file is read once first so the runs
# find it in the page cache.  Each round runs, once each:
#
#   xxhsum -H3       the peer: one XXH3-64 of the whole file
#   verifybuf        verifybuf -q FILE: the data hashed in place, from the
#                    mapping, on every CPU (MMBUF_CHECKSUM_MAPPED)
#   verify (pread)   mmbuf_verify_path() without the flag: copied with
#                    pread(2) in 64 KiB chunks, on every CPU
#   seal             open for writing, mmbuf_seal() in place, close
#                    (bench/bench_checksum): the whole-data XXH3-64 and the
#                    block table, each byte read from memory once, plus
#                    the data's msync (clean here) and three durable
#                    header commits
#   seal (pread)     the same without the flag
#
# The rounds are interleaved (each round runs every command once, so a
# change of machine load touches all of them alike) and the median of the
# rounds is reported, with the throughput of each against xxhsum -H3's.
# The targets of the issue are checked on the medians: verifybuf at least
# 1.6x the throughput of xxhsum -H3, a seal at most 1.2x its time.  This
# is a measurement: the exit status is 0 unless a command fails.  The
# figures mean little on a loaded machine: say so when quoting them.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

size=1G rounds=7 dir=${MMBUF_BENCH_DIR:-.}
bench_parse_options "$@"
bench_size_in_bytes
bench_need xxhsum 'Debian package xxhash'
verifybuf=$(bench_tool verifybuf)
mktestbuf=./tests/tools/mktestbuf
checksum=./bench/bench_checksum
[ -x bench/.libs/bench_checksum ] && [ -d lib/.libs ] &&
    checksum=./bench/.libs/bench_checksum

bench_make_workdir verifybuf

cpus=$(nproc 2>/dev/null || echo '?')
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
echo "verifybuf benchmark: $size ($bytes bytes), $rounds rounds, $cpus CPUs, load average $load, file in $dir"
"$mktestbuf" --random "1:$bytes" "$work/buf.mmbuf" || exit 1
"$verifybuf" -q --seal "$work/buf.mmbuf" || exit 1
cat "$work/buf.mmbuf" > /dev/null

# name|command
cat > "$work/cmds" <<CMDS
xxhsum -H3|xxhsum -q -H3 $work/buf.mmbuf
verifybuf|$verifybuf -q $work/buf.mmbuf
verify (pread)|$checksum verify pread $work/buf.mmbuf
seal|$checksum seal mapped $work/buf.mmbuf
seal (pread)|$checksum seal pread $work/buf.mmbuf
CMDS

bench_run_rounds

bench_report '
END {
    nc = split("xxhsum -H3|verifybuf|verify (pread)|seal|seal (pread)", order, "|")
    for (i = 1; i <= nc; i++)
        m[order[i]] = median(order[i])
    printf "%-16s %10s %10s %18s\n", "command", "median s", "MB/s", "vs xxhsum -H3"
    for (i = 1; i <= nc; i++)
        printf "%-16s %10.3f %10.1f %17.2fx\n", order[i], m[order[i]] / 1e6,
            bytes / m[order[i]], m["xxhsum -H3"] / m[order[i]]
    v = m["xxhsum -H3"] / m["verifybuf"]
    s = m["seal"] / m["xxhsum -H3"]
    printf "verifybuf: %.2fx the throughput of xxhsum -H3 (target >= 1.6x: %s)\n",
        v, (v >= 1.6 ? "met" : "MISSED")
    printf "seal: %.2fx the time of xxhsum -H3 (target <= 1.2x: %s)\n",
        s, (s <= 1.2 ? "met" : "MISSED")
}' -v bytes="$bytes"
