#!/bin/sh
# dumpbuf's default layout against the real xxd: for each edge case of
# the data and each xxd option, "dumpbuf OPTS BUF" must equal both
# "dumpbuf --raw BUF | xxd OPTS" and xxd OPTS run on the raw data file,
# and "dumpbuf -F OPTS RAW" must equal "xxd OPTS RAW".

. "${srcdir:-.}/tests/tools/lib.sh"
need xxd

label=test-buf.1

# mk NAME: a buffer NAME.mmbuf labelled $label from stdin, and NAME.raw.
mk() {
    "$MKTESTBUF" --label "$label" "$tmp/$1.mmbuf" || fail "mktestbuf $1"
    "$DUMPBUF" --raw "$tmp/$1.mmbuf" > "$tmp/$1.raw" || fail "--raw $1"
}

zero16() { head -c 16 /dev/zero; }
line16() { printf '0123456789abcdef'; }
allbytes() {
    i=0
    while [ $i -lt 256 ]; do
        # shellcheck disable=SC2059
        printf "\\$(printf %03o $i)"
        i=$((i + 1))
    done
}

: | mk empty
printf A | mk one
for n in 15 16 17 31 32 33 100; do
    head -c $n /dev/urandom | mk "r$n"
done
allbytes | mk all
printf 'Hello, world!\n\tTabs and\r\nCRLF ~\177 end' | mk text
head -c 1000 /dev/zero | mk zeros
# Runs of zero lines of every length, for -a's rule.
{ line16; zero16; line16; } | mk z1
{ line16; zero16; zero16; line16; } | mk z2
{ line16; zero16; zero16; zero16; line16; } | mk z3
{ line16; zero16; zero16; zero16; zero16; line16; } | mk z4
{ zero16; zero16; } | mk z2end
{ zero16; zero16; zero16; } | mk z3end
{ line16; zero16; zero16; zero16; zero16; } | mk z4end
{ zero16; zero16; zero16; zero16; zero16; zero16; zero16; } | mk z7end
{ zero16; zero16; zero16; zero16; head -c 5 /dev/zero; } | mk z4part
{ line16; zero16; zero16; zero16; printf 'x'; } | mk z3partnz

# Option sets: the defaults, every option, and xxd's odd corners
# (partial groups, -e with groups that do not divide the line, the
# last of -b -e -p -i winning, -a toggling).  make check-long runs every
# option set on every file; make check a third of the pairs, every option
# set on 7 or 8 files and every file with a third of the option sets.
i=0
while read -r opts; do
    i=$((i + 1))
    j=0
    for name in empty one r15 r16 r17 r31 r32 r33 r100 all text zeros \
                z1 z2 z3 z4 z2end z3end z4end z7end z4part z3partnz; do
        j=$((j + 1))
        sampled $((i + j)) 3 || continue
        buf=$tmp/$name.mmbuf raw=$tmp/$name.raw
        # shellcheck disable=SC2086
        xo=$(xxd_opts $opts)
        case " $opts " in
        *" -i "*) case " $opts " in *" --name "*|*" -n "*) ;; *) xo="$xo -n $label" ;; esac ;;
        esac
        # Standard output must be identical, and so must the exit status
        # (xxd's messages differ from dumpbuf's).
        # shellcheck disable=SC2086
        xxd $xo "$raw" > "$tmp/exp" 2>/dev/null
        # shellcheck disable=SC2086
        expect $? dumpbuf $opts "$buf"
        mv "$tmp/out" "$tmp/got"
        same "dumpbuf $opts $name = xxd$xo RAW" "$tmp/got" "$tmp/exp"
        case " $opts " in
        *" -s "*) ;;
        *)
            # shellcheck disable=SC2086
            xxd $xo < "$raw" > "$tmp/exp" 2>/dev/null
            same "dumpbuf $opts $name = dumpbuf --raw | xxd$xo" "$tmp/got" "$tmp/exp"
            ;;
        esac
        # shellcheck disable=SC2086,SC2046
        xxd $(xxd_opts $opts) "$raw" > "$tmp/exp" 2>/dev/null
        # shellcheck disable=SC2086
        expect $? dumpbuf -F $opts "$raw"
        same "dumpbuf -F $opts $name = xxd" "$tmp/out" "$tmp/exp"
    done
done <<'OPTS'

-c 32 -g 4
-c 256
-c 256 -g 0
-c 1
-c 7 -g 3
-c 17 -g 3
-g 0
-g 1
-g 100
-u
-e
-e -u
-e -g 8
-e -g 1
-e -c 6
-e -c 10 -g 4
-e -c 6 -g 8
-e -c 5 -g 2
-e -c 32 -g 16
-b
-b -u
-b -c 5 -g 2
-b -c 16 -g 4
-a
-a -a
-a -c 4
-a -c 17
-c 17
-a -c 8 -g 3
-a -e
-a -b
-a -u -c 32 -g 4
-d
-d -o -1
-d -o 0x7ffffffffffffff0
-o 0x100
-o -16
-o 0xfffffffffffffff8
-s 3
-s 0x10
-s 010
-s +7 -l 9
-s -5
-s -0
-s 3 -a
-l 0
-l 1
-l 17
-l 0x20
--len 5
--length 6
-p
-p -u
-p -c 0
-p -c 7
-p -c 30
-p -l 45
-p -s 5 -c 4
-i
-i -u
-i -c 5
-i -c 0
-i --capitalize
-i --name 9x-y.z
-i --name café
-i -s 7
-i -n 0
-i -n myvar
-i -n myvar -l 4
-i -l 7 -n x.y
-i --capitalize -n my.var -l 5
-i -u --capitalize -n v
-i -l 0
-b -e
-e -b
-p -b
-i -p
-p -i -c 3
-c 0
OPTS

# -i takes its name from the file when the buffer has no label.
head -c 20 /dev/urandom > "$tmp/data"
"$MKTESTBUF" "$tmp/9-no.label" < "$tmp/data" || fail "mktestbuf no label"
"$DUMPBUF" -i "$tmp/9-no.label" > "$tmp/got"
xxd -i -n "$tmp/9-no.label" < "$tmp/data" > "$tmp/exp"
same "-i names an unlabelled buffer after its file" "$tmp/got" "$tmp/exp"
"$DUMPBUF" -i --capitalize "$tmp/9-no.label" > "$tmp/got"
xxd -i -C -n "$tmp/9-no.label" < "$tmp/data" > "$tmp/exp"
same "-i --capitalize of an unlabelled buffer" "$tmp/got" "$tmp/exp"

# -F - reads standard input (here a pipe) as a stream, as xxd reads it.
for opts in "" "-a" "-e -c 12" "-p" "-i" "-i --name x" "-i -n x -l 9" "-s 20" "-l 17" "-s +3 -l 40 -b"; do
    # shellcheck disable=SC2086,SC2002
    cat "$tmp/all.raw" | "$DUMPBUF" -F $opts - > "$tmp/got"
    # shellcheck disable=SC2086,SC2046
    xxd $(xxd_opts $opts) < "$tmp/all.raw" > "$tmp/exp"
    same "dumpbuf -F $opts - < data = xxd $opts < data" "$tmp/got" "$tmp/exp"
done

# K, M, G suffixes (xxd has none): 1K is 1024.
head -c 3000 /dev/urandom | mk big
"$DUMPBUF" -s 1K -l 2k "$tmp/big.mmbuf" > "$tmp/got"
xxd -s 1024 -l 2048 "$tmp/big.raw" > "$tmp/exp"
same "-s 1K -l 2k = xxd -s 1024 -l 2048" "$tmp/got" "$tmp/exp"

finish
