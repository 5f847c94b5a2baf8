"""mmbuf.save() and mmbuf.load(): the two calls people use with .npy
files, over buffer files, with mmbuf's guarantees.  NumPy is imported by
the calls, never at package import.
"""

from __future__ import annotations

import os
import stat
import weakref
from typing import Any, Optional

from . import _buffer as B
from . import _errors as E
from . import _format as F
from ._types import ArrayLike, NDArray, PathArg


# save() writes in pieces of this size and starts the writeback of each
# as soon as it is written, so that the disk works while the next piece is
# copied, instead of all at the final sync (as np.save then fsync does).
_WRITE_PIECE = 16 << 20
_SYNC_FILE_RANGE_WRITE = 2


def _sync_file_range() -> Any:
    """libc's sync_file_range(2) through ctypes, or None where there is
    none (not Linux, or no libc to load): then the final sync does all."""
    global _sfr
    if _sfr is None:
        try:
            import ctypes
            fn = ctypes.CDLL(None, use_errno=True).sync_file_range
            fn.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64,
                           ctypes.c_uint]
            fn.restype = ctypes.c_int
            _sfr = fn
        except (OSError, AttributeError):
            _sfr = False
    return _sfr or None


_sfr: Any = None


def _write_behind(fd: int, data: Any, offset: int) -> None:
    """pwrite data at offset in pieces, starting the writeback of each
    piece once it is written (a hint: publish() syncs everything)."""
    view = memoryview(data)
    start = _sync_file_range()
    while view:
        piece = view[:_WRITE_PIECE]
        B._pwrite_all(fd, piece, offset)
        if start is not None:
            start(fd, offset, len(piece), _SYNC_FILE_RANGE_WRITE)
        view, offset = view[len(piece):], offset + len(piece)


def _drop_cache(path: "str | bytes") -> None:
    """Drop the page cache of the file a replace is about to supersede
    (only its clean pages that nothing maps): its memory is then reused by
    the new file at once, instead of the new file needing as much again."""
    if not hasattr(os, "posix_fadvise"):
        return
    try:
        # Only a regular file, never through a symbolic link (the replace
        # refuses both later): a device may act on an open.
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return
        fd = B._open_fd(path, False)
    except (E.Error, OSError):
        return
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    except OSError:
        pass
    finally:
        os.close(fd)


def _numpy() -> Any:
    try:
        import numpy
    except ImportError:
        raise ImportError("mmbuf.save() and mmbuf.load() need NumPy "
                          "(apt-get install python3-numpy, or pip install "
                          "numpy)") from None
    return numpy


