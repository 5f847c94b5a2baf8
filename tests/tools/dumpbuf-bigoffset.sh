#!/bin/sh
# Offsets past 0xffffffff, where the offset column widens, against xxd and
# hexdump -C: a sparse buffer of 4 GiB + 64 bytes, and a sparse plain file
# for --any-file.

. "${srcdir:-.}/tests/tools/lib.sh"
need xxd
need hexdump

big=4294967360          # 0x100000040
at=4294967280           # 0xfffffff0: the data straddles 4 GiB

printf 'below 4 GiB|above 4 GiB, and on ' |
    "$MKTESTBUF" --sparse --capacity $big --length $big --at $at --label big "$tmp/big.mmbuf" ||
    { echo "cannot make a sparse 4 GiB buffer here" >&2; exit 99; }
# The data starts at 8192 (the smallest data offset, the default
# alignment): check that before relying on it.
off=8192
xxd -s $((off + at)) -l 11 "$tmp/big.mmbuf" | grep -q 'below 4 GiB' ||
    fail "the data does not start at $off"

# The same bytes in a plain sparse file, at the same offsets.
"$DUMPBUF" --raw -s $((at - 32)) "$tmp/big.mmbuf" |
    dd of="$tmp/plain" bs=1 seek=$((at - 32)) conv=notrunc status=none
truncate -s $big "$tmp/plain"

for s in $((at - 32)) $((at + 8)) 4294967295 4294967296 $((big - 1)) $big; do
    for opts in "" "-c 32 -g 4" "-e" "-b" "-d" "-a" "-c 7" "-l 33" "-p" "-i"; do
        # In the buffer: xxd on the buffer file, seeking past the header,
        # shows file offsets; -o takes the header back off.
        # shellcheck disable=SC2086,SC2046
        "$DUMPBUF" -s $s $opts "$tmp/big.mmbuf" > "$tmp/got"
        # shellcheck disable=SC2086,SC2046
        xxd -s $((off + s)) -o -$off $(xxd_opts $opts) -n big "$tmp/big.mmbuf" > "$tmp/exp"
        same "dumpbuf -s $s $opts (4 GiB buffer)" "$tmp/got" "$tmp/exp"
        # shellcheck disable=SC2086,SC2046
        "$DUMPBUF" -F -s $s $opts "$tmp/plain" > "$tmp/got"
        # shellcheck disable=SC2086,SC2046
        xxd -s $s $(xxd_opts $opts) "$tmp/plain" > "$tmp/exp"
        same "dumpbuf -F -s $s $opts (4 GiB file)" "$tmp/got" "$tmp/exp"
    done
    for opts in "" "-v" "-n 20"; do
        # shellcheck disable=SC2086,SC2046
        "$DUMPBUF" -F -C -s $s $opts "$tmp/plain" > "$tmp/got"
        # shellcheck disable=SC2086,SC2046
        hexdump -C -s $s $opts "$tmp/plain" > "$tmp/exp"
        same "dumpbuf -F -C -s $s $opts (4 GiB file)" "$tmp/got" "$tmp/exp"
        # shellcheck disable=SC2086,SC2046
        "$DUMPBUF" -C -s $s $opts "$tmp/big.mmbuf" > "$tmp/got2"
        same "dumpbuf -C -s $s $opts (4 GiB buffer)" "$tmp/got2" "$tmp/exp"
    done
done

# -s from the end, and -o pushing small offsets past 32 bits.
"$DUMPBUF" -s -40 "$tmp/big.mmbuf" > "$tmp/got"
xxd -s $((off + big - 40)) -o -$off "$tmp/big.mmbuf" > "$tmp/exp"
same "dumpbuf -s -40 (4 GiB buffer)" "$tmp/got" "$tmp/exp"
printf 'tiny' > "$tmp/tiny"
"$DUMPBUF" -F -o 0xfffffffe "$tmp/tiny" > "$tmp/got"
xxd -o 0xfffffffe "$tmp/tiny" > "$tmp/exp"
same "dumpbuf -o 0xfffffffe" "$tmp/got" "$tmp/exp"

finish
