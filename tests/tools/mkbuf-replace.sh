#!/bin/sh
# mkbuf -f: what it replaces and what it leaves.  Only a regular file is
# replaced: a FIFO, a character device, a directory, a symbolic link (to a
# buffer, or to nowhere) stays as it was, with status 3.

. "${srcdir:-.}/tests/tools/mkbuf-lib.sh"

d=$tmp/d
mkdir "$d"

# node NAME: what ls says of it, inode first (type, mode, owner, size,
# target of a link), to compare before and after.
node() {
    ls -lid "$1" | awk '{ $7 = $8 = $9 = ""; print }'
}

# refused NAME: mkbuf -f on it fails with status 3 and leaves it as it was.
refused() {
    before=$(node "$d/$1")
    mk 3 -f -s 1K "$d/$1"
    expect_err "mkbuf: $d/$1: not a regular file: -f replaces only a regular file"
    mk 3 -f -s 1K --fill 7 --seal "$d/$1"
    [ "$(node "$d/$1")" = "$before" ] || fail "$1 was changed: $(node "$d/$1")"
}

"$MKBUF" -q -s 16 --fill 5 "$d/buf"
mkfifo "$d/fifo"
refused fifo
if [ "$(id -u)" = 0 ]; then
    # /dev/null's numbers, in the scratch directory.
    mknod "$d/chr" c 1 3
    refused chr
    rm "$d/chr"
fi
mkdir "$d/dir"
refused dir
ln -s buf "$d/link"
refused link
ln -s nowhere "$d/dangling"
refused dangling
[ "$(ls -A "$d" | tr '\n' ' ')" = "buf dangling dir fifo link " ] ||
    fail "left behind: $(ls -A "$d")"
[ ! -e "$d/nowhere" ] || fail "the dangling link was followed"
[ "$(field "$d/buf" capacity)" = 16 ] || fail "the linked buffer was changed"
"$DUMPBUF" --raw "$d/buf" | od -An -tx1 | tr -d ' \n' > "$tmp/got"
printf '05050505050505050505050505050505' > "$tmp/exp"
same "the linked buffer's data" "$tmp/got" "$tmp/exp"

finish
