"""XXH3-64 (seed 0), the data checksum of mmbuf(5), over ranges of a file.

Two back ends, tried in this order:

``"libmmbuf"``
    mmbuf_checksum() of the C library, through ctypes.  The library is the
    file that the environment variable MMBUF_LIBRARY names, if it is set
    (and then nothing else: a name that cannot be loaded is an error that
    names it, so that a test or a deployment never silently checks with
    something else); otherwise the libmmbuf that ``make install`` put
    beside this package (its path recorded in mmbuf/_installed.py at
    install time, so that a private prefix needs no LD_LIBRARY_PATH; a
    package installed by pip or used from the source tree records none),
    then ``ctypes.util.find_library("mmbuf")``, then ``libmmbuf.so.0``.
``"xxhash"``
    The xxhash module (Debian: python3-xxhash), if it can be imported.

The data is read with os.preadv(), never through a shared mapping, so
that a file that shrinks under us is a TruncatedError, not a SIGBUS.  The
xxhash module hashes as it reads, 64 KiB at a time (measured on 1 GiB in
the page cache: 64 KiB reads hash at 4.5 GB/s, 1 MiB reads at 1.8 GB/s,
as the copy no longer stays in the core's cache).  mmbuf_checksum() has
no streaming interface, so libmmbuf is given each range in one piece:
read into a per-thread buffer up to PREAD_MAX bytes (every block of a
table with blocks up to 64 MiB; 1.4 to 2 GB/s), and only above that (the
whole-data checksum of seal(), or of a seal without a block table, and
blocks of 128 MiB or more) mapped privately (mmap.ACCESS_COPY: nothing is
copied; 5 to 7 GB/s) after the file size was checked.  That mapping is
made while we hold the writer lock (seal) or the reader lock (verify),
which every writer that follows mmbuf(5) respects before it shrinks a
file; only a process that ignores the locks and truncates the file during
that hash can still cause a SIGBUS, as it can for any mapping.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import mmap
import os
import threading
from typing import Any, Callable, Dict, List, Optional, Tuple

from . import _errors as E

__all__ = ["backend", "BACKENDS"]

BACKENDS = ("libmmbuf", "xxhash")

# The read size of the xxhash module's streaming hash.
CHUNK = 64 << 10
# The largest range that libmmbuf gets through a read buffer.
PREAD_MAX = 64 << 20


class _Backend:
    """A way to compute XXH3-64 (seed 0) over bytes and over ranges of
    an open file: what mmbuf.checksum_backend() returns.  ``name`` is
    ``"libmmbuf"`` or ``"xxhash"``."""

    name: str = ""

    def __repr__(self) -> str:
        where = getattr(self, "path", None)
        return "<mmbuf checksum back end %s%s>" % (
            self.name, " (%s)" % where if where else "")

    def __init__(self) -> None:
        # One read buffer per thread: the back ends are shared, and both
        # the reads and the hashing let other threads run meanwhile.
        self._local = threading.local()

    def _scratch(self, n):
        """This thread's read buffer, of at least n bytes: (bytearray,
        memoryview of it).  It grows by doubling from 64 KiB."""
        loc = self._local
        if getattr(loc, "size", 0) < max(n, 1):
            size = max(CHUNK, getattr(loc, "size", 0))
            while size < n:
                size *= 2
            loc.buf = bytearray(size)
            loc.view = memoryview(loc.buf)
            loc.size = size
            loc.cbuf = None
        return loc.buf, loc.view

    def _read(self, fd, off, n):
        """A view of n bytes of fd at off, read into this thread's buffer;
        TruncatedError if the file ends first (it shrank)."""
        done = 0
        view = self._scratch(n)[1][:n]
        while done < n:
            got = os.preadv(fd, [view[done:]], off + done)
            if got == 0:
                raise E.TruncatedError("the file shrank while it was read")
            done += got
        return view

    def checksum(self, data: Any) -> int:
        """XXH3-64 of a bytes-like object, as mmbuf_checksum() in C."""
        raise NotImplementedError

    def hash_file(self, fd: int, off: int, n: int) -> int:
        """XXH3-64 of the n bytes of fd at file offset off."""
        raise NotImplementedError


class _Libmmbuf(_Backend):
    name = "libmmbuf"

    def __init__(self, lib: ctypes.CDLL, path: str) -> None:
        super().__init__()
        self.path = path
        self._fn = lib.mmbuf_checksum
        self._fn.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
        self._fn.restype = ctypes.c_uint64

    def checksum(self, data: Any) -> int:
        """XXH3-64 of a bytes-like object (a copy is made if it is not
        writable), as mmbuf_checksum() in C."""
        n = len(data)
        if n == 0:
            return self._fn(None, 0)
        if isinstance(data, (bytes, memoryview)) and \
                (isinstance(data, bytes) or data.readonly):
            data = bytearray(data)
        c = (ctypes.c_char * n).from_buffer(data)
        try:
            return int(self._fn(c, n))
        finally:
            del c

    def hash_file(self, fd: int, off: int, n: int) -> int:
        if n <= PREAD_MAX:
            self._read(fd, off, n)
            loc = self._local
            if loc.cbuf is None:
                loc.cbuf = (ctypes.c_char * loc.size).from_buffer(loc.buf)
            return self._fn(loc.cbuf, n)
        if os.fstat(fd).st_size < off + n:
            raise E.TruncatedError("the file shrank while it was read")
        start = off - off % mmap.ALLOCATIONGRANULARITY
        m = mmap.mmap(fd, off + n - start, access=mmap.ACCESS_COPY,
                      offset=start)
        try:
            c = (ctypes.c_char * n).from_buffer(m, off - start)
            try:
                return self._fn(c, n)
            finally:
                del c
        finally:
            m.close()


class _Xxhash(_Backend):
    name = "xxhash"

    def __init__(self, module: Any) -> None:
        super().__init__()
        self._new = module.xxh3_64
        self._once = module.xxh3_64_intdigest

    def checksum(self, data: Any) -> int:
        """XXH3-64 of a bytes-like object, as mmbuf_checksum() in C."""
        return int(self._once(data))

    def hash_file(self, fd: int, off: int, n: int) -> int:
        if n <= CHUNK:
            return self._once(self._read(fd, off, n))
        h = self._new()
        while n > 0:
            k = min(n, CHUNK)
            h.update(self._read(fd, off, k))
            off += k
            n -= k
        return h.intdigest()


def _installed_library() -> Optional[str]:
    """The path of the libmmbuf that make install put beside this package,
    or None (installed by pip, used from the source tree, or no shared
    library was built)."""
    try:
        from . import _installed  # type: ignore[attr-defined]  # by make
    except ImportError:
        return None
    return getattr(_installed, "LIBRARY", None)


def _load_libmmbuf() -> Tuple[Optional[_Backend], Optional[str]]:
    """(backend or None, why not)."""
    env = os.environ.get("MMBUF_LIBRARY")
    if env is not None:
        try:
            return _Libmmbuf(ctypes.CDLL(env), env), None
        except (OSError, AttributeError) as e:
            raise E.NoChecksumError(
                "MMBUF_LIBRARY=%s: cannot use it for checksums: %s (unset "
                "MMBUF_LIBRARY to use the installed libmmbuf or the xxhash "
                "module)" % (env, e))
    tried = []
    for name in (_installed_library(), ctypes.util.find_library("mmbuf"),
                 "libmmbuf.so.0"):
        if name is None or name in tried:
            continue
        tried.append(name)
        try:
            return _Libmmbuf(ctypes.CDLL(name), name), None
        except (OSError, AttributeError):
            continue
    return None, "libmmbuf not found (tried %s)" % (
        ", ".join(tried) or "ctypes.util.find_library('mmbuf')")


def _load_xxhash() -> Tuple[Optional[_Backend], Optional[str]]:
    try:
        import xxhash
        return _Xxhash(xxhash), None
    except (ImportError, AttributeError) as e:
        return None, "the xxhash module cannot be imported (%s)" % (e,)


_cache: Dict[Tuple[Optional[str], Optional[str]], _Backend] = {}


def backend(name: Optional[str] = None) -> _Backend:
    """The XXH3-64 back end for verify() and seal().

    name None takes the first available of ``"libmmbuf"`` and
    ``"xxhash"``; a name asks for that one.  The result has a ``name``
    and a ``checksum(data)`` method, which is mmbuf_checksum() in C.
    Raises NoChecksumError, whose message says what was tried, when none
    (or not the one named) can be used, and ValueError for an unknown
    name.
    """
    if name is not None and name not in BACKENDS:
        raise ValueError("unknown checksum back end %r: one of %s"
                         % (name, ", ".join(BACKENDS)))
    key = (name, os.environ.get("MMBUF_LIBRARY"))
    if key in _cache:
        return _cache[key]
    why: List[str] = []
    found: Optional[_Backend] = None
    load: Callable[[], Tuple[Optional[_Backend], Optional[str]]]
    for cand, load in (("libmmbuf", _load_libmmbuf),
                       ("xxhash", _load_xxhash)):
        if name is not None and cand != name:
            continue
        found, reason = load()
        if found is not None:
            break
        why.append(str(reason))
    if found is None:
        raise E.NoChecksumError(
            "no XXH3-64 implementation for checksums: %s; install libmmbuf "
            "(or set MMBUF_LIBRARY to its path) or the xxhash module "
            "(Debian: apt-get install python3-xxhash)" % "; ".join(why))
    _cache[key] = found
    return found
