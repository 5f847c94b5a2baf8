#!/bin/sh
# dumpbuf -H, --json and --slots: fixed expected output.  The uuid, the
# times, the writer's pid and the header CRCs (which cover them)
# differ from run to run: they are replaced by UUID, TIME, NS, PID and CRC
# before comparing; everything else is compared byte for byte.  Damaged
# headers: -H and --json report and exit 2, --slots shows the damage.

. "${srcdir:-.}/tests/tools/lib.sh"

cat > "$tmp/norm.sed" <<'SED'
s/[0-9a-f]\{8\}-[0-9a-f]\{4\}-4[0-9a-f]\{3\}-[89ab][0-9a-f]\{3\}-[0-9a-f]\{12\}/UUID/
s/20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9]\{9\}Z/TIME/
s/\(writer pid: *\)[0-9]*/\1PID/
s/\("writer_pid": \)[0-9]*/\1PID/
s/\("[cm]time_ns": \)[0-9]*/\1NS/
s/\("crc32": \)"[0-9a-f]\{8\}"/\1"CRC"/
s/\(header crc32: *\)0x[0-9a-f]\{8\}/\1CRC/
s/^[0-9a-f]*: .*  \(uuid = \).*/\1UUID/
s/^[0-9a-f]*: .*  \([cm]time_ns = \).*/\1NS/
s/^[0-9a-f]*: .*  \(writer_pid = \).*/\1PID/
s/^[0-9a-f]*: .*  \(crc32 = \)0x[0-9a-f]* (ok)/\1CRC (ok)/
SED

# view STATUS OPTION FILE: dumpbuf OPTION $tmp/FILE exits with STATUS; its
# output in $tmp/raw-out, and normalised in $tmp/got.
view() {
    expect "$1" dumpbuf "$2" "$tmp/$3"
    mv "$tmp/out" "$tmp/raw-out"
    sed -f "$tmp/norm.sed" -e "s|$tmp/||" "$tmp/raw-out" > "$tmp/got"
}

label=$(printf 'tab\t"quote" \303\251')
printf 'abcdefgh' | "$MKTESTBUF" --label "$label" --dtype '>i2' --shape 2,2 \
    --capacity 100 "$tmp/t.mmbuf" || fail "mktestbuf"

view 0 -H t.mmbuf
expect_file "-H" "$tmp/got" dumpbuf-header-H.txt

view 0 --json t.mmbuf
expect_file "--json" "$tmp/got" dumpbuf-header-json.txt
json_strict "--json" "$tmp/raw-out"

view 0 --slots t.mmbuf
expect_file "--slots" "$tmp/got" dumpbuf-header-slots.txt

# One damaged slot: the buffer is valid and the damage is shown.
cp "$tmp/t.mmbuf" "$tmp/one.mmbuf"
printf 'XX' | dd of="$tmp/one.mmbuf" bs=1 seek=10 conv=notrunc status=none
view 0 -H one.mmbuf
grep -q '^header:          valid, slot 1 is current$' "$tmp/got" ||
    fail "-H, slot 0 damaged: slot 1 is current"
grep -q '^slot 0:          header CRC mismatch$' "$tmp/got" ||
    fail "-H names the damage of slot 0"
grep -q '^  header crc32:  CRC (MISMATCH)$' "$tmp/got" ||
    fail "-H shows the CRC mismatch"
view 0 --json one.mmbuf
grep -q '"status": "MMBUF_ECHECKSUM",' "$tmp/got" ||
    fail "--json names the damage of slot 0"
grep -q '"current_slot": 1,' "$tmp/got" || fail "--json current slot 1"

# Both slots damaged: -H and --json exit 2 naming the damage; --slots
# still shows everything, with the damage marked.
cp "$tmp/one.mmbuf" "$tmp/two.mmbuf"
printf 'XX' | dd of="$tmp/two.mmbuf" bs=1 seek=4096 conv=notrunc status=none
view 2 -H two.mmbuf
grep -q '^header:          INVALID: header CRC mismatch$' "$tmp/got" ||
    fail "-H, both damaged: INVALID"
grep -q '^slot 1:          not an mmbuf buffer file (bad magic)$' "$tmp/got" ||
    fail "-H, both damaged: slot 1's bad magic"
grep -q "^dumpbuf: $tmp/two.mmbuf: header CRC mismatch$" "$tmp/err" ||
    fail "-H, both damaged: message"
