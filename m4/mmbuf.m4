# MMBUF_CHECK_CFLAG(FLAG, [ACTION-IF-OK], [ACTION-IF-NOT])
# Does the C compiler accept FLAG (with warnings as errors, so that an
# unknown -W option is refused rather than merely warned about)?
AC_DEFUN([MMBUF_CHECK_CFLAG], [
  AS_VAR_PUSHDEF([mmbuf_cv], [mmbuf_cv_cflag_$1])
  AC_CACHE_CHECK([whether $CC accepts $1], [mmbuf_cv], [
    mmbuf_save_CFLAGS=$CFLAGS
    mmbuf_save_LDFLAGS=$LDFLAGS
    CFLAGS="$CFLAGS -Werror $1"
    LDFLAGS="$LDFLAGS $1"
    AC_LINK_IFELSE([AC_LANG_PROGRAM([], [])],
      [AS_VAR_SET([mmbuf_cv], [yes])], [AS_VAR_SET([mmbuf_cv], [no])])
    CFLAGS=$mmbuf_save_CFLAGS
    LDFLAGS=$mmbuf_save_LDFLAGS])
  AS_VAR_IF([mmbuf_cv], [yes], [$2], [$3])
  AS_VAR_POPDEF([mmbuf_cv])
])

# MMBUF_PTHREAD: POSIX threads on glibc-style systems: -pthread.
AC_DEFUN([MMBUF_PTHREAD], [
  MMBUF_CHECK_CFLAG([-pthread], [PTHREAD_CFLAGS=-pthread; PTHREAD_LIBS=-pthread],
    [AC_MSG_ERROR([POSIX threads (-pthread) are required])])
  AC_SUBST([PTHREAD_CFLAGS])
  AC_SUBST([PTHREAD_LIBS])
])

# MMBUF_PYTHONDIR: after AM_PATH_PYTHON, put the Python package where
# $PYTHON looks for it.  Automake's pythondir is PREFIX/lib/pythonX.Y/
# site-packages, on purpose even for Debian's interpreter, whose own scheme
# (posix_local) would give /usr/local/local/... for the prefix /usr/local;
# but Debian's python3 searches /usr/local/lib/pythonX.Y/dist-packages, not
# site-packages, so "import mmbuf" would fail after a normal install.  So:
# if the interpreter has a site directory under the prefix (one of
# site.getsitepackages(), the user site, or sys.path, in that order; ending
# in site-packages or dist-packages), pythondir is that directory, still
# relative to ${PYTHON_PREFIX} so that "make install prefix=..." and
# distcheck work; otherwise Automake's choice stays, and the user sets
# PYTHONPATH to it.  An explicit --with-python_prefix, --with-python-sys-prefix
# or am_cv_python_pythondir is left alone.
AC_DEFUN([MMBUF_PYTHONDIR], [
  AC_REQUIRE([AM_PATH_PYTHON])
  AS_IF([test "x$PYTHON_PREFIX" = 'x${prefix}' &&
         test "x$pythondir" = "x\${PYTHON_PREFIX}/lib/python$PYTHON_VERSION/site-packages"], [
    mmbuf_py_prefix=$prefix
    AS_IF([test "x$mmbuf_py_prefix" = xNONE], [mmbuf_py_prefix=$ac_default_prefix])
    AC_MSG_CHECKING([for a site directory of $PYTHON under $mmbuf_py_prefix])
    mmbuf_py_rel=`$PYTHON -E -c '
import os, site, sys
prefix = os.path.normpath(sys.argv[[1]])
dirs = list(getattr(site, "getsitepackages", list)())
if site.ENABLE_USER_SITE:
    dirs.append(site.getusersitepackages())
for d in dirs + sys.path:
    d = os.path.normpath(d) if d else ""
    if os.path.isabs(d) and d.startswith(prefix.rstrip("/") + "/") and \
            os.path.basename(d) in ("site-packages", "dist-packages"):
        sys.stdout.write(d[[len(prefix.rstrip("/")) + 1:]])
        break
' "$mmbuf_py_prefix" 2>&AS_MESSAGE_LOG_FD`
    AS_IF([test -n "$mmbuf_py_rel"], [
      pythondir="\${PYTHON_PREFIX}/$mmbuf_py_rel"
      pkgpythondir="\${pythondir}/$PACKAGE"
      AC_MSG_RESULT([$mmbuf_py_prefix/$mmbuf_py_rel])
    ], [
      AC_MSG_RESULT([none: $mmbuf_py_prefix/lib/python$PYTHON_VERSION/site-packages, for PYTHONPATH])
    ])
  ])
])
