"""The exceptions of mmbuf, one per error code of the C library.

Every mmbuf failure raises an instance of :class:`Error`.  Its ``code`` is
the value that libmmbuf returns for the same failure (``MMBUF_EMAGIC`` is
-10001, ...) and its ``name`` the C name, so messages and scripts can use
one vocabulary in both languages.  System errors (no such file, permission
denied, ...) are raised as the usual :class:`OSError` subclasses.
"""

import inspect
import os
from typing import Dict, Optional, Tuple, Type, Union

__all__ = [
    "Error", "MagicError", "ChecksumError", "TornError", "VersionError",
    "FeatureError", "ROFeatureError", "TruncatedError", "InconsistentError",
    "NotRegularError", "BusyError", "ReadOnlyError", "DtypeError",
    "ShapeError", "LabelError", "LengthError", "AlignError",
    "ReadLockError", "ViewsAliveError", "ViewError", "NoChecksumError",
    "FollowWarning",
]


class Error(Exception):
    """Base class of every mmbuf error.

    ``code`` is the libmmbuf error code (a negative int, None for errors
    that only Python has) and ``name`` its symbolic name, e.g.
    ``"MMBUF_EMAGIC"``, as mmbuf_err_name() gives it in C.
    """

    code: Optional[int] = None
    name: str = "MMBUF_ERROR"


class MagicError(Error):
    """Not an mmbuf buffer file (bad magic)."""


class ChecksumError(Error):
    """Header CRC mismatch: a slot whose CRC-32 does not match."""


class TornError(Error):
    """Torn header slot (generation copies differ)."""


class VersionError(Error):
    """Unsupported format version."""


class FeatureError(Error):
    """Unsupported incompatible feature."""


class ROFeatureError(Error):
    """Unsupported read-only-compatible feature: open read-only."""


class TruncatedError(Error):
    """The file is shorter than its header says."""


class InconsistentError(Error):
    """Inconsistent header fields."""


class NotRegularError(Error):
    """Not a regular file."""


class ReadOnlyError(Error):
    """The buffer is open read-only."""


class DtypeError(Error, ValueError):
    """Invalid dtype."""


class ShapeError(Error, ValueError):
    """The shape does not fit the capacity."""


class LabelError(Error, ValueError):
    """The label is too long or not UTF-8."""


class LengthError(Error, ValueError):
    """The length exceeds the capacity."""


class AlignError(Error, ValueError):
    """The data alignment is not a power of two up to 2 MiB.

    Only the C library's mmbuf_create() takes an alignment (the align
    field of mmbuf_create_opts); create() has none, so this package never
    raises it: it is here so that every code of libmmbuf has its class."""


class BusyError(Error):
    """Another writer has the buffer open (mmbuf_open() with MMBUF_RDWR
    in C).

    ``path`` is the file (a str, or bytes if given as bytes; None where
    the call had none to give) and ``writer_pid`` the process ID of the
    last writer as the header records it (mmbuf(5), ``writer_pid``), or
    None when the header names none or cannot be read.  It is a clue, not
    the holder of the lock: it may be stale (that writer may be gone and
    its process ID reused, or be another PID namespace's), and the
    open-file-description locks of mmbuf(5) do not report who holds
    them.  The message says both, e.g. "t.mmbuf: buffer is busy: another
    writer has it open (the header names pid 4242 as the last writer;
    this may be stale: the lock does not tell who holds it)".
    """

    path: Optional[Union[str, bytes]]
    writer_pid: Optional[int]

    def __init__(self, message: Optional[str] = None, *,
                 path: Optional[Union[str, bytes]] = None,
                 writer_pid: Optional[int] = None) -> None:
        if message is None:
            message = MESSAGES[self.name]
            if path is not None:
                message = "%s: %s" % (os.fsdecode(path), message)
            if writer_pid == os.getpid() and self.name == "MMBUF_EBUSY":
                message += (" (the header names this process, pid %d, as "
                            "the last writer: a writer it still has open, "
                            "or one that a child of fork() inherited and "
                            "has not closed, holds the lock)" % writer_pid)
            elif writer_pid:
                message += (" (the header names pid %d as the last writer;"
                            " this may be stale: the lock does not tell "
                            "who holds it)" % writer_pid)
        super().__init__(message)
        self.path = path
        self.writer_pid = writer_pid or None


class ReadLockError(BusyError):
    """A read lock on the writer's byte keeps writers out (mmbuf_open()
    with MMBUF_RDWR in C).

    The locks of mmbuf(5) are advisory: any process that can read
    the file can hold such a lock.  A BusyError, but no writer is
    open; ``path`` and ``writer_pid`` (the last writer, not the holder
    of the read lock, which no lock reports) as in BusyError."""


class ViewsAliveError(Error):
    """close() found views of the buffer still in use by the caller.

    ``count`` is how many were found (at least 1).  Release them (``del``
    the NumPy arrays, call ``.release()`` on memoryviews) and call close()
    again; the buffer stays open until then.
    """

    name: str = "MMBUF_VIEWS_ALIVE"
    count: int

    def __init__(self, message: str, count: int) -> None:
        super().__init__(message)
        self.count = count