view 2 --json two.mmbuf
grep -q '"valid": false,' "$tmp/got" || fail "--json valid false"
grep -q '"error": "MMBUF_ECHECKSUM",' "$tmp/got" || fail "--json error"
view 0 --slots two.mmbuf
cat > "$tmp/exp" <<'OUT'
# two.mmbuf: 8292 bytes; header: INVALID: header CRC mismatch
# header page 0, slot 0: header CRC mismatch
00000000: 8d4d 4d42 0d0a 1a0a                      .MMB....          magic (ok)
00000008: 0400 5858 0000 0000                      ..XX....          generation = 1482162180
000001f4: 0400 0000 0000 0000                      ........          generation_tail = 4 (TORN: differs from generation)
# header page 1, slot 1: not an mmbuf buffer file (bad magic)
00001000: 5858 4d42 0d0a 1a0a                      XXMB....          magic (BAD)
00001008: 0300 0000 0000 0000                      ........          generation = 3
000011f4: 0300 0000 0000 0000                      ........          generation_tail = 3 (matches generation)
OUT
grep -E '^#|magic|generation' "$tmp/got" | grep -v checksum_generation > "$tmp/got2"
same "--slots, both slots damaged" "$tmp/got2" "$tmp/exp"
grep -Eq '^000001fc: .*crc32 = 0x[0-9a-f]{8} \(BAD: computed 0x[0-9a-f]{8}\)$' "$tmp/got" ||
    fail "--slots shows the bad CRC"

# A file cut inside the second slot.
head -c 4300 "$tmp/t.mmbuf" > "$tmp/cut.mmbuf"
view 0 --slots cut.mmbuf
grep -q '^# header page 1, slot 1: file is truncated$' "$tmp/got" ||
    fail "--slots, cut file: slot 1 truncated"
grep -q '^# only 204 bytes of the slot are in the file$' "$tmp/got" ||
    fail "--slots, cut file: 204 bytes"
view 2 -H cut.mmbuf

# Files shorter than the magic (mmbuf(5), "Slot integrity", check 1): the
# slot of a prefix of the magic is TRUNCATED, anything else MAGIC, as
# verifybuf says; neither is a buffer file (mmbuf(5), "Magic").
printf '\215MMX\r' > "$tmp/five"
view 0 --slots five
head -n 3 "$tmp/got" > "$tmp/out"
expect_out "# five: 5 bytes; header: INVALID: not an mmbuf buffer file (bad magic)" "" \
    "# header page 0, slot 0: not an mmbuf buffer file (bad magic)"
view 2 --json five
grep '"status"' "$tmp/got" > "$tmp/out"
expect_out '      "status": "MMBUF_EMAGIC",' '      "status": "MMBUF_ETRUNCATED",'
printf '\215MMB\r' > "$tmp/prefix"
view 0 --slots prefix
head -n 3 "$tmp/got" > "$tmp/out"
expect_out "# prefix: 5 bytes; header: INVALID: not an mmbuf buffer file (bad magic)" "" \
    "# header page 0, slot 0: file is truncated"
view 2 -H five
grep '^slot' "$tmp/got" > "$tmp/out"
expect_out "slot 0:          not an mmbuf buffer file (bad magic)" \
    "slot 1:          file is truncated"

# Not a buffer at all.
printf 'just text\n' > "$tmp/text"
view 0 --slots text
grep -q '^# header page 0, slot 0: not an mmbuf buffer file (bad magic)$' "$tmp/got" ||
    fail "--slots, not a buffer"
view 2 -H text
grep -q "^dumpbuf: $tmp/text: " "$tmp/err" || fail "-H, not a buffer: message"

# Damaged files of every kind: random bytes, and a good buffer with bytes
# of its header changed at random.  Every view must finish with 0 or 2 and
# a message, and --json must stay strict JSON; never a crash.
i=0
while [ $i -lt 40 ]; do
    i=$((i + 1))
    if [ $((i % 2)) -eq 0 ]; then
        "$MKTESTBUF" --random "$i:$((i * 397 % 9000)):bytes" "$tmp/r.mmbuf.tmp" 2>/dev/null
        "$DUMPBUF" --raw "$tmp/r.mmbuf.tmp" > "$tmp/f"
        rm -f "$tmp/r.mmbuf.tmp"
    else
        cp "$tmp/t.mmbuf" "$tmp/f"
        k=0
        while [ $k -lt 3 ]; do
            k=$((k + 1))
            # shellcheck disable=SC2059
            printf "\\$(printf %03o $(( (i * 37 + k * 101) % 256 )))" |
                dd of="$tmp/f" bs=1 seek=$(( (i * 977 + k * 4099) % 8300 )) \
                   conv=notrunc status=none
        done
    fi
    for view in -H --json --slots "" -C "-t"; do
        # shellcheck disable=SC2086
        "$DUMPBUF" $view "$tmp/f" > "$tmp/out" 2> "$tmp/err"
        rc=$?
        checks=$((checks + 1))
        case $rc in
        0) ;;
        2) [ -s "$tmp/err" ] || fail "dumpbuf $view damaged file $i: no message" ;;
        *) fail "dumpbuf $view damaged file $i: exit status $rc" ;;
        esac
        if [ "$view" = --json ]; then
            json_strict "--json of damaged file $i" "$tmp/out"
        fi
    done
done

finish
