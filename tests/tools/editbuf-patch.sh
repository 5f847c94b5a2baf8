#!/bin/sh
# editbuf --patch and --patch-plain against the real programs: for random
# data and many layouts, a dump made by xxd, hexdump -C or dumpbuf, fed to
# editbuf, leaves the same data bytes as xxd -r makes of the same dump
# (written over a copy of the same data), and as the source data.

. "${srcdir:-.}/tests/tools/editbuf-lib.sh"
need xxd
need hexdump

len=1000
mkraw 4 $len "$tmp/src"        # what the dumps show
mkraw 5 $len "$tmp/base"       # what the buffer holds before
mkbuf_from "$tmp/base" "$tmp/b0"

# check DESC DUMP-FILE [XXD-R-OPTIONS]: patching a fresh copy of the base
# buffer with DUMP-FILE gives the bytes xxd -r OPTIONS writes over a copy of
# the base data.  (xxd -r is the reference only where it parses the dump:
# without -a squeezing, and with the -c it needs for long lines.)
check() {
    desc=$1 dump=$2
    shift 2
    cp "$tmp/b0" "$tmp/b"
    expect 0 editbuf --patch "$dump" "$tmp/b"
    expect_err
    data "$tmp/b" "$tmp/got"
    cp "$tmp/base" "$tmp/ref"
    xxd -r "$@" "$dump" "$tmp/ref" || exit 99
    same "$desc: editbuf --patch = xxd -r" "$tmp/got" "$tmp/ref"
}

for c in 1 3 8 16 17 32 64 256; do
    for g in 0 1 2 4 8; do
        xxd -c $c -g $g "$tmp/src" > "$tmp/dump"
        check "xxd -c $c -g $g" "$tmp/dump" -c $c
        same "xxd -c $c -g $g: the source data" "$tmp/got" "$tmp/src"
    done
done
xxd -u -c 12 -g 3 "$tmp/src" > "$tmp/dump"
check "xxd -u -c 12 -g 3" "$tmp/dump" -c 12
same "xxd -u: the source data" "$tmp/got" "$tmp/src"

# Part of the data: -s and -l keep file offsets, -o shifts them.
xxd -s 100 -l 333 "$tmp/src" > "$tmp/dump"
check "xxd -s 100 -l 333" "$tmp/dump"
patch_raw "$tmp/base" "$tmp/want" '
s = open(sys.argv[1].replace("base", "src"), "rb").read()
d[100:433] = s[100:433]'
same "xxd -s 100 -l 333: bytes 100 to 432 replaced" "$tmp/got" "$tmp/want"
xxd -o 0x40 -l 50 -c 10 "$tmp/src" > "$tmp/dump"
check "xxd -o 0x40 -l 50 -c 10" "$tmp/dump" -c 10
patch_raw "$tmp/base" "$tmp/want" '
s = open(sys.argv[1].replace("base", "src"), "rb").read()
d[0x40:0x40 + 50] = s[0:50]'
same "xxd -o 0x40: bytes moved by the offset" "$tmp/got" "$tmp/want"

# Hand-edited hex: the text column is not read.
xxd -c 16 -l 32 "$tmp/src" | sed '1s/^00000000: ..../00000000: cafe/' > "$tmp/dump"
check "edited hex, stale text column" "$tmp/dump"
patch_raw "$tmp/base" "$tmp/want" '
s = open(sys.argv[1].replace("base", "src"), "rb").read()
d[0:32] = s[0:32]; d[0:2] = b"\xca\xfe"'
same "edited hex: the new bytes" "$tmp/got" "$tmp/want"
# Lines in any order, CRLF line ends, no final newline.
xxd -c 8 -l 64 "$tmp/src" | sort -r | sed 's/$/\r/' | head -c -2 > "$tmp/dump"
check "reversed lines, CRLF, no final newline" "$tmp/dump" -c 8

# xxd -a squeezes runs of zero lines into "*", which means zeros: over
# non-zero data editbuf writes them (xxd -r would leave the old bytes, so
# the reference is the source itself).
rm -f "$tmp/zbuf"
"$MKTESTBUF" --random 6:3000:zeros "$tmp/zbuf" || exit 99
data "$tmp/zbuf" "$tmp/zsrc"
mkraw 7 3000 "$tmp/zbase"
for c in 4 16 32; do
    xxd -a -c $c "$tmp/zsrc" > "$tmp/dump"
    grep -qx '\*' "$tmp/dump" || fail "xxd -a -c $c: no '*' line to test"
    rm -f "$tmp/zb"
    mkbuf_from "$tmp/zbase" "$tmp/zb"
    expect 0 editbuf --patch "$tmp/dump" "$tmp/zb"
    expect_err
    data "$tmp/zb" "$tmp/got"
    same "xxd -a -c $c: the source data" "$tmp/got" "$tmp/zsrc"
    # And on zeros xxd -r agrees.
    head -c 3000 /dev/zero > "$tmp/ref"
    xxd -r -c $c "$tmp/dump" "$tmp/ref"
    same "xxd -a -c $c: xxd -r over zeros" "$tmp/got" "$tmp/ref"
done

# hexdump -C: "*" repeats the line before, the last line is the end.
for f in "$tmp/src" "$tmp/zsrc"; do
    hexdump -C "$f" > "$tmp/dump"
    rm -f "$tmp/zb"
    mkbuf_from "$tmp/zbase" "$tmp/zb"
    expect 0 editbuf --patch "$tmp/dump" "$tmp/zb"
    expect_err
    data "$tmp/zb" "$tmp/got"
    head -c "$(wc -c < "$f")" "$tmp/got" > "$tmp/got2"
    same "hexdump -C of $(basename "$f"): the source data" "$tmp/got2" "$f"