class ViewError(Error, TypeError):
    """memoryview cannot express the buffer's dtype (.view); use .raw or
    .to_numpy() instead.  Also raised by len(), iteration and .to_numpy()
    for a shape they cannot express, such as (2**63, 0): a valid shape,
    with no elements, whose first axis is longer than sys.maxsize."""

    name: str = "MMBUF_VIEW"


class NoChecksumError(Error, RuntimeError):
    """verify() or seal() found no XXH3-64 implementation: neither
    libmmbuf (through ctypes; MMBUF_LIBRARY names it explicitly) nor the
    xxhash module.  The message says what was tried; everything else in
    mmbuf works without one."""

    name: str = "MMBUF_NO_CHECKSUM"


class FollowWarning(UserWarning):
    """What Buffer.follow() and mmbuf.follow() report while they go on,
    through the warnings module (``warnings.simplefilter("error",
    mmbuf.FollowWarning)`` makes it end the iteration instead).

    ``kind`` says what happened:

    - ``"shrink"``: the committed length went down, to fewer rows than
      were yielded (``rows_now`` < ``rows_before``).  The rows past the
      new length, already yielded, are gone; the rows committed from
      ``rows_now`` on are new rows and are yielded as they come.  The
      header keeps no history: a follower sees the lengths it finds
      when it looks (at each wake), so a writer that shrinks and then
      appends again past ``rows_now`` before the follower looks shows
      ``rows_now`` as the lowest length seen; rows it rewrote below
      that are not yielded again.  An append-only writer never causes
      this.
    - ``"replaced"``: another file took the path (``mkbuf -f``,
      ``create(exist_ok=True)``, a rename); the rows the old file
      committed were all yielded, and the new file is followed from its
      first row.
    - ``"crash"``: the writer died without closing the file (its lock is
      free, "writer open" still committed): unclean.  Without
      until_closed the follower waits for a writer to open it again.

    ``path`` is the path followed, ``rows_before`` the rows yielded so
    far (of the old file for ``"replaced"``) and ``rows_now`` the rows
    committed now (of the new file for ``"replaced"``).
    """

    def __init__(self, message: str, kind: str, path: Union[str, bytes],
                 rows_before: int, rows_now: int) -> None:
        super().__init__(message)
        self.kind = kind
        self.path = path
        self.rows_before = rows_before
        self.rows_now = rows_now


# libmmbuf's own error codes, in the order of MMBUF_ERROR_MAP in mmbuf.h:
# (name, code, message, class).  The messages are mmbuf_strerror()'s word
# for word, so that "python3 -m mmbuf verify" prints what verifybuf
# prints.  Each class takes its name and code from here, and MESSAGES and
# BY_NAME are made from it; tests/python/test_crosslang.py checks it
# against the header and the library.
_CODES: Tuple[Tuple[str, int, str, Type[Error]], ...] = (
    ("MMBUF_EMAGIC", -10001, "not an mmbuf buffer file (bad magic)",
     MagicError),
    ("MMBUF_ECHECKSUM", -10002, "header CRC mismatch", ChecksumError),
    ("MMBUF_ETORN", -10003, "torn header slot (generation copies differ)",
     TornError),
    ("MMBUF_EVERSION", -10004, "unsupported format version", VersionError),
    ("MMBUF_EFEATURE", -10005, "unsupported incompatible feature",
     FeatureError),
    ("MMBUF_EROFEATURE", -10006,
     "unsupported read-only-compatible feature: open read-only",
     ROFeatureError),
    ("MMBUF_ETRUNCATED", -10007, "file is truncated", TruncatedError),
    ("MMBUF_EINCONSISTENT", -10008, "inconsistent header",
     InconsistentError),
    ("MMBUF_ENOTREG", -10009, "not a regular file", NotRegularError),
    ("MMBUF_EBUSY", -10010, "buffer is busy: another writer has it open",
     BusyError),
    ("MMBUF_EREADONLY", -10011, "buffer is open read-only", ReadOnlyError),
    ("MMBUF_EDTYPE", -10012, "invalid dtype", DtypeError),
    ("MMBUF_ESHAPE", -10013, "shape does not fit the capacity", ShapeError),
    ("MMBUF_ELABEL", -10014, "label is too long or not UTF-8", LabelError),
    ("MMBUF_ELENGTH", -10015, "length exceeds the capacity", LengthError),
    ("MMBUF_EALIGN", -10016, "alignment must be a power of two up to 2 MiB",
     AlignError),
    ("MMBUF_EREADLOCK", -10017,
     "buffer is busy: a read lock on it keeps writers out", ReadLockError),
)

MESSAGES: Dict[str, str] = {}
BY_NAME: Dict[str, Type[Error]] = {}
for _name, _code, _message, _cls in _CODES:
    _cls.name = _name
    _cls.code = _code
    # Name the C equivalent in help().
    if _cls.__doc__ is not None:    # None under python -OO
        _cls.__doc__ = "%s\n\nIn C: %s (%d)." % (
            inspect.cleandoc(_cls.__doc__), _name, _code)
    _cls.__module__ = "mmbuf"
    MESSAGES[_name] = _message
    BY_NAME[_name] = _cls
del _name, _code, _message, _cls
