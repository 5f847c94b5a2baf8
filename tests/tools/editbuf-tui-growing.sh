#!/bin/sh
# editbuf-tui-growing.sh - the goto of an element (#i,j) in a buffer whose
# first dimension grows: the rows are those committed, not the capacity.

. "${srcdir:-.}/tests/tools/editbuf-tui-lib.sh"

g=$tmp/g
printf '\001\000\000\000\002\000\000\000\003\000\000\000\004\000\000\000\005\000\000\000\377\377\377\377' \
    > "$tmp/rows"
"$MKBUF" -q -t '<i4' --shape '*,3' -s 64 --from "$tmp/rows" "$g" || exit 99
start -- "$g"
expect_status "growing: first element" "$g  0x00000000  #0,0  <i4 1"
keys C-g
text '#1,2'
keys Enter
expect_status "growing: goto #1,2, the last committed row" \
    "$g  0x00000014  #1,2  <i4 -1"
keys C-g
text '#2'
keys Enter
expect_text "growing: the rows past the length are not rows" \
    "go to #2: index 2 is outside dimension 0"
keys C-c
expect_exit "growing: quit" 0

finish
