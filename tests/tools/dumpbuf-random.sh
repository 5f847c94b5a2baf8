#!/bin/sh
# Random data of random lengths with random option combinations, against
# the real xxd and hexdump -C.  Reproducible: the seed is printed and can be
# set with DUMPBUF_TEST_SEED; DUMPBUF_TEST_CASES sets the number of cases
# (240 in make check, 2,400 in make check-long).

. "${srcdir:-.}/tests/tools/lib.sh"
need xxd
need hexdump

seed=${DUMPBUF_TEST_SEED:-20261125}
if [ "${MMBUF_LONG:-0}" = 1 ]; then
    cases=${DUMPBUF_TEST_CASES:-2400}
else
    cases=${DUMPBUF_TEST_CASES:-240}
fi
echo "seed $seed, $cases cases"

# One line per case: "LEN KIND TOOL OPTIONS...", drawn with awk's PRNG;
# each data set serves four cases.
awk -v seed="$seed" -v cases="$cases" '
function pick(n) { return int(rand() * n) }
BEGIN {
    srand(seed)
    split("bytes zeros text", kinds, " ")
    for (c = 0; c < cases; c++) {
        if (c % 4 == 0) {
            r = pick(10)
            len = r < 3 ? pick(40) : r < 8 ? pick(600) : pick(5000)
            kind = kinds[1 + pick(3)]
        }
        opts = ""
        if (pick(4) == 0) {
            tool = "hexdump"
            if (pick(3) == 0) opts = opts " -v"
            if (pick(2) == 0) opts = opts " -s " pick(len + 40)
            if (pick(2) == 0) opts = opts " -n " pick(len + 40)
        } else {
            tool = "xxd"
            t = pick(8)
            if (t == 0) opts = opts " -e"
            else if (t == 1) opts = opts " -b"
            else if (t == 2) opts = opts " -p"
            else if (t == 3) opts = opts " -i"
            if (pick(2) == 0) opts = opts " -c " (pick(5) == 0 ? 256 : 1 + pick(40))
            if (pick(3) == 0) opts = opts " -g " pick(10)
            if (t == 0 && opts ~ /-g [3567]$/) opts = opts "0"
            if (t == 0) sub(/-g [3567]$/, "-g 4", opts)
            if (pick(4) == 0) opts = opts " -u"
            if (pick(3) == 0) opts = opts " -a"
            if (pick(6) == 0) opts = opts " -d"
            if (pick(6) == 0) opts = opts " -o " (pick(2) ? "" : "-") pick(100000)
            if (pick(3) == 0) opts = opts " -s " (pick(3) ? "" : "-") pick(len + 1)
            if (pick(3) == 0) opts = opts " -l " pick(len + 20)
            if (t == 3 && pick(3) == 0) opts = opts " -n v" pick(100)
        }
        print len, kind, tool opts
    }
}' > "$tmp/cases"

# usage_status STATUS: the status dumpbuf gives where xxd or hexdump gives
# STATUS: the same, but 64 (EX_USAGE) for their usage error, 1.
usage_status() {
    if [ "$1" -eq 1 ]; then echo 64; else echo "$1"; fi
}

i=0
while read -r len kind tool opts; do
    i=$((i + 1))
    buf=$tmp/case.mmbuf raw=$tmp/case.raw
    if [ $((i % 4)) -eq 1 ]; then
        rm -f "$buf"
        "$MKTESTBUF" --random "$((seed + i)):$len:$kind" --label "case-$i" "$buf" ||
            fail "mktestbuf case $i"
        "$DUMPBUF" --raw "$buf" > "$raw" || fail "--raw case $i"
        label=case-$i
    fi
    if [ "$tool" = hexdump ]; then
        # shellcheck disable=SC2086
        hexdump -C $opts "$raw" > "$tmp/exp" 2>/dev/null
        # shellcheck disable=SC2086
        expect "$(usage_status $?)" dumpbuf -C $opts "$buf"
        same "case $i: dumpbuf -C$opts ($len bytes, $kind) = hexdump -C$opts" \
            "$tmp/out" "$tmp/exp"
    else
        # shellcheck disable=SC2086
        xo=$(xxd_opts $opts)
        case " $opts " in *" -n "*) ;; *" -i "*) xo="$xo -n $label" ;; esac
        # shellcheck disable=SC2086
        xxd $xo "$raw" > "$tmp/exp" 2>/dev/null
        # shellcheck disable=SC2086
        expect "$(usage_status $?)" dumpbuf $opts "$buf"
        same "case $i: dumpbuf$opts ($len bytes, $kind) = xxd$xo" \
            "$tmp/out" "$tmp/exp"
    fi
done < "$tmp/cases"

finish