done
# A repeated line that is not one byte repeated.
python3 -c 'import sys; sys.stdout.buffer.write(b"0123456789abcdef" * 10 + b"xyz")' > "$tmp/rep"
hexdump -C "$tmp/rep" > "$tmp/dump"
grep -qx '\*' "$tmp/dump" || fail "hexdump -C: no '*' line to test"
rm -f "$tmp/zb"
mkbuf_from "$tmp/zbase" "$tmp/zb"
expect 0 editbuf --patch "$tmp/dump" "$tmp/zb"
data "$tmp/zb" "$tmp/got"
head -c 163 "$tmp/got" > "$tmp/got2"
same "hexdump -C: '*' repeats a 16-byte line" "$tmp/got2" "$tmp/rep"

# dumpbuf's own dumps: xxd layouts, -a, -C with and without -v, -s.
mkbuf_from "$tmp/src" "$tmp/srcbuf"
for opts in "" "-c 7 -g 3" "-c 32 -g 8 -u" "-s 200 -l 300" "-C" "-C -v" \
    "-C -s 77 -n 500"; do
    # shellcheck disable=SC2086
    "$DUMPBUF" $opts "$tmp/srcbuf" > "$tmp/dump" || exit 99
    cp "$tmp/b0" "$tmp/b"
    expect 0 editbuf --patch "$tmp/dump" "$tmp/b"
    expect_err
    data "$tmp/b" "$tmp/got"
    # The model: the bytes the same options select, put where they were.
    case $opts in
    *-s\ 200*) a=200 n=300 ;;
    *-s\ 77*) a=77 n=500 ;;
    *) a=0 n=$len ;;
    esac
    patch_raw "$tmp/base" "$tmp/want" "
s = open(sys.argv[1].replace('base', 'src'), 'rb').read()
d[$a:$a + $n] = s[$a:$a + $n]"
    same "dumpbuf $opts | editbuf --patch" "$tmp/got" "$tmp/want"
    # And xxd -r reads the xxd layouts the same way.
    case $opts in
    *-C*) ;;
    *)
        cols=16
        case $opts in *-c\ *) cols=${opts#*-c }; cols=${cols%% *} ;; esac
        cp "$tmp/base" "$tmp/ref"
        xxd -r -c "$cols" "$tmp/dump" "$tmp/ref" || exit 99
        same "dumpbuf $opts: editbuf --patch = xxd -r" "$tmp/got" "$tmp/ref"
        ;;
    esac
done
rm -f "$tmp/zb"
"$MKTESTBUF" --random 6:3000:zeros "$tmp/zsrcbuf" || exit 99
for opts in "-a" "-a -c 8" "-C"; do
    # shellcheck disable=SC2086
    "$DUMPBUF" $opts "$tmp/zsrcbuf" > "$tmp/dump" || exit 99
    rm -f "$tmp/zb"
    mkbuf_from "$tmp/zbase" "$tmp/zb"
    expect 0 editbuf --patch - "$tmp/zb" < "$tmp/dump"
    expect_err
    data "$tmp/zb" "$tmp/got"
    same "dumpbuf $opts (squeezed) | editbuf --patch -" "$tmp/got" "$tmp/zsrc"
done

# Plain hex: xxd -p at several widths, from 0 and from --at.
for c in 30 1 7 256; do
    xxd -p -c $c "$tmp/src" > "$tmp/plain"
    cp "$tmp/b0" "$tmp/b"
    expect 0 editbuf --patch-plain "$tmp/plain" "$tmp/b"
    expect_err
    data "$tmp/b" "$tmp/got"
    cp "$tmp/base" "$tmp/ref"
    xxd -r -p "$tmp/plain" "$tmp/ref" || exit 99
    same "xxd -p -c $c: editbuf --patch-plain = xxd -r -p" "$tmp/got" "$tmp/ref"
    same "xxd -p -c $c: the source data" "$tmp/got" "$tmp/src"
done
xxd -p -l 100 "$tmp/src" | tr 'a-f' 'A-F' | sed 's/../& /g' > "$tmp/plain"
cp "$tmp/b0" "$tmp/b"
expect 0 editbuf --at 0x300 --patch-plain "$tmp/plain" "$tmp/b"
expect_err
data "$tmp/b" "$tmp/got"
cp "$tmp/base" "$tmp/ref"
xxd -r -p -s 0x300 "$tmp/plain" "$tmp/ref" || exit 99
same "--at 0x300, spaced upper-case pairs = xxd -r -p -s" "$tmp/got" "$tmp/ref"
# Several patches and options in order: later ones win.
printf '00000000: 0102 0304\n' > "$tmp/p1"
printf 'aabb\n' > "$tmp/p2"
cp "$tmp/b0" "$tmp/b"
expect 0 editbuf --fill 0:8=0xee --patch "$tmp/p1" --at 1 --patch-plain "$tmp/p2" \
    --set 3=ff "$tmp/b"
data "$tmp/b" "$tmp/got"
patch_raw "$tmp/base" "$tmp/want" 'd[0:8] = bytes.fromhex("01aabbffeeeeeeee")'
same "options and patches in order" "$tmp/got" "$tmp/want"
# An empty patch writes nothing and is not an error.
: > "$tmp/empty"
cp "$tmp/b0" "$tmp/b"
expect 0 editbuf -v --patch "$tmp/empty" --patch-plain "$tmp/empty" "$tmp/b"
expect_out "$tmp/b: 0 bytes written"
data "$tmp/b" "$tmp/got"
same "empty patches" "$tmp/got" "$tmp/base"

finish
