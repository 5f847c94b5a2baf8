#!/bin/sh
# --color: bytes coloured by class (NUL, printable, whitespace, other ASCII,
# non-ASCII) with one escape per run of a class; fixed expected output.
# auto colours only a terminal and honours NO_COLOR; never and a pipe give
# the plain, xxd-identical output.

. "${srcdir:-.}/tests/tools/lib.sh"

printf 'AB \t\000\000\001\200\377CD' > "$tmp/col"
"$MKTESTBUF" "$tmp/col.mmbuf" < "$tmp/col"

e=$(printf '\033')
expect 0 dumpbuf --color=always "$tmp/col.mmbuf"
mv "$tmp/out" "$tmp/got"
printf '%s\n' "00000000: ${e}[36m4142 ${e}[32m2009 ${e}[90m0000 ${e}[35m01${e}[33m80 ff${e}[36m43 44              AB${e}[32m .${e}[90m..${e}[35m.${e}[33m..${e}[36mCD${e}[0m" > "$tmp/exp"
same "--color=always, xxd layout" "$tmp/got" "$tmp/exp"

"$DUMPBUF" -C --color=always "$tmp/col.mmbuf" > "$tmp/got"
printf '%s\n' "00000000  ${e}[36m41 42 ${e}[32m20 09 ${e}[90m00 00 ${e}[35m01 ${e}[33m80  ff ${e}[36m43 44                 ${e}[0m|${e}[36mAB${e}[32m .${e}[90m..${e}[35m.${e}[33m..${e}[36mCD${e}[0m|" 0000000b > "$tmp/exp"
same "--color=always, -C layout" "$tmp/got" "$tmp/exp"

"$DUMPBUF" -b -c 4 --color=always "$tmp/col.mmbuf" > "$tmp/got"
cat > "$tmp/exp" <<OUT
00000000: ${e}[36m01000001 01000010 ${e}[32m00100000 00001001  ${e}[36mAB${e}[32m .${e}[0m
00000004: ${e}[90m00000000 00000000 ${e}[35m00000001 ${e}[33m10000000  ${e}[90m..${e}[35m.${e}[33m.${e}[0m
00000008: ${e}[33m11111111 ${e}[36m01000011 01000100           ${e}[33m.${e}[36mCD${e}[0m
OUT
same "--color=always -b" "$tmp/got" "$tmp/exp"

# --color alone is --color=always (GNU's meaning), even into a pipe.
"$DUMPBUF" --color "$tmp/col.mmbuf" > "$tmp/got2"
"$DUMPBUF" --color=always "$tmp/col.mmbuf" > "$tmp/got"
same "--color alone is always" "$tmp/got2" "$tmp/got"

# NO_COLOR does not override an explicit --color=always.
NO_COLOR=1 "$DUMPBUF" --color=always "$tmp/col.mmbuf" > "$tmp/got2"
"$DUMPBUF" --color=always "$tmp/col.mmbuf" > "$tmp/got"
same "NO_COLOR with --color=always" "$tmp/got2" "$tmp/got"

# never, and auto (the default) into a pipe: no escapes at all.
"$DUMPBUF" -F "$tmp/col" > "$tmp/plain"
for opt in --color=never --color=auto; do
    "$DUMPBUF" $opt "$tmp/col.mmbuf" > "$tmp/got"
    same "$opt into a pipe is plain" "$tmp/got" "$tmp/plain"
done
for opt in --raw -p -i "-t u1" --npy; do
    # shellcheck disable=SC2086
    "$DUMPBUF" --color=always $opt "$tmp/col.mmbuf" > "$tmp/got"
    # shellcheck disable=SC2086
    "$DUMPBUF" $opt "$tmp/col.mmbuf" > "$tmp/exp"
    same "--color=always leaves $opt alone" "$tmp/got" "$tmp/exp"
done

# auto on a terminal: colour, unless NO_COLOR is set (and not empty).
if command -v script > /dev/null 2>&1 &&
   script -qec true /dev/null > /dev/null 2>&1; then
    script -qec "$DUMPBUF --color=auto $tmp/col.mmbuf" /dev/null > "$tmp/tty" < /dev/null
    checks=$((checks + 1))
    grep -q "${e}\\[36m" "$tmp/tty" || fail "--color=auto colours a terminal"
    NO_COLOR=1 script -qec "$DUMPBUF $tmp/col.mmbuf" /dev/null > "$tmp/tty" < /dev/null
    checks=$((checks + 1))
    grep -q "${e}\\[" "$tmp/tty" && fail "NO_COLOR turns auto colour off"
    NO_COLOR='' script -qec "$DUMPBUF $tmp/col.mmbuf" /dev/null > "$tmp/tty" < /dev/null
    checks=$((checks + 1))
    grep -q "${e}\\[36m" "$tmp/tty" || fail "an empty NO_COLOR is ignored"
    # A terminal that cannot show escapes says so in TERM (GNU's rule).
    TERM=dumb script -qec "$DUMPBUF $tmp/col.mmbuf" /dev/null > "$tmp/tty" < /dev/null
    checks=$((checks + 1))
    grep -q "${e}\\[" "$tmp/tty" && fail "TERM=dumb turns auto colour off"
    TERM=dumb script -qec "$DUMPBUF --color $tmp/col.mmbuf" /dev/null > "$tmp/tty" < /dev/null
    checks=$((checks + 1))
    grep -q "${e}\\[36m" "$tmp/tty" || fail "TERM=dumb leaves --color (always) alone"
    TERM=xterm script -qec "$DUMPBUF $tmp/col.mmbuf" /dev/null > "$tmp/tty" < /dev/null
    checks=$((checks + 1))
    grep -q "${e}\\[36m" "$tmp/tty" || fail "--color=auto colours TERM=xterm"
else
    echo "script(1) cannot make a terminal here: auto on a terminal not tested"
fi

finish
