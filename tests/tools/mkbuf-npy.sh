#!/bin/sh
# mkbuf --from-npy: dtype, shape and data of .npy files made by the real
# NumPy (format versions 1.0, 2.0 and 3.0; one-byte types written with
# '|'; both byte orders; 0-d and 3-d arrays), and the files it refuses:
# truncated, bad magic, object and structured dtypes, Fortran order.  The
# cases that need NumPy are skipped, with a message, when it is missing;
# the hand-made bad files are always checked.

. "${srcdir:-.}/tests/tools/mkbuf-lib.sh"

PY=/usr/bin/python3
d=$tmp/d
mkdir "$d"

# npy_case NAME DTYPE SHAPE-EXPR VERSION: make NAME.npy with NumPy and the
# raw bytes of its data in NAME.raw.
have_numpy=no
if [ -x "$PY" ] && "$PY" -c 'import numpy' 2>/dev/null; then
    have_numpy=yes
else
    echo "SKIP (these cases only): numpy is not installed for $PY" >&2
fi

if [ $have_numpy = yes ]; then
    "$PY" - "$tmp" <<'PY' || fail "making the .npy files"
import sys, numpy as np
from numpy.lib import format as fmt
t = sys.argv[1]
rng = np.random.default_rng(7)
cases = {
    "u1": rng.integers(0, 256, 1000).astype(np.uint8),
    "b1": rng.integers(0, 2, (4, 5)).astype(np.bool_),
    "i1": rng.integers(-128, 128, (3, 7)).astype(np.int8),
    "f8": rng.standard_normal((10, 3)),
    "bei4": rng.integers(-1000, 1000, (2, 3, 4)).astype(">i4"),
    "c8": (rng.standard_normal(6) + 1j).astype(np.complex64),
    "f2": rng.standard_normal(5).astype(np.float16),
    "scalar": np.array(3.5, dtype="<f4"),
    "empty": np.zeros((0, 3), dtype="<u2"),
}
for name, a in cases.items():
    for v in [(1, 0), (2, 0), (3, 0)]:
        with open(f"{t}/{name}-v{v[0]}.npy", "wb") as f:
            fmt.write_array(f, a, version=v)
    open(f"{t}/{name}.raw", "wb").write(a.tobytes())
