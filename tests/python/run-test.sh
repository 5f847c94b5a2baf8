#!/bin/sh
# run-test.sh TEST.py - run one unittest module of tests/python with the
# package imported from the source tree.
#
# PYTHON is the interpreter that configure found.  The NumPy tests
# (test_numpy*.py) need an interpreter that has NumPy, which need not be
# that one (CI configures with whatever python3 comes first on PATH): they
# use $PYTHON if it imports numpy, else /usr/bin/python3 (where Debian's
# python3-numpy installs it), and FAIL if neither does, so that CI can
# never skip them silently.  MMBUF_TEST_NO_NUMPY=1 turns that failure into
# a skip (exit 77) for builds that knowingly lack NumPy.  The checksum
# tests (test_checksum*.py) pick an interpreter with the xxhash module
# (python3-xxhash) the same way, MMBUF_TEST_NO_XXHASH=1 for the skip, and
# the pip test (test_pip*.py) one with venv, pip, setuptools and wheel
# (python3-venv python3-pip python3-setuptools), MMBUF_TEST_NO_PIP=1.
test=$1
: "${PYTHON:=python3}"
: "${MMBUF_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
PYTHONPATH=$MMBUF_SRCDIR/python:$MMBUF_SRCDIR/tests/python${PYTHONPATH:+:$PYTHONPATH}
PYTHONDONTWRITEBYTECODE=1
export PYTHONPATH PYTHONDONTWRITEBYTECODE MMBUF_SRCDIR

# with_module MODULE DEBIAN-PACKAGE SKIP-VARIABLE: set py to $PYTHON if it
# imports MODULE, else /usr/bin/python3 if that does; else fail (or skip
# when SKIP-VARIABLE is 1).
with_module() {
    py=
    for cand in "$PYTHON" /usr/bin/python3; do
        if "$cand" -c "import sys, $1; sys.exit(sys.version_info < (3, 9))" \
            >/dev/null 2>&1; then
            py=$cand
            return
        fi
    done
    if [ "$(eval echo "\${$3:-0}")" = 1 ]; then
        echo "SKIP: no interpreter with $1 ($3=1)"
        exit 77
    fi
    echo "FAIL: no Python 3.9+ with $1: neither $PYTHON nor" \
        "/usr/bin/python3 can import $1 (apt-get install $2, or set" \
        "$3=1 to skip)" >&2
    exit 1
}

case $test in
*test_numpy*.py)
    with_module numpy python3-numpy MMBUF_TEST_NO_NUMPY
    ;;
*test_checksum*.py)
    # Both XXH3-64 back ends are compared: libmmbuf and the xxhash module.
    with_module xxhash python3-xxhash MMBUF_TEST_NO_XXHASH
    ;;
*test_pip*.py)
    # A venv that pip installs the package into, offline: the build
    # backend (setuptools, with wheel) and pip come from the interpreter.
    with_module "venv, setuptools, wheel, pip" \
        "python3-venv python3-pip python3-setuptools" MMBUF_TEST_NO_PIP
    ;;
*)
    py=$PYTHON
    ;;
esac

# In a sanitizer build the tests load the instrumented libmmbuf.so through
# ctypes: the ASan runtime must then be the first library of the
# interpreter.  The interpreter itself is not instrumented and keeps its
# memory until exit, so leak detection is off for these tests only.
if [ "${MMBUF_SANITIZERS:-0}" = 1 ]; then
    asan=$(${CC:-cc} -print-file-name=libasan.so)
    case $asan in
    /*) ;;
    *) echo "FAIL: cannot find libasan.so for the sanitizer build" >&2; exit 1 ;;
    esac
    LD_PRELOAD=$asan${LD_PRELOAD:+:$LD_PRELOAD}
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
    export LD_PRELOAD ASAN_OPTIONS
fi

echo "$py: $("$py" -c 'import sys; print(sys.version.split()[0])')"
exec "$py" "$test" -v
