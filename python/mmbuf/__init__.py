"""mmbuf: persistent off-heap buffers backed by memory-mapped files.

Buffer files follow the format of mmbuf(5) and are shared with the C
library libmmbuf: a buffer made by one is read and written by the other,
under the same locks.  This package is pure Python (mmap, memoryview,
struct, zlib, fcntl, os); NumPy is optional, imported only by the calls
that need it: mmbuf.save(), mmbuf.load(), Buffer.to_numpy(), and
np.asarray(buf) or indexing beyond what memoryview can express.

    import numpy as np, mmbuf
    mmbuf.save("a.mmbuf", np.arange(12.0).reshape(3, 4))   # atomic, durable
    a = mmbuf.load("a.mmbuf")          # zero-copy, like np.load(mmap_mode="r")

    import mmbuf
    with mmbuf.create("t.mmbuf", dtype="<f8", shape=(1000, 8)) as b:
        b.view[3, 2] = 1.5
    with mmbuf.open("t.mmbuf") as b:
        print(b.dtype, b.shape, b.rows(3, 4).tolist())

A buffer made with mmbuf.create(..., publish=False) has no name until
Buffer.publish() gives it one; closing it before that discards it.

Buffer.append(data) writes bytes at the end and commits the new length,
growing the capacity geometrically as mmbuf_append() does;
Buffer.resize() changes it, and Buffer.refresh() lets a reader follow.

Growing buffers and following a writer: create(..., shape=(None, 3))
makes a buffer whose first dimension is the rows appended so far;
Buffer.wait() sleeps until the writer's next commit (futex(2) on Linux,
woken by the writer), and mmbuf.follow(path) yields each committed row
once, in order, across writer restarts and file replacements:

    with mmbuf.create("log.mmbuf", dtype="<f8", shape=(None, 3)) as w:
        w.append(array.array("d", [1.0, 2.0, 3.0]))   # one row
    for rows in mmbuf.follow("log.mmbuf", until_closed=True):
        print(rows)

Checksums: Buffer.seal() stores the XXH3-64 of the contents and a block
checksum table, and mmbuf.verify(path) checks a file against them, with
the verdicts of verifybuf(1).  They need an XXH3-64 implementation: the
installed libmmbuf through ctypes (or the one MMBUF_LIBRARY names), else
the xxhash module; without either they raise NoChecksumError, and
everything else works as before.

    with mmbuf.open("t.mmbuf", "r+") as b:
        b.seal()
    print(mmbuf.verify("t.mmbuf").verdict)     # 0: VERDICT_OK

On the command line: ``python3 -m mmbuf info FILE...`` (``--json`` for
the object of ``dumpbuf --json``), ``python3 -m mmbuf verify FILE...``
and ``python3 -m mmbuf --version``; see mmbuf.__main__.
"""
import warnings as _warnings

from ._version import __version__
from ._errors import (Error, MagicError, ChecksumError, TornError,
                      VersionError, FeatureError, ROFeatureError,
                      TruncatedError, InconsistentError, NotRegularError,
                      BusyError, ReadOnlyError, DtypeError, ShapeError,
                      LabelError, LengthError, AlignError, ReadLockError,
                      ViewsAliveError, ViewError, NoChecksumError,
                      FollowWarning)
from ._format import (Header, MAGIC, FORMAT_VERSION_MAJOR,
                      FORMAT_VERSION_MINOR, STATE_WRITER_OPEN, STATE_SEALED,
                      COMPAT_DATA_CHECKSUM, COMPAT_NOTIFY, RO_COMPAT_LOCKING,
                      RO_COMPAT_BLOCK_TABLE, RO_COMPAT_GROWING, parse_dtype,
                      validate_header)
from ._buffer import Buffer, open, create, follow  # noqa: A004
from ._array import save, load
from ._checksum import backend as checksum_backend
from ._verify import (verify, Report, BadRange, VERDICT_OK,
                      VERDICT_UNVERIFIABLE, VERDICT_CORRUPT, VERDICT_FAILED)

__all__ = [
    "save", "load",
    "open", "create", "follow", "Buffer", "Header", "parse_dtype",
    "validate_header",
    "verify", "Report", "BadRange", "checksum_backend", "VERDICT_OK",
    "VERDICT_UNVERIFIABLE", "VERDICT_CORRUPT", "VERDICT_FAILED",
    "NoChecksumError",
    "Error", "MagicError", "ChecksumError", "TornError", "VersionError",
    "FeatureError", "ROFeatureError", "TruncatedError", "InconsistentError",
    "NotRegularError", "BusyError", "ReadOnlyError", "DtypeError",
    "ShapeError", "LabelError", "LengthError", "AlignError", "ReadLockError",
    "ViewsAliveError", "ViewError", "FollowWarning", "MAGIC",
    "FORMAT_VERSION_MAJOR", "FORMAT_VERSION_MINOR",
    "STATE_WRITER_OPEN", "STATE_SEALED", "COMPAT_DATA_CHECKSUM",
    "COMPAT_NOTIFY", "RO_COMPAT_LOCKING", "RO_COMPAT_BLOCK_TABLE",
    "RO_COMPAT_GROWING",
]

Header.__module__ = "mmbuf"
FollowWarning.__module__ = "mmbuf"
Buffer.__module__ = "mmbuf"
Report.__module__ = "mmbuf"
BadRange.__module__ = "mmbuf"


# The format's version was exported as VERSION_MAJOR and VERSION_MINOR;
# C calls it MMBUF_FORMAT_VERSION_*, and MMBUF_VERSION_* is the library's.
_RENAMED = {"VERSION_MAJOR": "FORMAT_VERSION_MAJOR",
            "VERSION_MINOR": "FORMAT_VERSION_MINOR"}


def __getattr__(name: str) -> int:
    """The old names of the format's version, with a DeprecationWarning."""
    new = _RENAMED.get(name)
    if new is None:
        raise AttributeError("module 'mmbuf' has no attribute %r" % (name,))
    _warnings.warn("mmbuf.%s is deprecated: use mmbuf.%s, the format's "
                   "version" % (name, new), DeprecationWarning, stacklevel=2)
    value: int = globals()[new]
    return value
