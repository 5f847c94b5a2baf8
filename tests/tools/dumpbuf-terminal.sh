#!/bin/sh
# Binary output to a terminal: --raw and --npy refuse it (status 3, one
# line saying what to do) unless --force, as zstd does; into a pipe or a
# file they write as always.  The terminal is a pty made by script(1).

. "${srcdir:-.}/tests/tools/lib.sh"

if ! command -v script > /dev/null 2>&1 ||
   ! script -qec true /dev/null > /dev/null 2>&1; then
    echo "SKIP: script(1) cannot make a terminal here" >&2
    exit 77
fi

printf 'some data, 32 bytes of it.......' | "$MKTESTBUF" "$tmp/ok.mmbuf"

# on_tty CMD...: CMD with its standard output and error on a terminal;
# what the terminal showed in $tmp/tty (CR LF as the terminal writes it
# turned back into LF), the status in $rc.
on_tty() {
    script -qec "$*" /dev/null < /dev/null > "$tmp/tty.raw"
    rc=$?
    tr -d '\r' < "$tmp/tty.raw" > "$tmp/tty"
}

for mode in --raw --npy; do
    on_tty "$DUMPBUF" $mode "$tmp/ok.mmbuf"
    status "dumpbuf $mode to a terminal" 3 $rc
    printf '%s\n' "dumpbuf: refusing to write binary data ($mode) to a terminal; redirect the output, or give --force" > "$tmp/exp"
    same "dumpbuf $mode to a terminal: the message" "$tmp/tty" "$tmp/exp"

    # --force writes it, the same bytes as into a file.
    expect 0 dumpbuf $mode "$tmp/ok.mmbuf"
    mv "$tmp/out" "$tmp/file"
    on_tty "$DUMPBUF" --force $mode "$tmp/ok.mmbuf"
    status "dumpbuf --force $mode to a terminal" 0 $rc
    checks=$((checks + 1))
    grep -q 'some data, 32 bytes of it' "$tmp/tty" ||
        fail "dumpbuf --force $mode: the data did not reach the terminal"
    checks=$((checks + 1))
    grep -q 'refusing' "$tmp/tty" && fail "dumpbuf --force $mode refused"

    # A pipe is not a terminal.
    "$DUMPBUF" $mode "$tmp/ok.mmbuf" | cat > "$tmp/pipe"
    same "dumpbuf $mode into a pipe" "$tmp/pipe" "$tmp/file"
done

# The text layouts are for terminals: never refused.
on_tty "$DUMPBUF" --color=never -l 4 "$tmp/ok.mmbuf"
status "dumpbuf (xxd layout) to a terminal" 0 $rc
printf '%s\n' "00000000: 736f 6d65                                some" > "$tmp/exp"
same "dumpbuf (xxd layout) to a terminal" "$tmp/tty" "$tmp/exp"

finish
