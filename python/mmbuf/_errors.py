"""The exceptions of mmbuf, one per error code of the C library.

Every mmbuf failure raises an instance of :class:`Error`.  Its ``code`` is
the value that libmmbuf returns for the same failure (``MMBUF_EMAGIC`` is
-10001, ...) and its ``name`` the C name, so messages and scripts can use
one vocabulary in both languages.  System errors (no such file, permission
denied, ...) are raised as the usual :class:`OSError` subclasses.
"""

__all__ = [
    "Error", "MagicError", "ChecksumError", "TornError", "VersionError",
    "FeatureError", "ROFeatureError", "TruncatedError", "InconsistentError",
    "NotRegularError", "BusyError", "ReadOnlyError", "DtypeError",
    "ShapeError", "LabelError", "LengthError", "ReadLockError",
    "ViewsAliveError", "ViewError", "NoChecksumError",
]


class Error(Exception):
    """Base class of every mmbuf error.

    ``code`` is the libmmbuf error code (a negative int, None for errors
    that only Python has) and ``name`` its symbolic name, e.g.
    ``"MMBUF_EMAGIC"``, as mmbuf_err_name() gives it in C.
    """

    code = None
    name = "MMBUF_ERROR"


def _make(cls_name, value, cname, doc, bases=(), base=Error):
    name = "MMBUF_E" + cname
    # help() names the C equivalent, as BusyError's docstring does.
    doc += "\n\nIn C: %s (%d)." % (name, value)
    cls = type(cls_name, (base,) + bases,
               {"code": value, "name": name, "__doc__": doc,
                "__module__": "mmbuf"})
    return cls


MagicError = _make("MagicError", -10001, "MAGIC",
                   "Not an mmbuf buffer file (bad magic).")
ChecksumError = _make("ChecksumError", -10002, "CHECKSUM",
                      "Header checksum mismatch.")
TornError = _make("TornError", -10003, "TORN",
                  "Torn header slot (generation copies differ).")
VersionError = _make("VersionError", -10004, "VERSION",
                     "Unsupported format version.")
FeatureError = _make("FeatureError", -10005, "FEATURE",
                     "Unsupported incompatible feature.")
ROFeatureError = _make("ROFeatureError", -10006, "ROFEATURE",
                       "Unsupported read-only-compatible feature: "
                       "open read-only.")
TruncatedError = _make("TruncatedError", -10007, "TRUNCATED",
                       "The file is shorter than its header says.")
InconsistentError = _make("InconsistentError", -10008, "INCONSISTENT",
                          "Inconsistent header fields.")
NotRegularError = _make("NotRegularError", -10009, "NOTREG",
                        "Not a regular file.")


class BusyError(Error):
    """Another writer has the buffer open (mmbuf_open() with MMBUF_RDWR
    in C).

    ``path`` is the file (None where the call had none to give) and
    ``writer_pid`` the process ID of the last writer as the header
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

    code = -10010
    name = "MMBUF_EBUSY"

    def __init__(self, message=None, *, path=None, writer_pid=None):
        if message is None:
            message = MESSAGES[self.name]
            if path is not None:
                message = "%s: %s" % (path, message)
            if writer_pid:
                message += (" (the header names pid %d as the last writer;"
                            " this may be stale: the lock does not tell "
                            "who holds it)" % writer_pid)
        super().__init__(message)
        self.path = path
        self.writer_pid = writer_pid or None


BusyError.__module__ = "mmbuf"
ReadOnlyError = _make("ReadOnlyError", -10011, "READONLY",
                      "The buffer is open read-only.")
DtypeError = _make("DtypeError", -10012, "DTYPE", "Invalid dtype.",
                   (ValueError,))
ShapeError = _make("ShapeError", -10013, "SHAPE",
                   "The shape does not fit the capacity.", (ValueError,))
LabelError = _make("LabelError", -10014, "LABEL",
                   "The label is too long or not UTF-8.", (ValueError,))
LengthError = _make("LengthError", -10015, "LENGTH",
                    "The length exceeds the capacity.", (ValueError,))
ReadLockError = _make("ReadLockError", -10017, "READLOCK",
                      "A read lock on the writer's byte keeps writers out "
                      "(mmbuf_open()\nwith MMBUF_RDWR in C).\n\n"
                      "The locks of mmbuf(5) are advisory: any process that "
                      "can read\nthe file can hold such a lock.  A BusyError, "
                      "but no writer is\nopen; ``path`` and ``writer_pid`` "
                      "(the last writer, not the holder\nof the read lock, "
                      "which no lock reports) as in BusyError.",
                      base=BusyError)


class ViewsAliveError(Error):
    """close() found views of the buffer still in use by the caller.

    ``count`` is how many were found (at least 1).  Release them (``del``
    the NumPy arrays, call ``.release()`` on memoryviews) and call close()
    again; the buffer stays open until then.
    """

    name = "MMBUF_VIEWS_ALIVE"

    def __init__(self, message, count):
        super().__init__(message)
        self.count = count


class ViewError(Error, TypeError):
    """memoryview cannot express the buffer's dtype (.view); use .raw or
    .to_numpy() instead.  Also raised by len(), iteration and .to_numpy()
    for a shape they cannot express, such as (2**63, 0): a valid shape,
    with no elements, whose first axis is longer than sys.maxsize."""

    name = "MMBUF_VIEW"


class NoChecksumError(Error, RuntimeError):
    """verify() or seal() found no XXH3-64 implementation: neither
    libmmbuf (through ctypes; MMBUF_LIBRARY names it explicitly) nor the
    xxhash module.  The message says what was tried; everything else in
    mmbuf works without one."""

    name = "MMBUF_NO_CHECKSUM"


# The messages of mmbuf_strerror() for each code, word for word, so that
# "python3 -m mmbuf verify" prints what verifybuf prints.
MESSAGES = {
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


BY_NAME = {c.name: c for c in (
    MagicError, ChecksumError, TornError, VersionError, FeatureError,
    ROFeatureError, TruncatedError, InconsistentError, NotRegularError,
    BusyError, ReadOnlyError, DtypeError, ShapeError, LabelError,
    LengthError, ReadLockError)}