def save(path: PathArg, array: ArrayLike, *, label: Optional[str] = None,
         seal: bool = False, exist_ok: bool = False) -> None:
    """Save an array to a new buffer file at path, atomically and
    durably: the counterpart of ``np.save``.

    In C: mmbuf_create() with MMBUF_CREATE_UNPUBLISHED, mmbuf_write(),
    mmbuf_seal() and mmbuf_publish(); exist_ok is MMBUF_CREATE_REPLACE.

    array is anything that ``np.ascontiguousarray`` makes a C-contiguous
    array of 1 to 8 dimensions of a supported dtype (bool, int8 to uint64,
    float16/32/64, complex64/128, either byte order); it is copied into
    the file once, in its own byte order, with its shape.  label is UTF-8
    text of at most 255 bytes (None: none).

    The file is built as mmbuf.create(..., publish=False) builds it, under
    no name: written, sealed if seal is true (as Buffer.seal(): the file
    then passes verifybuf), committed clean, synced, and only then linked
    under path and the directory synced (mmbuf_publish() in C).  So a crash
    leaves the old file or nothing, never a part.  Without exist_ok an
    existing path raises FileExistsError and is left as it is; with it a
    regular file there is replaced atomically (its cached pages that
    nothing maps are dropped first, so that the new file reuses their
    memory).  The writeback of each 16 MiB written starts at once, so the
    final sync has little left to do.

    What the format cannot hold raises an mmbuf.Error and leaves no file:
    DtypeError for object, string, structured, datetime and longdouble
    (float128) dtypes; ShapeError for a 0-d array (ndim 0 means "flat" in
    mmbuf(5): save ``a.reshape(1)``) or more than 8 dimensions.  Also
    raises LabelError, NoChecksumError (seal without an XXH3-64 back end),
    NotRegularError or OSError; ImportError without NumPy.  path is a
    str, bytes or os.PathLike.  Returns None.
    """
    np = _numpy()
    path = os.fspath(path)
    name = os.fsdecode(path)    # in messages
    arr = np.asanyarray(array)
    if arr.ndim == 0:       # before ascontiguousarray makes it 1-d
        raise E.ShapeError("%s: a 0-d array has no shape a buffer file can "
                           "hold (ndim 0 means a flat buffer); save "
                           "a.reshape(1) instead" % (name,))
    arr = np.ascontiguousarray(arr)
    try:
        dtype, _ = F.parse_dtype(arr.dtype.str)
    except E.DtypeError:
        raise E.DtypeError("%s: NumPy dtype %s cannot be kept in a buffer "
                           "file: the types are bool, int8 to uint64, "
                           "float16 to float64, complex64 and complex128"
                           % (name, arr.dtype)) from None
    if arr.ndim > F.MAX_DIMS:
        raise E.ShapeError("%s: %d dimensions, a buffer file holds at most "
                           "%d" % (name, arr.ndim, F.MAX_DIMS))
    if exist_ok:
        _drop_cache(path)
    buf = B.create(path, dtype=dtype, shape=arr.shape,
                   label="" if label is None else label, sparse=True,
                   exist_ok=exist_ok, publish=False)
    try:
        # pwrite, not stores through the mapping: no page faults, and a
        # full disk is an OSError.  Every byte of the capacity is written,
        # so the sparse file ends up fully allocated.
        if arr.nbytes:
            _write_behind(buf._fd, arr.reshape(-1).view(np.uint8),
                          buf.header.data_offset)
        if seal:
            buf.seal()
        buf._commit_clean(durable=False)   # publish() syncs everything
        buf.publish()
    except BaseException:
        buf._discard()
        raise
    buf._abandon()      # committed and published: nothing left to do


def load(path: PathArg, mode: str = "r") -> NDArray:
    """Open the buffer file at path and return its contents as a NumPy
    array, without a copy: the counterpart of ``np.load(path,
    mmap_mode=mode)``.

    In C: mmbuf_open() and mmbuf_data(); for ``"r+"``, mmbuf_close()
    when the array goes.

    The array is shaped like Buffer.shape (a flat buffer gives the
    length // itemsize committed elements) and owns its mapping: nothing
    needs closing.  mode is ``"r"`` (a read-only array; the reader lock
    lasts as long as the array, so a writer cannot shrink the file under
    it) or ``"r+"`` (a writable array; the writer lock lasts as long as
    the array, and other writers get BusyError).  For ``"r+"``, when the
    array (and every view of it) is collected, the buffer is closed as
    Buffer.close() closes it: the stores are synced, the clean state
    committed, and the lock released; it is mmbuf_open() and, at the end,
    mmbuf_close() in C.

    Raises what mmbuf.open() raises, and ViewError for a shape NumPy
    cannot hold; ImportError without NumPy.
    """
    _numpy()
    buf = B.open(path, mode)
    try:
        arr = buf.to_numpy()
    except BaseException:
        buf.close()
        raise
    if mode == "r":
        buf.close()     # the array keeps the mapping and the reader lock
    else:
        # Close (sync, commit, unlock) when the array goes with the last
        # of its views: they all hold, as their base, the array that
        # NumPy made over the mapping (NumPy collapses chains of bases).
        root = arr
        while isinstance(root.base, type(arr)):
            root = root.base
        weakref.finalize(root, buf.close)
    return arr
