#!/bin/sh
# mkbuf: every option that shapes a new buffer, checked in the header that
# dumpbuf reads back and in the file itself: -s (--capacity, or its old
# name --size) with each suffix, -t, --shape, --length, -L, --align,
# --sparse, --mode, -f, --fill, -q, the summary line, --json, --help and
# --version.

. "${srcdir:-.}/tests/tools/mkbuf-lib.sh"

d=$tmp/d
mkdir "$d"
umask 022

# -s: bytes and every suffix.
for spec in 1000:1000 0x400:1024 2K:2048 2k:2048 3KiB:3072 1M:1048576 \
            1MiB:1048576 0:0; do
    arg=${spec%%:*} bytes=${spec#*:}
    rm -f "$d/s.buf"
    expect 0 mkbuf -s "$arg" "$d/s.buf"
    [ "$(field "$d/s.buf" capacity)" = "$bytes" ] || fail "-s $arg: capacity"
    [ "$(field "$d/s.buf" length)" = "$bytes" ] || fail "-s $arg: length"
    [ "$(field "$d/s.buf" dtype)" = '"<u1"' ] || fail "-s $arg: default dtype"
    [ "$(stat -c %s "$d/s.buf")" = $((8192 + bytes)) ] || fail "-s $arg: file size"
done
rm -f "$d/s.buf"
expect 0 mkbuf -s 1GiB --sparse "$d/s.buf"
[ "$(field "$d/s.buf" capacity)" = 1073741824 ] || fail "-s 1GiB"
rm -f "$d/s.buf"
# -s is --capacity; --size, its old name, still works (deprecated), and
# says nothing about it.
expect 0 mkbuf -q --capacity 3K "$d/c.buf"
[ "$(field "$d/c.buf" capacity)" = 3072 ] || fail "--capacity 3K"
expect 0 mkbuf -q --size 5K "$d/c2.buf"
[ "$(field "$d/c2.buf" capacity)" = 5120 ] || fail "--size 5K"
expect_err
expect 0 mkbuf -q --capa=6K "$d/c3.buf"
[ "$(field "$d/c3.buf" capacity)" = 6144 ] || fail "--capa=6K"

# The summary line on stdout, silenced by -q.
expect 0 mkbuf -s 4K "$d/a.buf"
expect_out "$d/a.buf: created, dtype <u1, shape none, capacity 4096, length 4096, data offset 8192"
[ -s "$tmp/err" ] && fail "stderr not empty"
expect 0 mkbuf -q -s 4K "$d/q.buf"
[ -s "$tmp/out" ] && fail "-q: stdout not empty"
[ -f "$d/q.buf" ] || fail "-q: no file"

# -t, --shape, and both with -s.
expect 0 mkbuf -t '>i4' --shape 1000x3 "$d/t.buf"
expect_out "$d/t.buf: created, dtype >i4, shape 1000x3, capacity 12000, length 12000, data offset 8192"
expect 0 mkbuf --dtype f8 --shape 2,3,4 -s 192 "$d/t2.buf"
expect_out "$d/t2.buf: created, dtype <f8, shape 2x3x4, capacity 192, length 192, data offset 8192"
[ "$(field "$d/t2.buf" ndim)" = 3 ] || fail "--shape: ndim"
[ "$(field "$d/t2.buf" shape)" = "[2, 3, 4]" ] || fail "--shape: shape"
expect 0 mkbuf -q -t c16 -s 64 "$d/t3.buf"
[ "$(field "$d/t3.buf" dtype)" = '"<c16"' ] || fail "-t c16"
[ "$(field "$d/t3.buf" itemsize)" = 16 ] || fail "-t c16: itemsize"

# --length: a part of the capacity, or 0 for an appendable buffer.
expect 0 mkbuf -q -s 1M --length 0 "$d/l0.buf"
[ "$(field "$d/l0.buf" length)" = 0 ] || fail "--length 0"
[ "$(field "$d/l0.buf" capacity)" = 1048576 ] || fail "--length 0: capacity"
expect 0 mkbuf -q -s 1M --length 4KiB "$d/l4.buf"
[ "$(field "$d/l4.buf" length)" = 4096 ] || fail "--length 4KiB"

# -L, --label.
expect 0 mkbuf -q -s 16 -L "sensor 7 é" "$d/lab.buf"
[ "$(field "$d/lab.buf" label)" = '"sensor 7 é"' ] || fail "-L"
expect 0 mkbuf -q -s 16 --label x "$d/lab2.buf"
[ "$(field "$d/lab2.buf" label)" = '"x"' ] || fail "--label"

# --align: the data starts at the first multiple at or after 8192.
expect 0 mkbuf -q -s 16 --align 64K "$d/al.buf"
[ "$(field "$d/al.buf" data_offset)" = 65536 ] || fail "--align 64K"
expect 0 mkbuf -q -s 16 --align 16 "$d/al2.buf"
[ "$(field "$d/al2.buf" data_offset)" = 8192 ] || fail "--align 16"
expect 0 mkbuf -q -s 16 --align 2MiB "$d/al3.buf"
[ "$(field "$d/al3.buf" data_offset)" = 2097152 ] || fail "--align 2MiB"

# --sparse: no blocks for the data; without it the data is allocated.
expect 0 mkbuf -q -s 64M --sparse "$d/sp.buf"
blocks=$(($(stat -c %b "$d/sp.buf") * $(stat -c %B "$d/sp.buf")))
[ $blocks -lt $((1024 * 1024)) ] || fail "--sparse: $blocks bytes allocated"
[ "$(stat -c %s "$d/sp.buf")" = $((8192 + 64 * 1048576)) ] || fail "--sparse: size"
expect 0 mkbuf -q -s 64M "$d/pre.buf"
blocks=$(($(stat -c %b "$d/pre.buf") * $(stat -c %B "$d/pre.buf")))
[ $blocks -ge $((64 * 1048576)) ] || fail "preallocated: only $blocks bytes allocated"

# --mode, before the umask.
expect 0 mkbuf -q -s 16 --mode 600 "$d/m1.buf"
[ "$(stat -c %a "$d/m1.buf")" = 600 ] || fail "--mode 600"
expect 0 mkbuf -q -s 16 --mode 0777 "$d/m2.buf"
[ "$(stat -c %a "$d/m2.buf")" = 755 ] || fail "--mode 0777 with umask 022"
expect 0 mkbuf -q -s 16 "$d/m3.buf"
[ "$(stat -c %a "$d/m3.buf")" = 644 ] || fail "default mode with umask 022"
expect 0 mkbuf -q -s 16 --mode 0000 "$d/m4.buf"
[ "$(stat -c %a "$d/m4.buf")" = 0 ] || fail "--mode 0000"
expect 0 mkbuf -q -f -s 16 --mode 0 "$d/m3.buf"
[ "$(stat -c %a "$d/m3.buf")" = 0 ] || fail "-f --mode 0"
# A user who cannot read the new file back still gets its summary.
if [ "$(id -u)" = 0 ] && can_be_nobody "$MKBUF"; then
    mkdir "$tmp/nb"
    chown 65534 "$tmp/nb"
    chmod 755 "$tmp"
    as_nobody "$MKBUF" -s 16 --mode 0 "$tmp/nb/m.buf" > "$tmp/out" 2> "$tmp/err"
    status "nobody: --mode 0" 0 $?
    expect_out "$tmp/nb/m.buf: created, dtype <u1, shape none, capacity 16, length 16, data offset 8192"
    expect_err
    [ "$(stat -c %a "$tmp/nb/m.buf")" = 0 ] || fail "nobody: --mode 0"
fi

# --fill: every byte of the data, the whole capacity.
expect 0 mkbuf -q -s 5000 --fill 0xab --length 10 "$d/f.buf"
head -c 5000 /dev/zero | tr '\0' '\253' > "$tmp/exp"
tail -c 5000 "$d/f.buf" > "$tmp/got"
same "--fill 0xab" "$tmp/got" "$tmp/exp"
expect 0 mkbuf -q -t u2 --shape 3 --fill 1 "$d/f1.buf"
printf '\001\001\001\001\001\001' > "$tmp/exp"
"$DUMPBUF" --raw "$d/f1.buf" > "$tmp/got"
same "--fill 1" "$tmp/got" "$tmp/exp"
expect 0 mkbuf -q -s 100 --fill 0 --sparse "$d/f0.buf"
head -c 100 /dev/zero > "$tmp/exp"
"$DUMPBUF" --raw "$d/f0.buf" > "$tmp/got"
same "--fill 0" "$tmp/got" "$tmp/exp"

# -f: an existing file is replaced atomically (a new inode under the name;
# a hard link to the old one still sees the old contents).  Without -f
# it is not touched.
printf 'precious' > "$d/old"
ln "$d/old" "$d/old-link"
expect 3 mkbuf -s 16 "$d/old"
expect_err "mkbuf: $d/old: File exists"
[ "$(cat "$d/old")" = precious ] || fail "without -f the file was changed"
expect 0 mkbuf -q -f -s 32 --fill 7 "$d/old"
[ "$(field "$d/old" capacity)" = 32 ] || fail "-f: not replaced"
[ "$(cat "$d/old-link")" = precious ] || fail "-f: the old file was written in place"
expect 0 mkbuf -q --force -s 48 "$d/old"
[ "$(field "$d/old" capacity)" = 48 ] || fail "--force"
expect 0 mkbuf -q -f -s 8 "$d/new"
[ "$(field "$d/new" capacity)" = 8 ] || fail "-f without an existing file"

# No temporary names are left after all of that.
checks=$((checks + 1))
ls -A "$d" | grep -q mkbuf && fail "temporary files left: $(ls -A "$d")"

# --json: the header as dumpbuf --json prints it.
expect 0 mkbuf --json -t '<i2' --shape 2x2 -L lab "$d/j.buf"
"$DUMPBUF" --json "$d/j.buf" > "$tmp/exp"
same "--json is dumpbuf --json" "$tmp/out" "$tmp/exp"
cat > "$tmp/norm.sed" <<'SED'
s/[0-9a-f]\{8\}-[0-9a-f]\{4\}-4[0-9a-f]\{3\}-[89ab][0-9a-f]\{3\}-[0-9a-f]\{12\}/UUID/
s/\("writer_pid": \)[0-9]*/\1PID/
s/\("[cm]time_ns": \)[0-9]*/\1NS/
s/\("crc32": \)"[0-9a-f]\{8\}"/\1"CRC"/
SED
expect 0 mkbuf --json -q -t '<i2' --shape 2x2 -L lab "$d/j2.buf"
sed -f "$tmp/norm.sed" -e "s|$d/||" "$tmp/out" | sed -n '1,7p;/"current": true/,/}/p' > "$tmp/got"
expect_file "--json -q" "$tmp/got" mkbuf-create-json.txt

# --help and --version.
expect 0 mkbuf --help
grep -q '^Usage: mkbuf \[OPTION\]\.\.\. FILE$' "$tmp/out" || fail "--help"
[ -s "$tmp/err" ] && fail "--help: stderr"
expect 0 mkbuf -h
grep -q '^Usage: mkbuf ' "$tmp/out" || fail "-h"
expect 0 mkbuf --version
grep -Eq '^mkbuf \(mmbuf\) [0-9]+\.[0-9]+' "$tmp/out" || fail "--version"
expect 0 mkbuf -V
grep -Eq '^mkbuf \(mmbuf\) ' "$tmp/out" || fail "-V"

finish
