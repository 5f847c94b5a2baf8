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
