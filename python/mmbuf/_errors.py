"""The exceptions of mmbuf, one per error code of the C library.

Every mmbuf failure raises an instance of :class:`Error`.  Its ``code`` is
the value that libmmbuf returns for the same failure (``MMBUF_EMAGIC`` is
-10001, ...) and its ``name`` the C name, so messages and scripts can use
one vocabulary in both languages.  System errors (no such file, permission
denied, ...) are raised as the usual :class:`OSError` subclasses.
"""

import os
from typing import Dict, Optional, Tuple, Type, TypeVar, Union

__all__ = [
    "Error", "MagicError", "ChecksumError", "TornError", "VersionError",
    "FeatureError", "ROFeatureError", "TruncatedError", "InconsistentError",
    "NotRegularError", "BusyError", "ReadOnlyError", "DtypeError",
    "ShapeError", "LabelError", "LengthError", "ReadLockError",
    "ViewsAliveError", "ViewError", "NoChecksumError", "FollowWarning",
]


class Error(Exception):
    """Base class of every mmbuf error.

    ``code`` is the libmmbuf error code (a negative int, None for errors
    that only Python has) and ``name`` its symbolic name, e.g.
    ``"MMBUF_EMAGIC"``, as mmbuf_err_name() gives it in C.
    """

    code: Optional[int] = None
    name: str = "MMBUF_ERROR"


_E = TypeVar("_E", bound=Type[Error])


def _coded(cls: _E) -> _E:
    """Name the C equivalent in help(), as BusyError's docstring does."""
    cls.__doc__ = "%s\n\nIn C: %s (%s)." % (cls.__doc__, cls.name, cls.code)
    cls.__module__ = "mmbuf"
    return cls


@_coded
class MagicError(Error):
    """Not an mmbuf buffer file (bad magic)."""

    code: Optional[int] = -10001
    name: str = "MMBUF_EMAGIC"


@_coded
class ChecksumError(Error):
    """Header checksum mismatch."""

    code: Optional[int] = -10002
    name: str = "MMBUF_ECHECKSUM"


@_coded
class TornError(Error):
    """Torn header slot (generation copies differ)."""

    code: Optional[int] = -10003
    name: str = "MMBUF_ETORN"


@_coded
class VersionError(Error):
    """Unsupported format version."""

    code: Optional[int] = -10004
    name: str = "MMBUF_EVERSION"


@_coded
class FeatureError(Error):
    """Unsupported incompatible feature."""

    code: Optional[int] = -10005
    name: str = "MMBUF_EFEATURE"


@_coded
class ROFeatureError(Error):
    """Unsupported read-only-compatible feature: open read-only."""

    code: Optional[int] = -10006
    name: str = "MMBUF_EROFEATURE"


@_coded
class TruncatedError(Error):
    """The file is shorter than its header says."""

    code: Optional[int] = -10007
    name: str = "MMBUF_ETRUNCATED"


@_coded
class InconsistentError(Error):
    """Inconsistent header fields."""

    code: Optional[int] = -10008
    name: str = "MMBUF_EINCONSISTENT"


@_coded
class NotRegularError(Error):
    """Not a regular file."""

    code: Optional[int] = -10009
    name: str = "MMBUF_ENOTREG"


@_coded
class ReadOnlyError(Error):
    """The buffer is open read-only."""

    code: Optional[int] = -10011
    name: str = "MMBUF_EREADONLY"


@_coded
class DtypeError(Error, ValueError):
    """Invalid dtype."""

    code: Optional[int] = -10012
    name: str = "MMBUF_EDTYPE"


@_coded
class ShapeError(Error, ValueError):
    """The shape does not fit the capacity."""

    code: Optional[int] = -10013
    name: str = "MMBUF_ESHAPE"


@_coded
class LabelError(Error, ValueError):
    """The label is too long or not UTF-8."""

    code: Optional[int] = -10014
    name: str = "MMBUF_ELABEL"


