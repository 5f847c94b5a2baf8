#!/bin/sh
# dumpbuf-bench.sh - dumpbuf's throughput against xxd, hexdump -C and
# basenc --base16 -w0, and of its typed output (-t) against od -t f8, od
# -t d8 and numpy.savetxt.  Run from the top build directory ("make
# bench-dumpbuf").
#
#   dumpbuf-bench.sh [--size SIZE] [--rounds N] [--dir DIR] [--no-slow]
#                    [--no-typed | --typed-only] [--typed-rows=N]
#
# SIZE (default 256M) bytes of random data in a buffer file, and the same
# size of mostly-zero data; the files are read once first so the runs find
# them in the page cache.  Every command writes to /dev/null; the rounds
# are interleaved (each round runs every command once) and the median of
# the rounds is reported.  --no-slow leaves out hexdump -C on random data
# (about 45 s a run at 256 MiB).  The targets of the issue are checked and
# reported, but this is a measurement: the exit status is 0 unless a
# command fails.
#
# The typed pairs read an N x 3 buffer (--typed-rows=N, default 2,000,000:
# 48 MB) of random bits as <f8 and as <i8: dumpbuf -t against od -A d -t
# f8 and od -A d -t d8 on the same bytes, and dumpbuf -t --csv against
# numpy.savetxt(..., delimiter=',') with its default format (of a .npy of
# the same data, NumPy's start included) where /usr/bin/python3 or python3
# has NumPy.  --no-typed leaves them out, --typed-only runs only them.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

size=256M rounds=5 dir=${MMBUF_BENCH_DIR:-.} slow=1 hex=1 typed=1
typed_rows=2000000
bench_usage_extra=' [--no-slow] [--no-typed | --typed-only] [--typed-rows=N]'
bench_option() {
    case $1 in
    --no-slow) slow=0 ;;
    --no-typed) typed=0 ;;
    --typed-only) hex=0 ;;
    --typed-rows=*) typed_rows=${1#--typed-rows=} ;;
    *) return 1 ;;
    esac
}
bench_after_round() { echo "round $1 of $rounds done"; }

bench_parse_options "$@"
bench_size_in_bytes
if [ $hex -eq 1 ]; then
    for prog in xxd hexdump basenc; do
        bench_need $prog
    done
fi
if [ $typed -eq 1 ]; then
    bench_need od
fi
if [ $hex -eq 0 ] && [ $typed -eq 0 ]; then
    echo "bench: --no-typed and --typed-only leave nothing to run" >&2
    exit 2
fi
dumpbuf=$(bench_tool dumpbuf)
mktestbuf=./tests/tools/mktestbuf

bench_make_workdir dumpbuf

: > "$work/cmds"
if [ $hex -eq 1 ]; then
    echo "dumpbuf benchmark: $size ($bytes bytes), $rounds rounds, files in $dir"
    "$mktestbuf" --random "1:$bytes" "$work/random.mmbuf" || exit 1
    "$dumpbuf" --raw "$work/random.mmbuf" > "$work/random.raw" || exit 1
    # Mostly zero: one byte in the middle of a sparse buffer.
    printf x | "$mktestbuf" --sparse --capacity "$bytes" --length "$bytes" \
        --at $((bytes / 2)) "$work/zero.mmbuf" || exit 1
    "$dumpbuf" --raw "$work/zero.mmbuf" > "$work/zero.raw" || exit 1

    # name|command
    cat >> "$work/cmds" <<CMDS
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
fi
numpy=
if [ $typed -eq 1 ]; then
    tbytes=$((typed_rows * 24))
    echo "typed benchmark: $typed_rows x 3 elements of 8 bytes ($tbytes bytes), $rounds rounds"
    "$mktestbuf" --random "2:$tbytes" --dtype '<f8' --shape "$typed_rows,3" \
        "$work/f8.mmbuf" || exit 1
    "$mktestbuf" --random "2:$tbytes" --dtype '<i8' --shape "$typed_rows,3" \
        "$work/i8.mmbuf" || exit 1
    "$dumpbuf" --raw "$work/f8.mmbuf" > "$work/f8.raw" || exit 1
    cat >> "$work/cmds" <<CMDS
