# The version of mmbuf: the only place it is written.  configure.ac reads
# it (AC_INIT, so libmmbuf's mmbuf_version(), mmbuf.h's MMBUF_VERSION_*,
# the tools' --version and mmbuf.pc agree), and so does
# python/pyproject.toml; mmbuf.__version__ is this.  Keep the line below
# as it is: configure.ac parses it.
__version__ = "0.1.0"