np.save(f"{t}/obj.npy", np.array([1, "x", None], dtype=object), allow_pickle=True)
np.save(f"{t}/fortran.npy", np.asfortranarray(np.arange(6, dtype="<i2").reshape(2, 3)))
np.save(f"{t}/struct.npy", np.zeros(3, dtype=[("a", "<i4"), ("b", "<f8")]))
np.save(f"{t}/unicode.npy", np.array(["ab", "c"]))
PY

    # Every case, every version: the header and the data.
    for spec in 'u1:"<u1":[1000]' 'b1:"<b1":[4, 5]' 'i1:"<i1":[3, 7]' \
                'f8:"<f8":[10, 3]' 'bei4:">i4":[2, 3, 4]' 'c8:"<c8":[6]' \
                'f2:"<f2":[5]' 'scalar:"<f4":[]' 'empty:"<u2":[0, 3]'; do
        name=${spec%%:*} rest=${spec#*:}
        dtype=${rest%%:*} shape=${rest#*:}
        for v in 1 2 3; do
            rm -f "$d/n.buf"
            expect 0 mkbuf -q --from-npy "$tmp/$name-v$v.npy" "$d/n.buf"
            [ "$(field "$d/n.buf" dtype)" = "$dtype" ] ||
                fail "$name v$v: dtype $(field "$d/n.buf" dtype)"
            [ "$(field "$d/n.buf" shape)" = "$shape" ] ||
                fail "$name v$v: shape $(field "$d/n.buf" shape)"
            "$DUMPBUF" --raw "$d/n.buf" > "$tmp/got"
            same "$name v$v: data" "$tmp/got" "$tmp/$name.raw"
        done
    done

    # The round trip through dumpbuf --npy gives NumPy the same array.
    rm -f "$d/n.buf"
    expect 0 mkbuf -q --from-npy "$tmp/bei4-v1.npy" "$d/n.buf"
    "$DUMPBUF" --npy "$d/n.buf" > "$tmp/back.npy"
    "$PY" -c 'import sys, numpy as np
a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
sys.exit(0 if a.dtype == b.dtype and a.shape == b.shape and (a == b).all() else 1)' \
        "$tmp/bei4-v1.npy" "$tmp/back.npy" || fail "round trip through dumpbuf --npy"

    expect 2 mkbuf --from-npy "$tmp/obj.npy" "$d/x.buf"
    expect_err "mkbuf: $tmp/obj.npy: object arrays cannot be stored in a buffer"
    expect 2 mkbuf --from-npy "$tmp/fortran.npy" "$d/x.buf"
    expect_err "mkbuf: $tmp/fortran.npy: Fortran-order arrays are not supported (save a C-order copy: numpy.ascontiguousarray)"
    expect 2 mkbuf --from-npy "$tmp/struct.npy" "$d/x.buf"
    expect_err "mkbuf: $tmp/struct.npy: structured dtypes (with fields) are not supported"
    expect 2 mkbuf --from-npy "$tmp/unicode.npy" "$d/x.buf"
    expect_err "mkbuf: $tmp/unicode.npy: unsupported dtype '<U2'"

    # Truncated: in the data, and in the header.
    size=$(stat -c %s "$tmp/f8-v1.npy")
    head -c $((size - 1)) "$tmp/f8-v1.npy" > "$tmp/short.npy"
    expect 2 mkbuf --from-npy "$tmp/short.npy" "$d/x.buf"
    expect_err "mkbuf: $tmp/short.npy: truncated .npy file: the data needs 240 bytes, 239 are present"
    head -c 40 "$tmp/f8-v2.npy" > "$tmp/short2.npy"
    expect 2 mkbuf --from-npy "$tmp/short2.npy" "$d/x.buf"
    expect_err "mkbuf: $tmp/short2.npy: truncated .npy file (in the header)"
    rm -f "$d/x.buf"
    empty_dir_except_n=$(ls -A "$d")
    [ "$empty_dir_except_n" = n.buf ] || fail "files left: $empty_dir_except_n"
fi

# Hand-made bad files, checked with or without NumPy.
printf 'NUMPY\001\000' > "$tmp/magic.npy"
expect 2 mkbuf --from-npy "$tmp/magic.npy" "$tmp/x.buf"
expect_err "mkbuf: $tmp/magic.npy: not a NumPy .npy file (bad magic)"
printf '\223NUMPY\004\000\010\000{}      ' > "$tmp/v4.npy"
expect 2 mkbuf --from-npy "$tmp/v4.npy" "$tmp/x.buf"
expect_err "mkbuf: $tmp/v4.npy: unsupported .npy format version 4.0"
printf '\223NUMPY\001\000' > "$tmp/tiny.npy"
expect 2 mkbuf --from-npy "$tmp/tiny.npy" "$tmp/x.buf"
expect_err "mkbuf: $tmp/tiny.npy: truncated .npy file (in the header)"
# hand DICT FILE [DATA]: a version 1.0 .npy file with that header dict,
# padded as NumPy pads it, then DATA (printf escapes).
hand() {
    n=$((${#1} + 1))
    hl=$(( (10 + n + 63) / 64 * 64 - 10 ))
    { printf '\223NUMPY\001\000'
      printf "\\$(printf %03o $hl)\\000"
      printf '%s%*s\n' "$1" $((hl - n)) ''
      printf "${3:-}"; } > "$2"
}
hand "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }" "$tmp/o.npy" '\0\0\0\0\0\0\0\0'
expect 2 mkbuf --from-npy "$tmp/o.npy" "$tmp/x.buf"
expect_err "mkbuf: $tmp/o.npy: object arrays cannot be stored in a buffer"
hand "{'descr': '<i2', 'fortran_order': True, 'shape': (2,), }" "$tmp/fo.npy" '\001\000\002\000'
expect 2 mkbuf --from-npy "$tmp/fo.npy" "$tmp/x.buf"
expect_err "mkbuf: $tmp/fo.npy: Fortran-order arrays are not supported (save a C-order copy: numpy.ascontiguousarray)"
hand "{'shape': (2,), 'fortran_order': False, 'descr': '<i2'}" "$tmp/ok.npy" '\001\000\002\000'
expect 0 mkbuf -q --from-npy "$tmp/ok.npy" "$tmp/ok.buf"
printf '\001\000\002\000' > "$tmp/exp"
"$DUMPBUF" --raw "$tmp/ok.buf" > "$tmp/got"
same "hand-made .npy" "$tmp/got" "$tmp/exp"
[ "$(field "$tmp/ok.buf" dtype)" = '"<i2"' ] || fail "hand-made .npy: dtype"
# Bytes after the array are not part of it.
cat "$tmp/ok.npy" > "$tmp/trail.npy"
printf 'more' >> "$tmp/trail.npy"
expect 0 mkbuf -q --from-npy "$tmp/trail.npy" "$tmp/trail.buf"
"$DUMPBUF" --raw "$tmp/trail.buf" > "$tmp/got"
same ".npy with bytes after the array" "$tmp/got" "$tmp/exp"
# A 128-byte file whose header claims 2^64 - 8 bytes of data: truncated
# (exit 2), even though the header size plus that overflows 64 bits.
hand "{'descr': '<f8', 'fortran_order': False, 'shape': (2305843009213693951,), }" "$tmp/huge.npy"
expect 2 mkbuf --from-npy "$tmp/huge.npy" "$tmp/x.buf"
expect_err "mkbuf: $tmp/huge.npy: truncated .npy file: the data needs 18446744073709551608 bytes, 0 are present"
hand "{'descr': '<i2', 'fortran_order': False, 'shape': [2], }" "$tmp/bad.npy" '\001\000\002\000'
expect 2 mkbuf --from-npy "$tmp/bad.npy" "$tmp/x.buf"
expect_err "mkbuf: $tmp/bad.npy: malformed .npy header"
expect 2 mkbuf --from-npy "$tmp/none.npy" "$tmp/x.buf"
expect_err "mkbuf: $tmp/none.npy: No such file or directory"
checks=$((checks + 1))
[ -e "$tmp/x.buf" ] && fail "a buffer was made from a bad file"
ls -A "$tmp" | grep -q mkbuf && fail "temporary files left"

# --from-npy takes everything from the file.
expect 64 mkbuf --from-npy "$tmp/ok.npy" -t f8 "$tmp/x.buf"
expect_err "mkbuf: --from-npy takes the capacity, dtype and shape from the file: -s, -t and --shape cannot be used with it
Try 'mkbuf --help' for more information."

finish
