#!/bin/sh
# mkbuf --from: the data of a regular file, of standard input (a pipe of
# unknown length is spooled first; with -s or --shape it is copied
# directly), with the size taken from the input or given; and its errors.
# The data is read back with dumpbuf --raw and compared byte for byte.

. "${srcdir:-.}/tests/tools/mkbuf-lib.sh"

d=$tmp/d
mkdir "$d"

# A few MiB of varied bytes, not a multiple of the copy chunk.
awk 'BEGIN { for (i = 0; i < 300000; i++) printf "%d,%x;", i, i * 7 }' > "$tmp/in"
insize=$(stat -c %s "$tmp/in")

# A regular file: the size is its length.
expect 0 mkbuf --from "$tmp/in" "$d/a.buf"
expect_out "$d/a.buf: created, dtype <u1, shape none, capacity $insize, length $insize, data offset 8192"
"$DUMPBUF" --raw "$d/a.buf" > "$tmp/got"
same "--from FILE" "$tmp/got" "$tmp/in"

# Standard input from a pipe, size unknown: spooled, then copied.
cat "$tmp/in" | "$MKBUF" -q --from - "$d/b.buf"
status "--from - (pipe)" 0 $?
"$DUMPBUF" --raw "$d/b.buf" > "$tmp/got"
same "--from - (pipe)" "$tmp/got" "$tmp/in"
[ "$(field "$d/b.buf" length)" = "$insize" ] || fail "--from - : length"

# Standard input redirected from a regular file.
expect 0 mkbuf -q --from - "$d/c.buf" < "$tmp/in"
"$DUMPBUF" --raw "$d/c.buf" > "$tmp/got"
same "--from - (file)" "$tmp/got" "$tmp/in"
# Standard input left past the end of its file: nothing to read, an
# empty buffer (not a size of 2^64 minus the excess).
python3 -c 'import os, subprocess, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
os.lseek(fd, 1 << 40, os.SEEK_SET)
sys.exit(subprocess.call(sys.argv[2:], stdin=fd))' \
    "$tmp/in" "$MKBUF" -q --from - "$d/past.buf" 2> "$tmp/err"
status "--from - (past the end of the file)" 0 $?
expect_err
[ "$(field "$d/past.buf" capacity)" = 0 ] || fail "--from - past the end: capacity"

# An empty input makes an empty buffer.
: | "$MKBUF" -q --from - "$d/e.buf"
status "--from - (empty)" 0 $?
[ "$(field "$d/e.buf" capacity)" = 0 ] || fail "--from empty: capacity"

# With -s larger than the input: the rest is zeros, the length is the size.
printf 'abc' | "$MKBUF" -q -s 8 --from - "$d/s.buf"
status "--from - -s 8" 0 $?
printf 'abc\0\0\0\0\0' > "$tmp/exp"
"$DUMPBUF" --raw "$d/s.buf" > "$tmp/got"
same "--from - -s 8" "$tmp/got" "$tmp/exp"
printf 'abcdefgh' > "$tmp/8"
expect 0 mkbuf -q -t '<u2' --shape 2x2 --from "$tmp/8" --length 4 "$d/sh.buf"
[ "$(field "$d/sh.buf" shape)" = "[2, 2]" ] || fail "--from --shape"
[ "$(field "$d/sh.buf" length)" = 4 ] || fail "--from --length"
"$DUMPBUF" --raw -F "$d/sh.buf" | tail -c 8 > "$tmp/got"
same "--from --shape data" "$tmp/got" "$tmp/8"
expect 0 mkbuf -q -t f8 --from "$tmp/8" "$d/f8.buf"
[ "$(field "$d/f8.buf" itemsize)" = 8 ] || fail "--from -t f8"

# Errors: the input is larger than the capacity (found before or, for a pipe,
# during the copy), a missing file, a directory, a size that is not a whole
# number of elements, a read error.  Nothing is left in the directory.
mkdir "$tmp/e"
expect 2 mkbuf -s 4 --from "$tmp/8" "$tmp/e/x.buf"
expect_err "mkbuf: $tmp/8: larger than the capacity of the buffer (4 bytes)"
printf 'abcdefgh' | "$MKBUF" -s 4 --from - "$tmp/e/x.buf" 2> "$tmp/err"
status "pipe larger than -s" 2 $?
expect_err "mkbuf: (standard input): larger than the capacity of the buffer (4 bytes)"
expect 2 mkbuf --from "$tmp/nope" "$tmp/e/x.buf"
expect_err "mkbuf: $tmp/nope: No such file or directory"
expect 2 mkbuf --from "$tmp" "$tmp/e/x.buf"
expect_err "mkbuf: $tmp: Is a directory"
printf 'abc' > "$tmp/3"
expect 2 mkbuf -t u2 --from "$tmp/3" "$tmp/e/x.buf"
expect_err "mkbuf: $tmp/3: 3 bytes is not a whole number of <u2 elements"
# A read error after the buffer was begun: standard input is a directory.
expect 2 mkbuf -s 16 --from - "$tmp/e/x.buf" < "$tmp"
expect_err "mkbuf: (standard input): read error: Is a directory"
expect 2 mkbuf --from - "$tmp/e/x.buf" < "$tmp"
expect_err "mkbuf: (standard input): read error: Is a directory"
empty_dir "$tmp/e"

# A FIFO has no length: it needs -s or --shape (or --from - < FIFO).
mkfifo "$tmp/fifo"
expect 2 mkbuf --from "$tmp/fifo" "$tmp/e/x.buf"
expect_err "mkbuf: $tmp/fifo: not a regular file: give -s or --shape, or use --from - with a redirection"
empty_dir "$tmp/e"

# Interrupted while copying: SIGTERM leaves nothing behind.
"$MKBUF" -s 1M --from "$tmp/fifo" "$tmp/e/int.buf" 2> "$tmp/err" &
pid=$!
exec 3> "$tmp/fifo"
printf 'partial data' >&3
# Wait until mkbuf has made its (unnamed) file in the directory, then
# stop it.
made() { ls -l "/proc/$pid/fd" 2> /dev/null | grep -q "$tmp/e/"; }
n=0
while ! made && [ $n -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
checks=$((checks + 1))
made || fail "no file in the making seen while copying"
kill -TERM $pid
wait $pid 2> /dev/null
status "SIGTERM" 143 $?
exec 3>&-
empty_dir "$tmp/e"

# Killed outright (SIGKILL, no handler runs): where the filesystem has
# O_TMPFILE the file in the making has no name (its descriptor reads
# "#INODE (deleted)"), so nothing is left either; elsewhere the library's
# hidden name is.
"$MKBUF" -s 1M --from "$tmp/fifo" "$tmp/e/int.buf" 2> "$tmp/err" &
pid=$!
exec 3> "$tmp/fifo"
printf 'partial data' >&3
n=0
while ! made && [ $n -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
checks=$((checks + 1))
made || fail "no file in the making seen while copying"
unnamed=no
ls -l "/proc/$pid/fd" | grep -q "$tmp/e/#[0-9]* (deleted)" && unnamed=yes
kill -KILL $pid
wait $pid 2> /dev/null
status "SIGKILL" 137 $?
exec 3>&-
if [ $unnamed = yes ]; then
	empty_dir "$tmp/e"
else
	checks=$((checks + 1))
	case $(ls -A "$tmp/e") in
	.int.buf.mmbuf-????????????) rm -f "$tmp/e"/.int.buf.mmbuf-* ;;
	*) fail "SIGKILL left: $(ls -A "$tmp/e")" ;;
	esac
fi

finish
