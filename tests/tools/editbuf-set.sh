#!/bin/sh
# editbuf --set, --fill and --set-item: exact bytes for every option and
# every dtype, applied in command-line order, compared with a model of the
# same edits made independently by Python (struct for the typed values).

. "${srcdir:-.}/tests/tools/editbuf-lib.sh"

b=$tmp/b
mkraw 3 4096 "$tmp/raw"
mkbuf_from "$tmp/raw" "$b"

# edit_ok DESC PYTHON ARGS...: editbuf ARGS on $b exits 0 silently, and its
# data becomes what PYTHON makes of the data before.
edit_ok() {
    desc=$1 py=$2
    shift 2
    data "$b" "$tmp/before"
    patch_raw "$tmp/before" "$tmp/want" "$py"
    expect 0 editbuf "$@" "$b"
    expect_out
    expect_err
    data "$b" "$tmp/got"
    same "$desc" "$tmp/got" "$tmp/want"
}

edit_ok "--set at 0" 'd[0:4] = bytes.fromhex("deadbeef")' --set 0=deadbeef
edit_ok "--set upper-case hex, hex offset" 'd[0x100:0x103] = b"\xab\xcd\xef"' \
    --set 0x100=ABcDEF
edit_ok "--set at the last byte" 'd[4095] = 0x5a' --set 4095=5a
edit_ok "--set with a K offset" 'd[1024:1026] = b"\x01\x02"' --set 1K=0102
edit_ok "--fill" 'd[10:10+300] = b"\xff" * 300' --fill 10:300=0xff
edit_ok "--fill to the end" 'd[4000:] = b"\x07" * 96' --fill 4000:96=7
edit_ok "--fill of length 0" 'pass' --fill 4096:0=1
edit_ok "--fill with a K length" 'd[0:2048] = b"\x00" * 2048' --fill 0:2K=0
edit_ok "later options win" \
    'd[0:8] = b"\x11" * 8; d[2:4] = b"\x22\x33"; d[3:6] = b"\x44" * 3' \
    --fill 0:8=0x11 --set 2=2233 --fill 3:3=0x44
edit_ok "a fill over a set" 'd[5:7] = b"\x99\x98"; d[0:100] = b"\x01" * 100' \
    --set 5=9998 --fill 0:100=1

# --help, --version, and an unknown option.
expect 0 editbuf --help
head -n 1 "$tmp/out" > "$tmp/first"
printf 'Usage: editbuf [-R] FILE\n' > "$tmp/want"
same "--help" "$tmp/first" "$tmp/want"
grep -q ", 64 usage error (nothing written)\.$" "$tmp/out" ||
    fail "--help: no status 64"
expect_err
expect 0 editbuf --version
grep -qx 'editbuf (mmbuf) [0-9][0-9.]*.*' "$tmp/out" || fail "--version: $(cat "$tmp/out")"
expect 64 editbuf --bogus "$b"
expect_err "editbuf: unrecognized option '--bogus'" \
    "Try 'editbuf --help' for more information."

# -n writes nothing; -v tells the byte count.
cp "$b" "$tmp/copy"
expect 0 editbuf -n --set 0=00 --fill 0:100=1 "$b"
expect_out
expect_err
same "--dry-run wrote nothing" "$b" "$tmp/copy"
expect 0 editbuf -n -v --set 0=00 --fill 50:100=1 --set 200=0102 "$b"
expect_out "$b: 103 bytes would be written"
same "--dry-run -v wrote nothing" "$b" "$tmp/copy"
expect 0 editbuf -v --set 0=00 --fill 50:100=1 --set 120=0102 "$b"
expect_out "$b: 101 bytes written"

# The header is committed as after any write: a new generation, a clean
# state, and the length left as it was.
"$DUMPBUF" --json "$tmp/copy" > "$tmp/j0"
"$DUMPBUF" --json "$b" > "$tmp/j1"
python3 -c '
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
def cur(j):
    return [s for s in j["slots"] if s.get("current")][0]
ca, cb = cur(a), cur(b)
assert cb["generation"] > ca["generation"], (ca["generation"], cb["generation"])
assert cb["length"] == ca["length"] and cb["capacity"] == ca["capacity"]
assert "writer_open" not in str(cb.get("state")), cb.get("state")
' "$tmp/j0" "$tmp/j1" 2> "$tmp/pyerr" || {
    fail "header after a save"
    cat "$tmp/pyerr" >&2
}

# A save makes a seal stale; edits that cover nothing do not open the file.
need_built "$VERIFYBUF"
rm -f "$tmp/s"
"$MKTESTBUF" --random 9:8192 "$tmp/s" || exit 99
"$VERIFYBUF" -q --seal "$tmp/s" || exit 99
cp "$tmp/s" "$tmp/scopy"
expect 0 editbuf --fill 100:0=1 "$tmp/s"
same "an empty fill leaves the file as it was" "$tmp/s" "$tmp/scopy"
expect 0 verifybuf "$tmp/s"
expect 0 editbuf --set 0=00 "$tmp/s"
expect 1 verifybuf "$tmp/s"
expect_out "$tmp/s: not verifiable (modified since seal)"

