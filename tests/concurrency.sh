#!/bin/sh
# concurrency.sh - tests/concurrency: for 4 seconds in make check, 60 in
# make check-long (MMBUF_LONG=1), or MMBUF_CONCURRENCY_SECONDS, one
# writer appends patterned records while 4 C readers and 2 Python readers
# (tests/python/follow.py, with NumPy) follow the committed length and
# check every record they can see; a second writer and a shrink must be
# refused meanwhile.
#
# The Python readers need an interpreter with NumPy: $PYTHON if it has
# it, else /usr/bin/python3 (Debian's python3-numpy); the test fails when
# neither has it (MMBUF_TEST_NO_NUMPY=1 runs the C readers alone).
: "${srcdir:=.}"
: "${PYTHON:=python3}"
py=
for cand in "$PYTHON" /usr/bin/python3; do
    if "$cand" -c 'import numpy' > /dev/null 2>&1; then
        py=$cand
        break
    fi
done
set --
if [ -n "$py" ]; then
    follow=$PWD/concurrency-follow.sh
    # concurrency runs each reader command with PATH SECONDS appended.
    cat > "$follow" <<EOS
#!/bin/sh
PYTHONPATH='$(cd "$srcdir" && pwd)/python' exec '$py' \
    '$(cd "$srcdir" && pwd)/tests/python/follow.py' "\$@"
EOS
    chmod +x "$follow"
    set -- -- "$follow" "$follow"
elif [ "${MMBUF_TEST_NO_NUMPY:-0}" != 1 ]; then
    echo "FAIL: no Python with NumPy for the Python readers: neither" \
        "$PYTHON nor /usr/bin/python3 (apt-get install python3-numpy," \
        "or MMBUF_TEST_NO_NUMPY=1)" >&2
    exit 1
fi
if [ "${MMBUF_LONG:-0}" = 1 ]; then
    seconds=${MMBUF_CONCURRENCY_SECONDS:-60}
else
    seconds=${MMBUF_CONCURRENCY_SECONDS:-4}
fi
./tests/concurrency --seconds "$seconds" \
    --readers 4 "$@"
status=$?
rm -f "$PWD/concurrency-follow.sh"
exit $status