@_coded
class LengthError(Error, ValueError):
    """The length exceeds the capacity."""

    code: Optional[int] = -10015
    name: str = "MMBUF_ELENGTH"


class BusyError(Error):
    """Another writer has the buffer open (mmbuf_open() with MMBUF_RDWR
    in C).

    ``path`` is the file (a str, or bytes if given as bytes; None where
    the call had none to give) and ``writer_pid`` the process ID of the last writer as the header
    records it (mmbuf(5), ``writer_pid``), or None when the header names
    none or cannot be read.  It is a clue, not the holder of the lock: it
    may be stale (that writer may be gone and its process ID reused, or
    be another PID namespace's), and the open-file-description locks of
    mmbuf(5) do not report who holds them.  The message says both, e.g.
    "t.mmbuf: buffer is busy: another writer has it open (the header
    names pid 4242 as the last writer; this may be stale: the lock does
    not tell who holds it)".

    In C: MMBUF_EBUSY (-10010).
    """

    code: Optional[int] = -10010
    name: str = "MMBUF_EBUSY"
    path: Optional[Union[str, bytes]]
    writer_pid: Optional[int]

    def __init__(self, message: Optional[str] = None, *,
                 path: Optional[Union[str, bytes]] = None,
                 writer_pid: Optional[int] = None) -> None:
        if message is None:
            message = MESSAGES[self.name]
            if path is not None:
                message = "%s: %s" % (os.fsdecode(path), message)
            if writer_pid:
                message += (" (the header names pid %d as the last writer;"
                            " this may be stale: the lock does not tell "
                            "who holds it)" % writer_pid)
        super().__init__(message)
        self.path = path
        self.writer_pid = writer_pid or None


BusyError.__module__ = "mmbuf"


@_coded
class ReadLockError(BusyError):
    """A read lock on the writer's byte keeps writers out (mmbuf_open()
    with MMBUF_RDWR in C).

    The locks of mmbuf(5) are advisory: any process that can read
    the file can hold such a lock.  A BusyError, but no writer is
    open; ``path`` and ``writer_pid`` (the last writer, not the holder
    of the read lock, which no lock reports) as in BusyError."""

    code: Optional[int] = -10017
    name: str = "MMBUF_EREADLOCK"


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


# The messages of mmbuf_strerror() for each code, word for word, so that
# "python3 -m mmbuf verify" prints what verifybuf prints.
MESSAGES: Dict[str, str] = {
    "MMBUF_EMAGIC": "not an mmbuf buffer file (bad magic)",
    "MMBUF_ECHECKSUM": "header checksum mismatch",
    "MMBUF_ETORN": "torn header slot (generation copies differ)",
    "MMBUF_EVERSION": "unsupported format version",
    "MMBUF_EFEATURE": "unsupported incompatible feature",
    "MMBUF_EROFEATURE": "unsupported read-only-compatible feature: open "
                        "read-only",
    "MMBUF_ETRUNCATED": "file is truncated",
    "MMBUF_EINCONSISTENT": "inconsistent header",
    "MMBUF_ENOTREG": "not a regular file",
    "MMBUF_EBUSY": "buffer is busy: another writer has it open",
    "MMBUF_EREADONLY": "buffer is open read-only",
    "MMBUF_EDTYPE": "invalid dtype",
    "MMBUF_ESHAPE": "shape does not fit the capacity",
    "MMBUF_ELABEL": "label is too long or not UTF-8",
    "MMBUF_ELENGTH": "length exceeds the capacity",
    "MMBUF_EREADLOCK": "buffer is busy: a read lock on it keeps writers out",
}


_CODED: Tuple[Type[Error], ...] = (
    MagicError, ChecksumError, TornError, VersionError, FeatureError,
    ROFeatureError, TruncatedError, InconsistentError, NotRegularError,
    BusyError, ReadOnlyError, DtypeError, ShapeError, LabelError,
    LengthError, ReadLockError)
BY_NAME: Dict[str, Type[Error]] = {c.name: c for c in _CODED}
