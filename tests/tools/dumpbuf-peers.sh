#!/bin/sh
# The peers' option meanings, layout by layout (dumpbuf(1), "Options of
# the peers"): in xxd's layouts -n names the C variable of -i and -l is
# the length, as in xxd; with -C, -n is the length, as in hexdump; xxd's
# -C (capitalised names) is --capitalize.  Each is compared with the real
# program, byte for byte; the many other combinations are in
# dumpbuf-xxd.sh, dumpbuf-hexdump.sh and dumpbuf-random.sh.

. "${srcdir:-.}/tests/tools/lib.sh"

need xxd
need hexdump
usage=64    # the usage exit status, EXIT STATUS in dumpbuf(1)

head -c 100 /dev/urandom > "$tmp/raw"
"$MKTESTBUF" "$tmp/b.mmbuf" < "$tmp/raw" || exit 99

# peer DESC DUMPBUF-ARGS -- PEER ARGS: the same bytes on the same data.
peer() {
    desc=$1
    shift
    dargs=
    while [ "$1" != -- ]; do dargs="$dargs $1"; shift; done
    shift
    # shellcheck disable=SC2086
    expect 0 dumpbuf $dargs "$tmp/b.mmbuf"
    mv "$tmp/out" "$tmp/got"
    "$@" "$tmp/raw" > "$tmp/exp"
    same "$desc: dumpbuf$dargs = $*" "$tmp/got" "$tmp/exp"
}

# xxd -i: -n NAME, -l LEN, -C (here --capitalize).
peer "-i -n" -i -n myvar -- xxd -i -n myvar
peer "-i -n -l" -i -n myvar -l 4 -- xxd -i -n myvar -l 4
peer "-i -l -n" -i -l 4 -n myvar -- xxd -i -l 4 -n myvar
peer "-i --len" -i -n v --len 9 -- xxd -i -n v -l 9
peer "-i --name" -i --name my.var -- xxd -i -n my.var
peer "-i --capitalize" -i --capitalize -n myvar -- xxd -i -C -n myvar
peer "-i --capitalize -u" -i -u --capitalize -n x -l 3 -- xxd -i -u -C -n x -l 3
# The other xxd layouts: -l is the length.
peer "xxd -l" -l 20 -- xxd -l 20
peer "xxd -p -l" -p -l 20 -- xxd -p -l 20
peer "xxd -b -l" -b -l 5 -- xxd -b -l 5
# hexdump -C: -n is the length (and so are -l and --length).
peer "-C -n" -C -n 20 -- hexdump -C -n 20
peer "-C -s -n" -C -s 3 -n 40 -- hexdump -C -s 3 -n 40
peer "-C -l" -C -l 20 -- hexdump -C -n 20
peer "-C --length" -C --length 20 -- hexdump -C -n 20

# --raw: -n is the length, as outside every hex layout.
"$DUMPBUF" --raw -n 10 "$tmp/b.mmbuf" > "$tmp/got"
head -c 10 "$tmp/raw" > "$tmp/exp"
same "--raw -n 10" "$tmp/got" "$tmp/exp"

# -n in an xxd layout without -i: xxd would ignore it, and it was the
# length before, so it is refused with a pointer to -l.
expect $usage dumpbuf -n 16 "$tmp/b.mmbuf"
expect_out
expect_err "dumpbuf: -n names the C variable of -i, as in xxd; the length is -l LEN" \
    "Try 'dumpbuf --help' for more information."
expect $usage dumpbuf -p -n 16 "$tmp/b.mmbuf"
# --name and --capitalize belong to -i's layout, not to -C's.
expect $usage dumpbuf -C --name x "$tmp/b.mmbuf"
expect $usage dumpbuf -C --capitalize "$tmp/b.mmbuf"

finish
