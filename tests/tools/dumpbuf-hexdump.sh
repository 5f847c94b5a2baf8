#!/bin/sh
# dumpbuf -C against the real hexdump -C: "dumpbuf -C [-v] [-s] [-n] BUF"
# must equal "dumpbuf --raw BUF | hexdump -C [-v] [-n]" and hexdump -C run
# on the raw data file (hexdump cannot seek a pipe), and "dumpbuf -F -C
# OPTS RAW" must equal "hexdump -C OPTS RAW".

. "${srcdir:-.}/tests/tools/lib.sh"
need hexdump

mk() {
    "$MKTESTBUF" "$tmp/$1.mmbuf" || fail "mktestbuf $1"
    "$DUMPBUF" --raw "$tmp/$1.mmbuf" > "$tmp/$1.raw" || fail "--raw $1"
}

zero16() { head -c 16 /dev/zero; }
line16() { printf '0123456789abcdef'; }
a16() { printf 'AAAAAAAAAAAAAAAA'; }

: | mk empty
printf A | mk one
for n in 15 16 17 31 32 33 100 1000; do
    head -c $n /dev/urandom | mk "r$n"
done
printf 'Hello, world!\n\tTabs and\r\nCRLF ~\177 end\200\377' | mk text
head -c 1000 /dev/zero | mk zeros
head -c 48 /dev/zero | mk zeros48
# hexdump squeezes any full line equal to the previous one, zero or not,
# never the first line and never a partial last line.
{ zero16; zero16; } | mk z2
{ line16; zero16; zero16; zero16; line16; } | mk z3
{ a16; a16; a16; line16; a16; a16; printf 'AAAA'; } | mk a-runs
{ a16; a16; printf 'AAAAAAAAAAAAAAAA'; } | mk a-full
{ line16; line16; line16; line16; zero16; zero16; head -c 8 /dev/zero; } | mk mixed

while read -r opts; do
    for name in empty one r15 r16 r17 r31 r32 r33 r100 r1000 text zeros \
                zeros48 z2 z3 a-runs a-full mixed; do
        buf=$tmp/$name.mmbuf raw=$tmp/$name.raw
        # shellcheck disable=SC2086
        expect 0 dumpbuf -C $opts "$buf"
        # What it says on stderr too, as hexdump's 2>&1 below.
        cat "$tmp/out" "$tmp/err" > "$tmp/got"
        # shellcheck disable=SC2086
        hexdump -C $opts "$raw" > "$tmp/exp" 2>&1
        same "dumpbuf -C $opts $name = hexdump -C $opts RAW" "$tmp/got" "$tmp/exp"
        case " $opts " in
        *" -s "*) ;;
        *)
            # shellcheck disable=SC2086
            hexdump -C $opts < "$raw" > "$tmp/exp" 2>&1
            same "dumpbuf -C $opts $name = dumpbuf --raw | hexdump -C $opts" \
                "$tmp/got" "$tmp/exp"
            ;;
        esac
        # shellcheck disable=SC2086
        "$DUMPBUF" -F -C $opts "$raw" > "$tmp/got" 2>&1
        same "dumpbuf -F -C $opts $name" "$tmp/got" "$tmp/exp"
    done
done <<'OPTS'

-v
-n 0
-n 1
-n 16
-n 17
-n 40
-n 0x30
-s 0
-s 1
-s 15
-s 16
-s 17
-s 0x20
-s 010
-s 1000
-s 5000
-s 3 -n 0
-s 3 -n 20
-s 16 -n 32
-s 1 -v
-s 17 -n 100 -v
OPTS

# -o (not a hexdump option) moves the offsets: "dumpbuf -C -o 16" shows
# what hexdump -C -s 16 shows of the data behind 16 other bytes.
for name in one r15 r16 r17 r1000 zeros a-runs mixed; do
    for opts in "" "-v" "-n 20"; do
        { printf '0123456789abcdef'; cat "$tmp/$name.raw"; } > "$tmp/shifted"
        # shellcheck disable=SC2086
        "$DUMPBUF" -C -o 16 $opts "$tmp/$name.mmbuf" > "$tmp/got"
        # shellcheck disable=SC2086
        hexdump -C -s 16 $opts "$tmp/shifted" > "$tmp/exp"
        same "dumpbuf -C -o 16 $opts $name" "$tmp/got" "$tmp/exp"
    done
done

finish