dumpbuf -t <f8|$dumpbuf -t $work/f8.mmbuf
od -t f8|od -A d -t f8 $work/f8.raw
dumpbuf -t <i8|$dumpbuf -t $work/i8.mmbuf
od -t d8|od -A d -t d8 $work/f8.raw
CMDS
    for p in /usr/bin/python3 python3; do
        if "$p" -c 'import numpy' > /dev/null 2>&1; then
            numpy=$p
            break
        fi
    done
    if [ -n "$numpy" ]; then
        "$dumpbuf" --npy "$work/f8.mmbuf" > "$work/f8.npy" || exit 1
        cat > "$work/savetxt.py" <<'PY'
import sys
import numpy as np
np.savetxt(sys.argv[2], np.load(sys.argv[1]), delimiter=',')
PY
        cat >> "$work/cmds" <<CMDS
dumpbuf -t --csv|$dumpbuf -t --csv $work/f8.mmbuf
numpy.savetxt|$numpy $work/savetxt.py $work/f8.npy /dev/null
CMDS
    else
        echo "no python3 with NumPy: dumpbuf -t --csv is not compared"
    fi
fi
cat "$work"/* > /dev/null

bench_run_rounds

# Medians, throughputs, ratios and the targets.
bench_report '
function mbs(name) { return (name ~ /^(dumpbuf -t|od|numpy)/ ? tbytes : bytes) / m[name] }
function target(what, ratio, want) {
    printf "  %-40s %8.1fx  (target >= %gx: %s)\n", what, ratio, want, (ratio >= want ? "met" : "MISSED")
}
END {
    print ""
    printf "%-20s %12s %12s\n", "command", "median s", "MB/s"
    for (name in n) m[name] = median(name)
    k = split("dumpbuf|xxd|dumpbuf -C|hexdump -C|basenc|dumpbuf -a (zero)|xxd -a (zero)|dumpbuf -C (zero)|hexdump -C (zero)|dumpbuf -t <f8|od -t f8|dumpbuf -t <i8|od -t d8|dumpbuf -t --csv|numpy.savetxt", order, "|")
    for (i = 1; i <= k; i++) if (order[i] in m)
        printf "%-20s %12.3f %12.1f\n", order[i], m[order[i]] / 1e6, mbs(order[i])
    print ""
    print "ratios (throughput of dumpbuf / the other):"
    if ("xxd" in m) {
        target("dumpbuf vs xxd", m["xxd"] / m["dumpbuf"], 10)
        if ("hexdump -C" in m) target("dumpbuf -C vs hexdump -C", m["hexdump -C"] / m["dumpbuf -C"], 50)
        target("dumpbuf vs basenc --base16 -w0", m["basenc"] / m["dumpbuf"], 0.5)
        target("dumpbuf -C vs basenc --base16 -w0", m["basenc"] / m["dumpbuf -C"], 0.5)
        printf "  %-40s %8.1fx\n", "dumpbuf -a vs xxd -a (mostly zero)", m["xxd -a (zero)"] / m["dumpbuf -a (zero)"]
        printf "  %-40s %8.1fx\n", "dumpbuf -C vs hexdump -C (mostly zero)", m["hexdump -C (zero)"] / m["dumpbuf -C (zero)"]
    }
    if ("od -t f8" in m) {
        target("dumpbuf -t vs od -A d -t f8 (<f8)", m["od -t f8"] / m["dumpbuf -t <f8"], 10)
        target("dumpbuf -t vs od -A d -t d8 (<i8)", m["od -t d8"] / m["dumpbuf -t <i8"], 2)
        if ("numpy.savetxt" in m)
            printf "  %-40s %8.1fx\n", "dumpbuf -t --csv vs numpy.savetxt (<f8)", m["numpy.savetxt"] / m["dumpbuf -t --csv"]
    }
}' -v bytes="$bytes" -v tbytes="${tbytes:-1}"

# Memory: the resident size does not grow with the file.
if [ -x /usr/bin/time ] && [ $hex -eq 1 ]; then
    for opts in "" "-C" "-a"; do
        # shellcheck disable=SC2086
        kb=$( { /usr/bin/time -f %M "$dumpbuf" $opts "$work/random.mmbuf" > /dev/null; } 2>&1 )
        echo "max resident size of dumpbuf $opts: $kb KiB (data: $((bytes / 1024)) KiB)"
    done
fi
