# verifybuf-lib.sh - what the verifybuf tests share beyond lib.sh; sourced.

. "${srcdir:-.}/tests/tools/lib.sh"

need_built "$VERIFYBUF" "$HOLDBUF"

# sealed FILE SEED LEN [BLOCK-SIZE]: a buffer of LEN random bytes, sealed
# by verifybuf --seal with 4 KiB blocks unless told otherwise.
sealed() {
    "$MKTESTBUF" --random "$2:$3" "$1" || exit 99
    "$VERIFYBUF" -q --seal --block-size "${4:-4K}" "$1" || exit 99
}

# flip FILE OFFSET: invert one byte of FILE, with dd.
flip() {
    byte=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d " ")
    printf "\\$(printf '%03o' $((255 - byte)))" |
        dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