# Typed elements, every dtype in both byte orders where it has one.  Each
# line: dtype, then index=value pairs; the model packs the same values.
while read -r dt sets; do
    [ -n "$dt" ] || continue
    rm -f "$tmp/t"
    "$MKTESTBUF" --dtype "$dt" "$tmp/t" < "$tmp/raw" || exit 99
    data "$tmp/t" "$tmp/before"
    python3 - "$dt" "$tmp/before" "$tmp/want" $sets <<'PY' || exit 99
import cmath, math, struct, sys
dt, src, dst, sets = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
d = bytearray(open(src, "rb").read())
order = ">" if dt[0] == ">" else "<"
code = dt.lstrip("<>|=")
size = int(code[1:])
for s in sets:
    idx, val = s.split("=", 1)
    off = int(idx) * size
    if code == "b1":
        b = bytes([1 if val.lower() in ("1", "true") else 0])
    elif code[0] in "ui":
        # decimal (leading zeros too, not octal) or 0x hex
        v = int(val, 16 if "0x" in val.lower() else 10)
        b = v.to_bytes(size, "big" if order == ">" else "little",
                       signed=code[0] == "i")
    elif code[0] == "f":
        v = float.fromhex(val) if "0x" in val else float(val)
        b = struct.pack(order + {2: "e", 4: "f", 8: "d"}[size], v)
    else:
        c = complex(val.replace("inf", "1e999"))
        f = {8: "f", 16: "d"}[size]
        b = struct.pack(order + f + f, c.real, c.imag)
    d[off:off + size] = b
open(dst, "wb").write(bytes(d))
PY
    args=
    for s in $sets; do
        args="$args --set-item $s"
    done
    # shellcheck disable=SC2086
    expect 0 editbuf $args "$tmp/t"
    expect_err
    data "$tmp/t" "$tmp/got"
    same "--set-item on $dt:$args" "$tmp/got" "$tmp/want"
done <<'EOF2'
b1 0=1 1=0 2=true 3=False 4=TRUE
u1 0=255 1=0 2=0x7f 3=0X0a 4=010
i1 0=-128 1=127 2=-0x10 3=-0
<u2 0=65535 1=0x1234 2=0
>u2 0=65535 1=0x1234 2=1
<i2 0=-32768 1=32767 2=-1
>i2 0=-32768 1=32767 2=-2
<u4 0=4294967295 1=0xdeadbeef
>u4 0=4294967295 1=0xdeadbeef
<i4 0=-2147483648 1=2147483647
>i4 0=-2147483648 1=-5
<u8 0=18446744073709551615 1=0x0123456789abcdef
>u8 0=18446744073709551615 1=0x0123456789abcdef
<i8 0=-9223372036854775808 1=9223372036854775807
>i8 0=-9223372036854775808 1=-3
<f2 0=3.25 1=65504 2=-inf 3=nan 4=1e-8 5=0.1 6=-0.0 7=6.1e-5 8=2049 9=2051
>f2 0=3.25 1=-65504 2=inf 3=0.333 4=5.96e-8 5=2.98e-8
<f4 0=3.4028234663852886e+38 1=1e-45 2=-0.0 3=0.1 4=inf 5=nan 6=16777217
>f4 0=3.4028234663852886e+38 1=1e-45 2=-1.5 3=0.1 4=-inf
<f8 0=1e308 1=5e-324 2=0.1 3=-2.5 4=nan 5=0x1.8p1
>f8 0=1e308 1=5e-324 2=0.1 3=-inf
<c8 0=(1+2j) 1=-1.5j 2=7 3=(0.1-0.2j) 4=3e38+1e-45j
>c8 0=(1+2j) 1=2j 2=-7 3=(inf-infj)
<c16 0=(1e300+1e-300j) 1=-2.5-0j 2=4j 3=(0.1+0.2j)
>c16 0=(1e300+1e-300j) 1=1 2=-0.5j
EOF2

# A shaped buffer: the index is row-major over the shape.
rm -f "$tmp/t"
"$MKTESTBUF" --dtype '>i2' --shape 2,3,4 "$tmp/t" < "$tmp/raw" || exit 99
data "$tmp/t" "$tmp/before"
patch_raw "$tmp/before" "$tmp/want" '
import struct
for (i, j, k), v in (((1, 2, 3), -7), ((0, 0, 0), 300), ((0, 2, 1), 12345)):
    o = ((i * 3 + j) * 4 + k) * 2
    d[o:o + 2] = struct.pack(">h", v)
'
expect 0 editbuf --set-item 1,2,3=-7 --set-item 0,0,0=300 --set-item '0, 2, 1=12345' "$tmp/t"
expect_err
data "$tmp/t" "$tmp/got"
same "--set-item on a 2x3x4 >i2 buffer" "$tmp/got" "$tmp/want"

# Negative components count from the end of their dimension, as Python's
# a[-1, -3, -4] does: each names the same element as its positive twin.
rm -f "$tmp/t"
"$MKTESTBUF" --dtype '>i2' --shape 2,3,4 "$tmp/t" < "$tmp/raw" || exit 99
expect 0 editbuf --set-item -1,-1,-1=-7 --set-item -2,-3,-4=300 --set-item '-2, -1, 1=12345' "$tmp/t"
expect_err
data "$tmp/t" "$tmp/got"
same "--set-item with negative components" "$tmp/got" "$tmp/want"

finish
