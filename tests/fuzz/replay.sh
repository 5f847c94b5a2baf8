#!/bin/sh
# replay.sh - run every fuzz target over its seed corpus, one input at a
# time, so "make check" keeps the targets and the corpora honest in every
# build (libFuzzer-linked ones run the files given; the others use
# tests/fuzz/driver.c).  A crash or a sanitizer report fails the test.
set -u
: "${srcdir:=.}"
status=0
for name in header open patch json; do
    prog=./tests/fuzz/fuzz_$name
    corpus=$srcdir/tests/fuzz/corpus/$name
    if [ ! -x "$prog" ]; then
        echo "ERROR: $prog is not built" >&2
        exit 99
    fi
    set -- "$corpus"/*
    if [ ! -e "$1" ]; then
        echo "FAIL: $corpus: no seed inputs" >&2
        status=1
        continue
    fi
    if "$prog" "$@" >fuzz-replay.out 2>&1; then
        echo "PASS: $name: $# inputs"
    else
        cat fuzz-replay.out >&2
        echo "FAIL: $name" >&2
        status=1
    fi
done
rm -f fuzz-replay.out
exit $status
