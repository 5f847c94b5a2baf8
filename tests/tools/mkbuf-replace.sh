#!/bin/sh
# mkbuf -f: what it replaces and what it leaves.  Only a regular file is
# replaced: a FIFO, a character device, a directory, a symbolic link (to a
# buffer, or to nowhere) stays as it was, with status 3.  Whatever another
# user plants under the staging name .FILE.mmbuf-new (a symbolic link, a
# file of theirs in a sticky directory, a mode 000 file) neither stops the
# replace nor is touched by it (mmbuf(5), "Creating a file").

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
    expect 3 mkbuf -f -s 1K "$d/$1"
    expect_err "mkbuf: $d/$1: not a regular file: -f replaces only a regular file"
    expect 3 mkbuf -f -s 1K --fill 7 --seal "$d/$1"
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
rm -r "$d"/*

# A symbolic link planted under the staging name, to a file of ours.
printf 'planted\n' > "$d/victim"
ln -s victim "$d/.buf.mmbuf-new"
"$MKBUF" -q -s 16 "$d/buf"
before=$(node "$d/.buf.mmbuf-new")
expect 0 mkbuf -q -f -s 32 "$d/buf"
[ "$(field "$d/buf" capacity)" = 32 ] || fail "planted link: not replaced"
[ "$(node "$d/.buf.mmbuf-new")" = "$before" ] || fail "planted link changed"
[ "$(cat "$d/victim")" = planted ] || fail "the link's target was written"
[ "$(ls -A "$d" | tr '\n' ' ')" = ".buf.mmbuf-new buf victim " ] ||
    fail "left behind: $(ls -A "$d")"
rm -f "$d"/* "$d"/.buf.mmbuf-new

# As root: another user's file under the staging name, in a sticky
# directory (root could remove it, and must not); and, as nobody, a mode
# 000 file of nobody's own, which it cannot open to see who holds it.
if [ "$(id -u)" = 0 ]; then
    s=$tmp/sticky
    mkdir "$s"
    chmod 1777 "$s"
    chmod 755 "$tmp"
    "$MKBUF" -q -s 16 "$s/buf"
    printf 'planted\n' > "$s/.buf.mmbuf-new"
    chown 65534:65534 "$s/.buf.mmbuf-new"
    before=$(node "$s/.buf.mmbuf-new")
    expect 0 mkbuf -q -f -s 48 "$s/buf"
    [ "$(field "$s/buf" capacity)" = 48 ] || fail "nobody's file: not replaced"
    [ "$(node "$s/.buf.mmbuf-new")" = "$before" ] || fail "nobody's file changed"
    [ "$(cat "$s/.buf.mmbuf-new")" = planted ] || fail "nobody's file written"
    rm -f "$s/buf" "$s/.buf.mmbuf-new"

    if can_be_nobody "$MKBUF"; then
        as_nobody "$MKBUF" -q -s 16 "$s/buf" || fail "nobody: mkbuf"
        as_nobody sh -c ': > "$1"; chmod 000 "$1"' sh "$s/.buf.mmbuf-new"
        before=$(node "$s/.buf.mmbuf-new")
        as_nobody "$MKBUF" -q -f -s 64 "$s/buf" > "$tmp/out" 2> "$tmp/err"
        status "nobody: -f past a mode 000 staging file" 0 $?
        expect_err
        [ "$(field "$s/buf" capacity)" = 64 ] || fail "mode 000: not replaced"
        [ "$(node "$s/.buf.mmbuf-new")" = "$before" ] || fail "mode 000 file changed"
        [ "$(ls -A "$s" | tr '\n' ' ')" = ".buf.mmbuf-new buf " ] ||
            fail "left behind: $(ls -A "$s")"
    fi
fi

finish
