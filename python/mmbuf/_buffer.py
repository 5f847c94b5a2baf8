"""Opening, creating and using buffer files: files, mappings and views.

The format rules live in _format.py and the locks in _lock.py; this
module does the system calls, in the order that man/mmbuf.5 prescribes.
"""

from __future__ import annotations

import errno
import functools
import mmap
import os
import stat
import struct
import sys
import threading
import time
import warnings
import weakref
from types import TracebackType
from typing import (Any, Callable, Dict, Iterator, List, Optional, Tuple,
                    Type, TypeVar, Union, cast)

from . import _checksum
from . import _errors as E
from . import _format as F
from . import _lock
from . import _notify
from . import _verify
from ._types import DTypeArg, NDArray, PathArg, ShapeArg

# memoryview format characters for the codes of "Element types".  The
# complex types have none: memoryview.cast() cannot make them.
_FORMATS = {"b1": "?", "u1": "B", "i1": "b", "u2": "H", "i2": "h",
            "u4": "I", "i4": "i", "u8": "Q", "i8": "q", "f2": "e",
            "f4": "f", "f8": "d"}
_NATIVE = "<" if sys.byteorder == "little" else ">"

# The kind of dtype of each single-item struct code of PEP 3118.
_KINDS = {"?": "b", "b": "i", "B": "u", "h": "i", "H": "u", "i": "i",
          "I": "u", "l": "i", "L": "u", "q": "i", "Q": "u", "n": "i",
          "N": "u", "e": "f", "f": "f", "d": "f"}


@functools.lru_cache(maxsize=None)
def _format_dtype(fmt: str) -> Optional[str]:
    """The dtype ("<f8", with "<" for one-byte types) of the items of
    memoryview format fmt, or None when they are not of a type mmbuf
    has (a record, say)."""
    order = "@"
    if fmt[:1] in ("@", "=", "<", ">", "!"):
        order, fmt = fmt[0], fmt[1:]
    if fmt in ("Zf", "Zd"):
        code, size = "c", 8 if fmt == "Zf" else 16
    elif len(fmt) == 1 and fmt in _KINDS:
        code = _KINDS[fmt]
        try:
            # Native sizes with "@", standard ones otherwise.
            size = struct.calcsize(("@" if order == "@" else "<") + fmt)
        except struct.error:
            return None
    else:
        return None
    name = "%s%d" % (code, size)
    if name not in F.ITEMSIZES:
        return None
    if size == 1:
        return "<" + name
    return (_NATIVE if order in ("@", "=") else
            "<" if order == "<" else ">") + name

_ADVICE = {name: getattr(mmap, "MADV_" + name.upper())
           for name in ("normal", "sequential", "random", "willneed",
                        "dontneed", "hugepage")
           if hasattr(mmap, "MADV_" + name.upper())}


@functools.lru_cache(maxsize=None)
def _castable(fmt, itemsize):
    """Whether memoryview.cast() knows fmt in this Python (asked once)."""
    try:
        memoryview(bytes(itemsize)).cast(fmt)
        return True
    except (ValueError, TypeError):
        return False


def _open_fd(path, writable):
    flags = (os.O_RDWR if writable else os.O_RDONLY) | os.O_CLOEXEC
    # O_NONBLOCK: opening a FIFO must not wait for a peer; it is refused
    # below as not a regular file.  It has no effect on a regular file.
    try:
        fd = os.open(path, flags | os.O_NONBLOCK | os.O_NOCTTY)
    except IsADirectoryError:
        raise E.NotRegularError("%s: not a regular file" % (path,))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise E.NotRegularError("%s: not a regular file" % (path,))
    except BaseException:
        os.close(fd)
        raise
    return fd


def _last_writer_pid(fd):
    """The writer_pid of the current header slot of fd, for a BusyError:
    None when no slot is valid."""
    try:
        return F.validate_header(os.pread(fd, F.HEADER_SIZE, 0),
                                 os.fstat(fd).st_size).writer_pid
    except (E.Error, OSError):
        return None


def open(path: PathArg, mode: str = "r") -> Buffer:  # noqa: A001
    """Open an existing buffer file and return a Buffer.

    In C: mmbuf_open(), with flags 0 for ``"r"`` and MMBUF_RDWR for
    ``"r+"``.

    mode is ``"r"`` (read only: takes the shared reader lock) or ``"r+"``
    (read and write: takes the writer lock without waiting, and raises
    BusyError if another writer, in this or any process, C or Python, has
    the file open, or ReadLockError, a BusyError, if a read lock that any
    user who can read the file may take keeps writers out; either names
    the path and the last writer's process ID as the header records it,
    which may be stale).  Both slots, the version, the features, every
    field and the file size are checked before anything is mapped, so a
    damaged or truncated file raises an Error (MagicError, ChecksumError,
    TornError, VersionError, FeatureError, TruncatedError,
    InconsistentError, NotRegularError; ROFeatureError for ``"r+"`` on a
    file with an unknown read-only-compatible feature) and never crashes
    the process.  System errors raise OSError.

    A writer commits the "writer open" state durably before returning; if
    the previous writer did not close, the open goes on and
    ``Buffer.unclean`` is True.  path is a str, bytes or os.PathLike.
    Raises ValueError for another mode.
    """
    if mode not in ("r", "r+"):
        raise ValueError("mode must be 'r' or 'r+', not %r" % (mode,))
    path = os.fspath(path)
    writable = mode == "r+"
    fd = _open_fd(path, writable)
    try:
        if writable:
            try:
                _lock.lock_writer(fd)
            except E.BusyError as e:
                raise type(e)(path=path,
                              writer_pid=_last_writer_pid(fd)) from None
        else:
            _lock.lock_reader(fd)
        # Locks first, then the header: what we validate is what we hold.
        hdr = os.pread(fd, F.HEADER_SIZE, 0)
        slots = F.SlotCache()
        h = F.validate_header(hdr, os.fstat(fd).st_size, slots)
        if writable and h.ro_compat & ~F.RO_COMPAT_KNOWN:
            raise E.ROFeatureError(
                "%s: unsupported read-only-compatible feature 0x%x: open "
                "it read-only" % (os.fsdecode(path),
                                  h.ro_compat & ~F.RO_COMPAT_KNOWN))
        writer_active = unclean = False
        if h.state & F.STATE_WRITER_OPEN:
            if writable or not _lock.writer_present(fd):
                unclean = True
            else:
                writer_active = True
        buf = Buffer(_token, path, fd, h, writable, unclean, writer_active)
        buf._slots = slots      # what refresh() and wait() read next
    except BaseException:
        os.close(fd)
        raise
    if writable:
        try:
            buf._commit(state=(h.state | F.STATE_WRITER_OPEN)
                        & ~F.STATE_SEALED, durable=True)
        except BaseException:
            buf._abandon()
            raise
    return buf


def _check_label(label: str) -> str:
    try:
        raw = label.encode("utf-8")
    except (UnicodeEncodeError, AttributeError):
        raise E.LabelError("label must be a str of valid UTF-8")
    if len(raw) > F.LABEL_MAX or b"\0" in raw:
        raise E.LabelError("label is too long (%d bytes, at most %d) or "
                           "holds a NUL" % (len(raw), F.LABEL_MAX))
    return label


def create(path: PathArg, *, capacity: Optional[int] = None,
           dtype: DTypeArg = "u1", shape: Optional[ShapeArg] = None,
           label: str = "", sparse: bool = False, exist_ok: bool = False,
           publish: bool = True, size: Optional[int] = None) -> Buffer:
    """Create a buffer file and return it open for writing (mode "r+").

    In C: mmbuf_create(), with the fields of mmbuf_create_opts (capacity,
    dtype, ndim and shape, label; sparse is MMBUF_CREATE_SPARSE, exist_ok
    MMBUF_CREATE_REPLACE, publish=False MMBUF_CREATE_UNPUBLISHED).

    capacity is the size in bytes of the data region; it defaults to the
    size of an array of the given shape and dtype.  (size= is its old
    name, deprecated: it still works, with a DeprecationWarning.)  dtype
    is a type string such as ``"<f8"``, ``"f4"``, ``"=i2"`` (codes b1 u1
    i1 u2 i2 u4 i4 u8 i8 f2 f4 f8 c8 c16), or any spelling of those that
    np.dtype() accepts (``"float64"``, ``"d"``, ``np.float64``,
    ``float``, a NumPy dtype): see mmbuf.parse_dtype().  path is a str,
    bytes or os.PathLike.  shape, a sequence of up to 8 ints (or one
    int), must fit the capacity; without it the buffer is a flat
    sequence.  The label is UTF-8 text of at most 255 bytes.  The length
    starts at the capacity, as in mmbuf_create().

    A first dimension of None, ``shape=(None, 3)`` (as h5py spells an
    unlimited maxshape), makes a growing buffer (mmbuf(5), "Shape", feature
    GROWING; MMBUF_CREATE_GROWING in C): it starts empty, length 0,
    and its first dimension is always the committed rows, floor(length /
    row bytes), as every commit writes it (append(), set_length(), ...),
    so .shape, .view, .to_numpy(), iteration and follow() see the rows
    appended so far.  The capacity then defaults to 0 (append() grows
    it).  Rows of zero bytes, such as ``(None, 0)``, raise ShapeError (a
    ValueError).

    The data region is preallocated on disk (so stores cannot fail for
    lack of space) unless sparse is true.  Creation is atomic, as in
    mmbuf(5), "Creating a file": the file is built under no name (or a
    temporary one), locked, synced, then linked into place and the
    directory synced.  Without exist_ok an existing path is never touched
    and FileExistsError is raised; with it the path is replaced atomically,
    if it is a regular file: anything else there (a symbolic link, even to
    a buffer, a directory, a device, a FIFO, a socket) is left as it is
    and NotRegularError is raised.  The directory is the directory part of
    path as given ("." if none), taken as the kernel resolves it, ".." and
    symbolic links included, as every other call on path does.  On
    failure nothing is left behind.

    With publish=False the file is not put in place yet (as with
    MMBUF_CREATE_UNPUBLISHED in C): the buffer can be filled, committed,
    resized and sealed under no name, and Buffer.publish() names it then,
    raising FileExistsError only at that point.  close() before publish()
    discards it, and so does the end of a ``with`` block that did not call
    publish().  A process killed before publish() leaves nothing behind
    where O_TMPFILE works; elsewhere the file waits under a hidden
    temporary name, ".NAME.mmbuf-XXXXXXXXXXXX", which a kill leaves
    behind.

        with mmbuf.create("t.mmbuf", capacity=n, publish=False) as b:
            fill(b.raw)
            b.seal()
            b.publish()     # without this, the block discards the file

    Raises DtypeError, ShapeError, LabelError, LengthError,
    NotRegularError or OSError (naming path, never a name of its own);
    TypeError without capacity or shape, or with both capacity and size.
    """
    if size is not None:
        warnings.warn("mmbuf.create(size=) is deprecated: use capacity=, "
                      "the word of the C library and of Buffer.capacity",
                      DeprecationWarning, stacklevel=2)
        if capacity is not None:
            raise TypeError("create() takes capacity or its deprecated "
                            "name size, not both")
        capacity = size
    dtype, itemsize = F.parse_dtype(dtype)
    dims: Any = shape
    growing = False
    if dims is not None:
        try:
            dims = list(dims)
        except TypeError:
            dims = [dims]
        growing = len(dims) > 0 and dims[0] is None
        if None in dims[growing:]:
            raise E.ShapeError("shape %r: only the first dimension can be "
                               "None (growing)" % (tuple(dims),))
        if growing:
            dims[0] = 0     # the committed rows: none yet
        shape = tuple(int(d) for d in dims)
        if len(shape) > F.MAX_DIMS or any(d < 0 for d in shape):
            raise E.ShapeError("shape %r: at most %d dimensions, none "
                               "negative" % (shape, F.MAX_DIMS))
        nbytes = F.shape_nbytes(itemsize, shape)
        if nbytes is None or (growing and F.shape_nbytes(
                itemsize, (1,) + shape[1:]) is None):
            raise E.ShapeError("shape %r is too large" % (shape,))
        if growing and F.row_bytes(itemsize, shape) == 0:
            raise E.ShapeError("shape %r: a growing first dimension needs "
                               "rows of at least one byte"
                               % ((None,) + shape[1:],))
    else:
        shape, nbytes = (), 0
    if capacity is None:
        if not shape:
            raise TypeError("create() needs a capacity or a shape")
        capacity = nbytes
    capacity = int(capacity)
    if capacity < 0 or F.DATA_OFFSET_MIN + capacity > F.FILE_SIZE_MAX:
        raise E.LengthError("capacity %d is out of range" % capacity)
    if nbytes > capacity:
        raise E.ShapeError("shape %r of %s needs %d bytes, more than the "
                           "capacity %d" % (shape, dtype, nbytes, capacity))
    _check_label(label)
    now = time.time_ns()
    uuid = bytearray(os.urandom(16))
    uuid[6] = (uuid[6] & 0x0F) | 0x40   # RFC 4122 version 4
    uuid[8] = (uuid[8] & 0x3F) | 0x80
    data_offset = F.DATA_OFFSET_MIN
    ro_compat = F.RO_COMPAT_LOCKING
    length = capacity
    if growing:
        ro_compat |= F.RO_COMPAT_GROWING
        length = 0      # a growing buffer starts with no rows
    h = F.Header(1, F.FORMAT_VERSION_MAJOR,
                 F.FORMAT_VERSION_MINOR,
                 F.COMPAT_NOTIFY if _notify.AVAILABLE else 0, ro_compat,
                 0, bytes(uuid), now, now, data_offset, capacity, length,
                 data_offset + capacity, F.STATE_WRITER_OPEN,
                 os.getpid() & 0xFFFFFFFF, dtype, itemsize, len(shape),
                 shape, 0, 0, 0, 0, 0, label, 1)

    path = os.fspath(path)
    # The directory part as given, as the C library takes it (not made
    # absolute or normalised): the kernel resolves its ".." and symbolic
    # links, as for every other call on path.
    directory, base = os.path.split(path)
    directory = directory or "."
    if base in ("", ".", ".."):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
    if exist_ok:
        _check_replaceable(path)     # before any work; publish() again
    try:
        fd, tmp = _new_file(directory, base)
    except OSError as e:
        raise _on_path(e, path) from None
    try:
        _lock.lock_writer(fd)
        if sparse:
            os.ftruncate(fd, h.file_size)
        else:
            os.posix_fallocate(fd, 0, h.file_size)
        _pwrite_all(fd, F.encode_slot(h), F.PAGE)             # gen 1
        h = h.replace(generation=2, slot=0)
        _pwrite_all(fd, F.encode_slot(h), 0)                  # gen 2
        buf = Buffer(_token, path, fd, h, True, False, False)
    except BaseException:
        os.close(fd)
        _unlink_quietly(tmp)
        raise
    buf._sparse = bool(sparse)
    pending = buf._pending = _Pending(path, directory, base, tmp,
                                      bool(exist_ok))
    if publish:
        try:
            buf.publish()
        except BaseException:
            # Put in place but the directory sync failed: a name of ours
            # that may not last goes, as in mmbuf_create() (a replacement
            # cannot be undone).
            if buf.published and not exist_ok:
                _unlink_if_file(pending.target, buf._fd)
            buf._discard()
            raise
    return buf


class _Pending:
    """Where an unpublished buffer goes: the path it was created with, as
    given (target), its directory part and last name, its temporary name
    (None for an O_TMPFILE file), and whether it replaces what is there."""

    __slots__ = ("target", "directory", "base", "tmp", "replace")

    def __init__(self, target, directory, base, tmp, replace):
        self.target = target
        self.directory = directory
        self.base = base
        self.tmp = tmp
        self.replace = replace


def _on_path(e, path):
    """The OSError e of a step on a name of ours (the directory, a
    temporary or staging name, /proc/self/fd/N) as the same error on the
    path the caller gave."""
    return OSError(e.errno, e.strerror, path)


def _check_replaceable(path):
    """Raise NotRegularError unless a replace may rename a file over path:
    nothing is there, or a regular file (mmbuf(5), "Creating a file").
    lstat(), so a symbolic link is refused too, neither followed nor
    replaced."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if not stat.S_ISREG(st.st_mode):
        raise E.NotRegularError("%s: not a regular file: a replace replaces "
                                "only a regular file" % (path,))


def _unlink_if_file(name, fd):
    """Remove name if it still names the file of fd."""
    try:
        st, now = os.fstat(fd), os.lstat(name)
        if (now.st_ino, now.st_dev) == (st.st_ino, st.st_dev):
            os.unlink(name)
    except OSError:
        pass


def _unlink_quietly(name):
    if name is not None:
        try:
            os.unlink(name)
        except OSError:
            pass


def _short(base):
    """base cut to 200 bytes, as the C library cuts it in these names."""
    return os.fsdecode(os.fsencode(base)[:200])


def _tmp_name(directory, base):
    """A temporary name for base, as mmbuf(5) spells them."""
    return os.path.join(directory, ".%s.mmbuf-%s" % (_short(base),
                                                     os.urandom(6).hex()))


def _new_file(directory, base):
    """A new empty file in directory: (fd, None) without a name when
    O_TMPFILE works, else (fd, tmpname)."""
    flags = os.O_RDWR | os.O_CLOEXEC
    # Naming an O_TMPFILE file goes through /proc/self/fd.
    if hasattr(os, "O_TMPFILE") and os.path.isdir("/proc/self/fd"):
        try:
            return os.open(directory, flags | os.O_TMPFILE, 0o666), None
        except OSError as e:
            if e.errno not in (errno.EOPNOTSUPP, errno.EISDIR,
                               errno.EINVAL, errno.ENOENT):
                raise
    for _ in range(100):
        tmp = _tmp_name(directory, base)
        try:
            return os.open(tmp, flags | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "cannot make a temporary file",
                          directory)


def _link_unnamed(fd, directory, name):
    """Give the O_TMPFILE file of fd the name directory/name; raises
    FileExistsError if it exists.  A dst_dir_fd makes os.link() call
    linkat() with AT_SYMLINK_FOLLOW, which links the file that the /proc
    entry names (plain link() would fail with EXDEV)."""
    dfd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.link("/proc/self/fd/%d" % fd, name, dst_dir_fd=dfd,
                follow_symlinks=True)
    finally:
        os.close(dfd)


def _remove_stale(name):
    """True if the staging file name was left by a dead creator (a
    regular file of our own user whose writer lock nobody holds) and is
    now removed, or is gone.  False leaves anything else alone (a live
    creator's file, a symbolic link, another user's file, one we cannot
    open or remove): the caller takes a name of its own."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK
                     | os.O_CLOEXEC)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    try:
        st = os.fstat(fd)
        if (not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid()
                or _lock.writer_present(fd)):
            return False
        # Only the file we checked, not one that took the name since.
        try:
            now = os.lstat(name)
        except FileNotFoundError:
            return True
        if (now.st_ino, now.st_dev) != (st.st_ino, st.st_dev):
            return False
        try:
            os.unlink(name)
        except FileNotFoundError:
            pass
        except OSError:
            return False
        return True
    finally:
        os.close(fd)


def _link_staging(fd, directory, base):
    """Link the O_TMPFILE file of fd under the staging name of base,
    ".BASE.mmbuf-new" (mmbuf(5), "Creating a file"), removing one that a
    dead creator left; under a temporary name when the staging name
    cannot be claimed (a live creator holds it, or anything else is
    there).  Returns the name."""
    staging = ".%s.mmbuf-new" % _short(base)
    for _ in range(3):
        try:
            _link_unnamed(fd, directory, staging)
            return os.path.join(directory, staging)
        except FileExistsError:
            if not _remove_stale(os.path.join(directory, staging)):
                break
    for _ in range(100):
        tmp = _tmp_name(directory, base)
        try:
            _link_unnamed(fd, directory, os.path.basename(tmp))
            return tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "cannot make a temporary name",
                          directory)


def _pwrite_all(fd: int, data: Any, offset: int) -> None:
    view = memoryview(data)
    while view:
        n = os.pwrite(fd, view, offset)
        view, offset = view[n:], offset + n


def _sync_dir(directory):
    dfd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


_token = object()   # Buffers are made by open() and create() only


@functools.lru_cache(maxsize=None)
def _import_numpy():
    try:
        import numpy
    except ImportError:
        return None
    return numpy


def _numpy():
    """NumPy, imported on first use (never at package import), or None."""
    return sys.modules.get("numpy") or _import_numpy()


def _reopen(path: Union[str, bytes], uuid: bytes) -> Buffer:
    """Unpickle a Buffer (see Buffer.__reduce__)."""
    buf = open(path, "r")
    if buf.uuid != uuid:
        buf.close()
        raise E.InconsistentError("%s: the file is now another buffer"
                                  % (os.fsdecode(path),))
    return buf

# wait(): the longest a waiter sleeps on the futex before it looks at the
# writer lock again (mmbuf(5), "Waiting for a commit"), and the first and
# the longest pause of polling, which doubles.
_SLICE = 0.5
_PAUSE_MIN = 0.001
_PAUSE_MAX = 0.1


def _committed_rows(h: F.Header) -> int:
    """The rows along the first axis that the header's length covers:
    shape[0] of a growing buffer, the whole rows of the length for a
    declared shape (at most shape[0]), the elements of a flat buffer;
    0 for rows of no bytes."""
    if h.growing:
        return h.shape[0]
    rb = h.row_bytes
    if rb == 0:
        return 0
    n = h.length // rb
    return min(n, h.shape[0]) if h.ndim else n


def _same_file(path: Union[str, bytes], fd: int) -> Optional[bool]:
    """Whether path names the file of fd now; None when nothing is
    there."""
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    here = os.fstat(fd)
    return (st.st_ino, st.st_dev) == (here.st_ino, here.st_dev)


def _follow(buf: Buffer, owned: bool, timeout: Optional[float],
            until_closed: bool) -> Iterator[Any]:
    """The generator of Buffer.follow() and follow(): buf is closed at
    the end if owned."""
    done = 0
    last_crash = -1     # the generation whose crash was reported
    progress = time.monotonic()
    checked = progress
    try:
        while True:
            h = buf.header
            n = _committed_rows(h)
            if n < done:
                warnings.warn(E.FollowWarning(
                    "%s: the length went down from %d rows to %d: rows %d "
                    "to %d, already yielded, are gone; rows from %d on are "
                    "yielded as they are committed again (generation %d)"
                    % (buf._name, done, n, n, done - 1, n, h.generation),
                    "shrink", buf._path, done, n), stacklevel=2)
                done = n
            if n > done:
                rows = buf._rows_of(done, n)
                done = n
                yield rows
                del rows
                # The timeout counts the wait, not the caller's work.
                progress = time.monotonic()
                continue
            if buf.unclean and h.generation != last_crash:
                last_crash = h.generation
                warnings.warn(E.FollowWarning(
                    "%s: the writer (pid %d) died without closing the file "
                    "(generation %d); %s" % (
                        buf._name, h.writer_pid, h.generation,
                        "stopping" if until_closed
                        else "waiting for a writer to open it again"),
                    "crash", buf._path, done, n), stacklevel=2)
            if until_closed and not buf.writer_active:
                return
            now = time.monotonic()
            if now - checked >= _SLICE:
                checked = now
                new = _replacement(buf)
                if new is not None:
                    # What the old file committed last is not lost.
                    if buf.refresh() and _committed_rows(buf.header) > done:
                        continue
                    warnings.warn(E.FollowWarning(
                        "%s: the file was replaced; following the new file "
                        "from its first row (%d rows of the old one were "
                        "yielded; new uuid %s)" % (buf._name, done,
                                                   new.uuid.hex()),
                        "replaced", buf._path, done,
                        _committed_rows(new.header)), stacklevel=2)
                    if owned:
                        buf.close()
                    buf, owned, done, last_crash = new, True, 0, -1
                    progress = now
                    continue
            if timeout is None:
                step = _SLICE
            else:
                step = min(_SLICE, progress + timeout - now)
                if step <= 0:
                    return
            try:
                buf.wait(step)
            except E.InconsistentError:
                # The file itself was made another buffer (cp over it,
                # say): a replacement too, as for dumpbuf --follow, but
                # what the old one committed last went with it.
                new = open(buf._path, "r")
                warnings.warn(E.FollowWarning(
                    "%s: the file was replaced (rewritten in place); "
                    "following the new buffer from its first row (%d rows "
                    "of the old one were yielded; new uuid %s)"
                    % (buf._name, done, new.uuid.hex()),
                    "replaced", buf._path, done,
                    _committed_rows(new.header)), stacklevel=2)
                if owned:
                    buf.close()
                buf, owned, done, last_crash = new, True, 0, -1
                progress = checked = time.monotonic()
    finally:
        if owned:
            buf.close()


def follow(path: PathArg, timeout: Optional[float] = None,
           until_closed: bool = False) -> Iterator[Any]:
    """Follow a writer: yield the rows of the buffer file at path as they
    are committed, from the first, each exactly once and in order.

        for rows in mmbuf.follow("log.mmbuf"):
            print(rows)         # the rows appended since the last ones

    Each item holds the rows committed since the previous item (one at
    least), along the first axis, typed as the buffer is: a NumPy array
    of shape ``(k,) + shape[1:]`` and the buffer's dtype when NumPy is
    there, else a memoryview cast to the dtype and row shape (of the
    bytes, format "B", for dtypes memoryview cannot express).  Rows are
    the elements of a flat buffer, and of a buffer with a fixed shape the
    whole rows within the length.  Nothing is copied: the items are
    read-only views of the mapping, valid as long as they live.

    The file may not exist yet: the follower waits for it to appear (by
    polling, at most 100 ms apart), so writer and followers may start in
    any order.  It is opened read-only.  Between rows it waits with
    Buffer.wait(): no CPU while nothing happens, and a commit is seen as
    soon as the writer wakes it (within 0.5 s for a writer that does
    not).  It follows across writer restarts: a writer that closes, or
    dies, and another that opens and appends.  What cannot go on
    silently is reported with a FollowWarning and the iteration goes on:
    a committed length that goes down ("shrink"), a writer's death
    ("crash"), or another file put at the path, or the file rewritten in
    place as another buffer ("replaced"), noticed within 0.5 s: the new
    file is opened by path and followed from its first row.

    timeout (seconds) ends the iteration when no new row came for that
    long while it waited (from the start, including the wait for the
    file to appear, or from the moment the loop asked for the next
    rows); None waits for ever.  until_closed=True ends it once no
    writer has the file open and every committed row was yielded: at
    the writer's clean close, at its death (after the FollowWarning), or
    at once, after the rows there are, if no writer has it open.
    Breaking out of the loop, or closing the generator, closes the file.

    Raises what mmbuf.open() raises for a file that is not a buffer,
    or what refresh() raises.
    """
    return _follow_path(os.fspath(path), timeout, until_closed)


def _follow_path(path: Union[str, bytes], timeout: Optional[float],
                 until_closed: bool) -> Iterator[Any]:
    start = time.monotonic()
    pause = _PAUSE_MIN
    while True:
        try:
            buf = open(path, "r")
            break
        except (FileNotFoundError, NotADirectoryError):
            pass
        left = None if timeout is None else start + timeout - \
            time.monotonic()
        if left is not None and left <= 0:
            return
        time.sleep(pause if left is None else min(pause, left))
        pause = min(pause * 2, _PAUSE_MAX)
    yield from _follow(buf, True, timeout, until_closed)


def _replacement(buf: Buffer) -> Optional[Buffer]:
    """A Buffer of the file that now has buf's path, read-only, if it is
    another file than buf's; None while the path names buf's file or
    nothing (the file may have been removed while its writer goes on),
    or names something that cannot be opened yet."""
    if _same_file(buf._path, buf._fd) is not False:
        return None
    try:
        return open(buf._path, "r")
    except (FileNotFoundError, NotADirectoryError):
        return None


# Every open Buffer, for the fork handler below.
_OPEN: weakref.WeakSet[Buffer] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    """In a child of fork(): a Buffer's lock may have been held by a
    thread that the child does not have, so each gets a new one; and a
    writer stays its parent's: the child keeps its views and may close
    it, but neither commits nor catches up through it (BusyError), and
    its close() commits nothing."""
    for buf in list(_OPEN):
        buf._lock = threading.RLock()
        buf._sleepers = 0
        if buf._writable:
            buf._inherited = True


os.register_at_fork(after_in_child=_after_fork_in_child)

_Method = TypeVar("_Method", bound=Callable[..., Any])


def _locked(method: _Method) -> _Method:
    """A Buffer method run under the buffer's lock: one thread at a time
    changes its header, mappings and descriptor (see Buffer)."""
    @functools.wraps(method)
    def locked(self: Buffer, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return method(self, *args, **kwargs)
    return cast(_Method, locked)


# append() grows as mmbuf_append() does (lib/grow.c).
_GROWTH_DEFAULT = 2.0
_GROWTH_MIN_BYTES = 64 * 1024   # the first growth of an empty buffer


class Buffer:
    """An open buffer file, made by mmbuf.open() or mmbuf.create().

    The data region (never the header) is mapped once; .raw, .view,
    .rows(), iteration and .to_numpy() give zero-copy views of it.  Stores
    through a writable view are visible to other processes at once and
    durable after flush(), set_length() or close().  Use it as a context
    manager to close it; a Buffer collected unclosed is closed with a
    ResourceWarning, as a file is.

    Views outlive the Buffer: each keeps its mapping, and with it the
    file's lock, for as long as it lives, so ``mmbuf.open(p).raw[:4]``
    works and an array kept past a ``with`` block stays valid (see
    close() for what that means for the lock and for stores).

    NumPy's habits work on it: ``np.asarray(buf)`` (zero-copy),
    ``buf[i]``, ``buf[a:b]``, ``buf[i, j]`` and assignment with NumPy's
    meaning, ``np.from_dlpack(buf)`` on a writable buffer,
    ``memoryview(buf)`` from Python 3.12, and pickling (the worker opens
    the file again, read-only).  NumPy is imported only when used.

    A Buffer may be shared by threads.  Its methods take a lock of its
    own, so calls from several threads run one at a time: appends from
    two threads both land, whole, one after the other, and no commit
    is lost.  wait() and follow() do not hold it while they sleep.
    Stores through views take no lock: whether the bytes that threads
    store overlap is the caller's affair.  (In C the caller locks: see
    mmbuf(3), "Threads".)

    A writer belongs to the process that opened it.  In a child of
    fork() (multiprocessing's default start method on Linux before
    Python 3.14), a writer inherited from the parent keeps its header
    as of the fork and its views (the mapping is shared: stores through
    them, or ``buf[i] = x``, reach the parent's file, as from a thread);
    every call that would commit, and refresh(), wait() and follow(),
    raise BusyError, since commits from the child would race the
    parent's; its close() (a ``with`` block the child leaves, say)
    commits and syncs nothing.  Close it in the child, then open the
    file there read-only to follow the parent, or for writing once the
    parent has closed its own: until the child closes it, the child
    shares the parent's open file, and with it the writer lock
    (mmbuf(5), "Locking").  Readers work in the child as in the parent.
    """

    def __init__(self, token: object, path: Union[str, bytes], fd: int,
                 header: F.Header, writable: bool, unclean: bool,
                 writer_active: bool) -> None:
        if token is not _token:
            raise TypeError("use mmbuf.open() or mmbuf.create()")
        # Taken by every method that changes the header, the mappings,
        # the views or the descriptor, and by wait() between its sleeps.
        self._lock = threading.RLock()
        self._sleepers = 0      # threads asleep in wait()
        # The process that opened it; a writer inherited by a child of
        # fork() is the parent's (see _after_fork_in_child).
        self._owner = os.getpid()
        self._inherited = False
        self._path = path
        self._name = os.fsdecode(path)      # the path in messages
        self._fd = fd
        self._header = header
        self._writable = writable
        self._unclean = unclean
        self._writer_active = writer_active
        self._views: Dict[int, weakref.ref[Any]] = {}
        # mappings a refresh replaced (see refresh)
        self._old_maps: List[mmap.mmap] = []
        self._closed = True     # until the mapping is made (see __del__)
        # (mapping, header, array): __array__
        self._cached: Optional[Tuple[Optional[mmap.mmap], F.Header, Any]] \
            = None
        self._sparse = False
        # a _Pending until publish() (create())
        self._pending: Optional[_Pending] = None
        self._growth = _GROWTH_DEFAULT
        self._hmap: Optional[_notify.HeaderMap] = None
        self._pause = _PAUSE_MIN
        self._no_hmap = False
        self._slots = F.SlotCache()
        if writable:
            # Grow as it was made: fewer blocks than bytes means sparse.
            self._sparse = os.fstat(fd).st_blocks * 512 < header.file_size
        # Only the data region is mapped, from data_offset (rounded down
        # to the allocation granularity, which a 4096-byte page system
        # never needs): the header is never in a mapping that a view can
        # reach, so no store through a view can damage it.
        self._skew = header.data_offset % mmap.ALLOCATIONGRANULARITY
        self._mm: Optional[mmap.mmap] = self._map(header.capacity)
        self._closed = False
        _OPEN.add(self)

    def _map(self, capacity):
        """A new mapping of data bytes [0, capacity), or None for
        capacity 0 (mmap cannot map nothing).  The mmap object holds a
        duplicate of the descriptor, so the open file description, and
        with it the lock of mmap(5), "Locking", lives as long as the
        mapping: as long as any view of it lives, even past close()."""
        if capacity == 0 and self._skew == 0:
            return None
        return mmap.mmap(self._fd, self._skew + capacity,
                         access=mmap.ACCESS_WRITE if self._writable
                         else mmap.ACCESS_READ,
                         offset=self._header.data_offset - self._skew)

    def _mapped(self):
        """The number of data bytes the current mapping covers."""
        return 0 if self._mm is None else len(self._mm) - self._skew

    # -- description -------------------------------------------------
    @property
    def header(self) -> F.Header:
        """The decoded current header slot (a frozen mmbuf.Header).

        In C: mmbuf_get_info().
        """
        return self._header

    @property
    def path(self) -> Union[str, bytes]:
        """The path the buffer was opened or created with."""
        return self._path

    @property
    def dtype(self) -> str:
        """The canonical element type, e.g. ``"<f8"``.

        In C: mmbuf_dtype().
        """
        return self._header.dtype

    @property
    def itemsize(self) -> int:
        """The size in bytes of one element.

        In C: mmbuf_itemsize().
        """
        return self._header.itemsize

    @property
    def ndim(self) -> int:
        """The number of declared dimensions (0: a flat buffer).

        In C: mmbuf_shape().
        """
        return self._header.ndim

    @property
    def shape(self) -> Tuple[int, ...]:
        """The shape of .view and .to_numpy(): the declared shape, or
        ``(length // itemsize,)`` for a flat buffer (ndim 0).  For a
        growing buffer (see .growing) the first dimension is the rows
        committed, floor(length / row bytes), as of open, the last
        commit of this writer, or the last refresh() or wait().

        In C: mmbuf_shape().
        """
        h = self._header
        return h.shape if h.ndim else (h.length // h.itemsize,)

    @property
    def growing(self) -> bool:
        """True if the first dimension grows with the length: a buffer
        made with ``shape=(None, ...)`` (RO_COMPAT_GROWING in mmbuf(5)).

        In C: mmbuf_growing().
        """
        return self._header.growing

    @property
    def capacity(self) -> int:
        """The size in bytes of the data region.

        In C: mmbuf_capacity().
        """
        return self._header.capacity

    @property
    def length(self) -> int:
        """The committed number of bytes in use, at most the capacity.

        In C: mmbuf_length().
        """
        return self._header.length

    @property
    def label(self) -> str:
        """The label, a str.

        In C: mmbuf_label().
        """
        return self._header.label

    @property
    def uuid(self) -> bytes:
        """The 16 bytes that identify the buffer.

        In C: mmbuf_uuid().
        """
        return self._header.uuid

    @property
    def generation(self) -> int:
        """The generation of the current header slot.

        In C: mmbuf_generation().
        """
        return self._header.generation

    @property
    def slot(self) -> int:
        """The index (0 or 1) of the current header slot.

        In C: mmbuf_get_info().
        """
        return self._header.slot

    @property
    def state(self) -> int:
        """The state flags (STATE_WRITER_OPEN, STATE_SEALED) as read at
        open or last committed.

        In C: mmbuf_state().
        """
        return self._header.state

    @property
    def unclean(self) -> bool:
        """True if the last writer ended without closing the file: at
        open, or for a reader as of the last refresh() or wait(), which
        look at the writer lock each time (a writer that dies makes it
        True; a writer that opens or closes the file makes it False).

        In C: mmbuf_unclean().
        """
        return self._unclean

    @property
    def writer_active(self) -> bool:
        """For a reader: True if a writer has the file open, as of open,
        the last refresh() or the last wait(), which look at the writer
        lock each time (False once the writer closed or died).  Always
        False for a writer, which is that writer.

        In C: mmbuf_writer_active().
        """
        return self._writer_active

    @property
    def writable(self) -> bool:
        """True for a buffer opened with mode "r+" or created.

        In C: mmbuf_writable().
        """
        return self._writable

    @property
    def closed(self) -> bool:
        """True once close() has succeeded."""
        return self._closed

    @property
    def published(self) -> bool:
        """False for a buffer made with create(publish=False) until
        publish() succeeds; True otherwise."""
        return self._pending is None

    def __repr__(self) -> str:
        if self.closed:
            return "<mmbuf.Buffer %r closed>" % (self._path,)
        return ("<mmbuf.Buffer %r dtype=%s shape=%r length=%d capacity=%d "
                "%s%s>" % (self._path, self.dtype, self.shape, self.length,
                           self.capacity, "r+" if self._writable else "r",
                           "" if self._pending is None else " unpublished"))

    # -- views ---------------------------------------------------------
    def _check_open(self):
        if self._closed:
            raise ValueError("I/O operation on a closed mmbuf.Buffer")

    def _track(self, view):
        key = id(view)
        self._views[key] = weakref.ref(
            view, lambda _r, k=key, d=self._views: d.pop(k, None))
        return view

    def _region(self, start, stop):
        """A tracked 'B' memoryview of data bytes [start, stop)."""
        self._check_open()
        if self._mm is None:    # capacity 0: nothing to map
            return self._track(memoryview(
                bytearray() if self._writable else b""))
        off = self._skew
        base = self._track(memoryview(self._mm))
        return self._track(base[off + start:off + stop])

    @property
    @_locked
    def raw(self) -> memoryview:
        """A 'B' memoryview of the contents, data bytes [0, length).

        In C: mmbuf_data().
        """
        return self._region(0, self._header.length)

    def _format(self):
        h = self._header
        fmt = _FORMATS.get(h.dtype[1:])
        why = None
        if fmt is None:
            why = "memoryview has no complex types"
        elif h.itemsize > 1 and h.dtype[0] != _NATIVE:
            why = "its byte order is not the native one"
        elif not _castable(fmt, h.itemsize):
            why = ("memoryview cannot cast to %r in Python %d.%d"
                   % (fmt, *sys.version_info[:2]))
        if why:
            raise E.ViewError("no typed memoryview of dtype %s: %s; use "
                              ".raw for the bytes or .to_numpy() for an "
                              "array" % (h.dtype, why))
        return fmt

    def _rowbytes(self):
        return self._header.row_bytes

    @property
    @_locked
    def view(self) -> memoryview:
        """A memoryview cast to the dtype and shape, without a copy.

        A flat buffer (ndim 0) gives the ``length // itemsize`` committed
        elements.  A buffer with a shape gives the whole declared array,
        which may reach past the length (those elements have unspecified
        contents).  Raises ViewError when memoryview cannot express the
        type (complex, f2 before Python 3.12, non-native byte order) or
        the shape has a zero dimension: use .raw or .to_numpy() then.
        memoryview cannot index or assign parts of an N-D view
        (``view[5]``, ``view[:] = a`` raise NotImplementedError): index
        the buffer itself instead, ``buf[5]``, ``buf[:] = a``.

        In C: mmbuf_data().
        """
        fmt = self._format()
        h = self._header
        if h.ndim == 0:
            n = h.length // h.itemsize
            return self._track(self._region(0, n * h.itemsize).cast(fmt))
        if 0 in h.shape:
            raise E.ViewError("memoryview cannot have a zero dimension "
                              "(shape %r); use .to_numpy()" % (h.shape,))
        nbytes = self._rowbytes() * h.shape[0]
        return self._track(self._region(0, nbytes).cast(fmt, h.shape))

    def __len__(self) -> int:
        """The size of the first axis of .shape.  Raises ViewError when
        it is larger than sys.maxsize, which len() cannot return (a shape
        such as (2**63, 0), which has no elements, is valid)."""
        n = self.shape[0]
        if n > sys.maxsize:
            raise E.ViewError("the first axis of shape %r is longer than "
                              "len() can tell (sys.maxsize); use .shape[0]"
                              % (self.shape,))
        return n

    @_locked
    def rows(self, i: Optional[int], j: Optional[int]) -> memoryview:
        """A memoryview of rows i to j (a Python slice i:j) along the
        first axis, cast like .view.  memoryview cannot slice an N-D view,
        so this is how to take a part of one without a copy."""
        fmt = self._format()
        i, j, _ = slice(i, j).indices(self.shape[0])
        j = max(i, j)
        h = self._header
        rb = self._rowbytes()
        region = self._region(i * rb, j * rb)
        inner = h.shape[1:]
        if j == i or 0 in inner:
            return self._track(region.cast(fmt))
        return self._track(region.cast(fmt, (j - i,) + tuple(inner)))

    def __iter__(self) -> Iterator[Any]:
        """Iterate along the first axis: elements for a flat or 1-D
        buffer, memoryviews of the rows for more dimensions.  Raises
        ViewError where len() does."""
        h = self._header
        if h.ndim <= 1:
            return iter(self.view)
        # len() first: ViewError for more rows than it can count (a shape
        # of (2**63, 0) would be an endless run of empty rows).
        return (self._row(k) for k in range(len(self)))

    @_locked
    def _row(self, k):
        fmt = self._format()
        rb = self._rowbytes()
        inner = self._header.shape[1:]
        region = self._region(k * rb, (k + 1) * rb)
        if 0 in inner:
            return self._track(region.cast(fmt))
        return self._track(region.cast(fmt, tuple(inner)))

    @_locked
    def to_numpy(self) -> NDArray:
        """A NumPy array of the buffer without a copy (it shares memory
        with the mapping; read-only unless the buffer is writable), shaped
        like .shape.  Works for every dtype.  Needs NumPy; delete the
        array before close().  Raises ViewError for a shape NumPy cannot
        hold, such as (2**63, 0).  The array may outlive close(); it
        holds the mapping and the lock while it lives (see close()).

        In C: mmbuf_data(), mmbuf_length() and mmbuf_shape().
        """
        import numpy as np
        h = self._header
        if h.ndim == 0:
            n = h.length // h.itemsize
        else:
            n = 1
            for d in h.shape:
                n *= d
        region = self._region(0, n * h.itemsize)
        arr = np.frombuffer(region, dtype=np.dtype(h.dtype), count=n)
        try:
            arr = arr.reshape(self.shape)
        except ValueError as e:
            # A valid shape with a dimension of 0 can have others that
            # NumPy cannot hold, as (2**63, 0).
            raise E.ViewError("NumPy cannot make an array of shape %r: %s"
                              % (self.shape, e)) from None
        # NumPy takes its own export of the mapping, which release() of
        # our memoryview cannot end: remember the array to count it.
        return self._track(arr)

    # -- NumPy's protocols and habits ------------------------------------
    def _array(self):
        """The array of to_numpy(), made once and kept until the mapping
        or the header changes (a refresh, resize(), append(), a commit)
        or close()."""
        c = self._cached
        if c is not None and c[0] is self._mm and c[1] is self._header:
            return c[2]
        with self._lock:
            arr = self.to_numpy()
            self._cached = (self._mm, self._header, arr)
        return arr

    def __array__(self, dtype: Optional[DTypeArg] = None,
                  copy: Optional[bool] = None) -> NDArray:
        """``np.asarray(buf)``: the array of to_numpy(), without a copy
        (one array, kept by the Buffer, is handed out again until the
        mapping or the header changes).  A dtype other than the buffer's,
        or copy=True, gives a copy.  NumPy is imported only here.

        In C: mmbuf_data().
        """
        c = self._cached     # the fast path: what np.asarray() costs
        if c is not None and dtype is None and not copy and \
                c[0] is self._mm and c[1] is self._header:
            return c[2]
        self._check_open()
        arr = self._array()
        if dtype is not None and arr.dtype != dtype:
            return arr.astype(dtype)
        if copy:
            return arr.copy()
        return arr

    def __getitem__(self, key: Any) -> Any:
        """``buf[i]``, ``buf[a:b]``, ``buf[i, j]``, ``buf[..., 0]``...:
        indexing with NumPy's meaning, on the array of ``np.asarray(buf)``,
        without a copy (a slice is a view of the mapping).

        Without NumPy, what memoryview can express: an element, a slice of
        a 1-D or flat buffer, ``buf[i]`` (a row) and ``buf[i:j]`` (rows)
        of an N-D buffer as memoryviews, and ``buf[i, j, ...]`` with one
        int per dimension; the rest raises ViewError."""
        self._check_open()
        if _numpy() is not None:
            return self._array()[key]
        return self._mv_index(key)

    @_locked
    def __setitem__(self, key: Any, value: Any) -> None:
        """``buf[i] = x``, ``buf[a:b] = array``, ``buf[...] = 0``: assignment
        with NumPy's meaning (broadcasting, casting) on a writable buffer;
        ReadOnlyError on a read-only one.  Without NumPy, what memoryview
        can do: an element, or a part chosen as in __getitem__ from an
        object with the buffer protocol of the same item format and size;
        the rest raises ViewError.  A store commits nothing: it is
        allowed in a child of fork() too, as stores through views are."""
        self._check_open()
        if not self._writable:
            raise E.ReadOnlyError("%s: buffer is open read-only"
                                  % (self._name,))
        if _numpy() is not None:
            self._array()[key] = value
            return
        target = self._mv_index(key, store=True)
        if not isinstance(target, memoryview):
            self.view[key] = value     # one element
            return
        with memoryview(value) as src:
            if src.format.lstrip("@=") != target.format or \
                    src.nbytes != target.nbytes or not src.c_contiguous:
                raise E.ViewError(
                    "without NumPy, buf[%r] = x needs x to be a C-contiguous"
                    " buffer of %d bytes in format %r, not %r of %d bytes"
                    % (key, target.nbytes, target.format, src.format,
                       src.nbytes))
            with target.cast("B") as t, src.cast("B") as b:
                t[:] = b

    def _mv_index(self, key, store=False):
        """buf[key] through memoryviews (no NumPy): a value, or for a
        store (store=True) a memoryview of the part, or None for one
        element."""
        h = self._header
        nd = max(h.ndim, 1)
        full = isinstance(key, tuple) and len(key) == nd and \
            all(isinstance(k, int) for k in key)
        if isinstance(key, int) and nd == 1:
            full, key = True, (key,)
        if full:
            if store:
                return None
            return self.view[key]
        if nd == 1 and isinstance(key, slice):
            return self.view[key]
        if isinstance(key, int):
            k = key + self.shape[0] if key < 0 else key
            if not 0 <= k < self.shape[0]:
                raise IndexError("index %d is out of bounds for axis 0 "
                                 "with size %d" % (key, self.shape[0]))
            return self._row(k)
        if isinstance(key, slice) and key.step in (None, 1):
            return self.rows(key.start, key.stop)
        raise E.ViewError(
            "buf[%r] needs NumPy; without it, a %d-D buffer takes buf[i] "
            "(a row), buf[i:j] (rows) and buf[%s] (an element)"
            % (key, nd, ", ".join("i%d" % d for d in range(nd))))

    def __buffer__(self, flags: int) -> memoryview:
        """The buffer protocol (Python 3.12 and later): ``memoryview(buf)``
        is .view, or .raw where memoryview cannot express the dtype.
        Before 3.12 a Python class cannot offer it: use
        ``np.asarray(buf)`` or ``buf.raw``."""
        if flags & 1 and not self._writable:    # PyBUF_WRITABLE
            raise BufferError("%s is open read-only" % (self._name,))
        try:
            return self.view
        except E.ViewError:
            return self.raw

    def __reduce__(self) -> Tuple[Callable[..., Buffer],
                                  Tuple[Union[str, bytes], bytes]]:
        """Pickling, e.g. to pass a buffer to a multiprocessing worker:
        the worker opens the file again, by its absolute path, read-only
        (mode "r"), whatever the mode here, since a second writer would
        be refused while this one is open; it raises InconsistentError if
        the path now names another buffer (another uuid).  A writer's
        stores reach the worker through the shared file, but only what is
        committed (the length...) is in its header.  An unpublished
        buffer has no name and cannot be pickled (TypeError), nor can a
        closed one (ValueError)."""
        self._check_open()
        if self._pending is not None:
            raise TypeError("%s: an unpublished buffer has no name and "
                            "cannot be pickled: publish() it first"
                            % (self._name,))
        return (_reopen, (os.path.abspath(self._path), self.uuid))

    def __dlpack__(self, *args: Any, **kwargs: Any) -> Any:
        """DLPack export (``np.from_dlpack(buf)``, ``torch.from_dlpack(buf)``)
        of the array of np.asarray(buf), without a copy, on a writable
        buffer only: DLPack as NumPy 1.24 and PyTorch 1.13 speak it cannot
        mark a tensor read-only, so a consumer could write into a
        read-only mapping and crash.  A read-only buffer raises
        ReadOnlyError; use np.asarray(buf) there.  Needs NumPy."""
        self._check_open()
        if not self._writable:
            raise E.ReadOnlyError(
                "%s is open read-only: DLPack cannot mark a tensor "
                "read-only, so it is exported from writable buffers only; "
                "use np.asarray(buf) (a read-only array), or open the "
                "buffer with mode \"r+\"" % (self._name,))
        return self._array().__dlpack__(*args, **kwargs)

    def __dlpack_device__(self) -> Tuple[int, int]:
        """(1, 0): DLPack's kDLCPU, device 0."""
        return (1, 0)

    # -- sync, advice, commits ---------------------------------------------
    def _range(self, offset, size):
        cap = self._header.capacity
        if size is None:
            size = cap - offset
        if offset < 0 or size < 0 or offset + size > cap:
            raise ValueError("range [%d, %d) is outside the capacity %d"
                             % (offset, offset + size, cap))
        start = self._skew + offset
        aligned = start - start % mmap.PAGESIZE
        return aligned, start + size - aligned

    @_locked
    def flush(self, offset: int = 0, size: Optional[int] = None) -> None:
        """Write data bytes [offset, offset + size) back to stable storage
        (msync MS_SYNC), waiting for it; size None means to the end of the
        capacity.  The range is widened to whole pages here.  Does
        nothing for a read-only buffer.

        In C: mmbuf_sync() with MMBUF_DURABLE_SYNC (its len 0, to the end, is
        size None here; flush() and size are the names of Python's
        mmap.flush()).
        """
        self._check_open()
        start, n = self._range(offset, size)
        mm = self._mm     # None only for nothing mapped, when n is 0
        if self._writable and n > 0 and mm is not None:
            mm.flush(start, n)

    @_locked
    def advise(self, advice: Union[str, int], offset: int = 0,
               size: Optional[int] = None) -> None:
        """Give the kernel advice (madvise) about data bytes [offset,
        offset + size): "normal", "sequential", "random", "willneed",
        "dontneed" or "hugepage", or an mmap.MADV_* value.

        In C: mmbuf_advise() (MMBUF_ADVICE_NORMAL...; its len 0 is size None
        here).
        """
        self._check_open()
        if isinstance(advice, str):
            try:
                code = _ADVICE[advice]
            except KeyError:
                raise ValueError("unknown advice %r: one of %s"
                                 % (advice, ", ".join(_ADVICE)))
        else:
            code = advice
        start, n = self._range(offset, size)
        mm = self._mm     # None only for nothing mapped, when n is 0
        if n > 0 and mm is not None:
            mm.madvise(code, start, n)

    def _commit(self, durable, **fields):
        """Commit a header with the given fields changed, as in mmbuf(5),
        "Committing a header", steps 2 to 4."""
        self._check_own()
        cur = self._header
        if cur.generation >= F.U64_MAX:
            raise E.InconsistentError("generation counter exhausted")
        gen = cur.generation + 1
        status = list(cur.slot_status)
        status[gen % 2] = None
        new = cur.replace(**fields)
        hmap = self._header_map()
        compat = new.compat & F.COMPAT_KNOWN & ~F.COMPAT_NOTIFY
        if hmap is not None:
            compat |= F.COMPAT_NOTIFY
        shape = new.shape
        if new.growing:
            shape = F.growing_shape(new.itemsize, shape, new.length)
        new = new.replace(generation=gen, mtime_ns=time.time_ns(),
                          writer_pid=os.getpid() & 0xFFFFFFFF,
                          version_major=F.FORMAT_VERSION_MAJOR,
                          version_minor=F.FORMAT_VERSION_MINOR,
                          compat=compat, shape=shape,
                          ro_compat=new.ro_compat | F.RO_COMPAT_LOCKING,
                          slot=gen % 2, slot_status=tuple(status))
        _pwrite_all(self._fd, F.encode_slot(new), F.PAGE * (gen % 2))
        # Waiters wake once the slot is written: before the sync, so the
        # latency is that of the write; what they read is what a reader
        # polling would read (mmbuf(5), "Waiting for a commit").
        if hmap is not None:
            hmap.wake(gen % 2)
        if durable:
            os.fdatasync(self._fd)
        self._header = new

    def _header_map(self) -> Optional[_notify.HeaderMap]:
        """The mapping of the header pages that futex(2) needs, made on
        first use; None where futexes are not available (then a writer
        clears NOTIFY, and a reader polls)."""
        if self._hmap is None and _notify.AVAILABLE and not self._no_hmap:
            try:
                self._hmap = _notify.HeaderMap(self._fd)
            except OSError:
                self._no_hmap = True    # as without futexes: poll, clear
        return self._hmap

    def _close_fd(self) -> None:
        """Close the descriptor and unmap the header pages, waking first
        a thread of ours asleep in wait() on them (it then raises)."""
        if self._hmap is not None:
            if self._sleepers:
                self._hmap.wake(0)
                self._hmap.wake(1)
            self._hmap.close()
            self._hmap = None
        fd, self._fd = self._fd, -1
        os.close(fd)

    def _check_writable(self):
        self._check_open()
        if not self._writable:
            raise E.ReadOnlyError("%s: buffer is open read-only"
                                  % (self._name,))
        self._check_own()

    def _check_own(self):
        """Raise BusyError on a writer that a child of fork() inherited
        (see _after_fork_in_child)."""
        if not self._inherited:
            return
        raise E.BusyError(
            "%s: opened for writing by process %d, whose child this "
            "process is (made by fork()): the parent stays the only writer "
            "(commits from here would race its own), and this copy keeps "
            "the header of the fork; close() it here, then open the file "
            "read-only to follow the parent, or for writing once the "
            "parent has closed its own"
            % (self._name, self._owner), path=self._path,
            writer_pid=self._owner)

    @_locked
    def set_length(self, length: int, durable: bool = True) -> None:
        """Commit a new length (at most the capacity).

        The new header goes into the older slot with the next generation.
        With durable (the default) data bytes [0, length) are synced first
        and the header after, so after a power loss the committed length
        never covers unsynced data.  A new length clears the sealed state;
        the same length keeps it, as mmbuf_set_length() does (mmbuf(5):
        only a commit that changes the length unseals).  Raises
        ReadOnlyError or LengthError.

        In C: mmbuf_set_length(), durable being MMBUF_DURABLE_SYNC, else
        MMBUF_DURABLE_NONE.
        """
        self._check_writable()
        length = int(length)
        h = self._header
        if not 0 <= length <= h.capacity:
            raise E.LengthError("length %d exceeds the capacity %d"
                                % (length, h.capacity))
        if durable and length:
            self.flush(0, length)
        state = h.state if length == h.length else h.state & ~F.STATE_SEALED
        self._commit(durable, length=length, state=state)

    @_locked
    def set_label(self, label: str, durable: bool = True) -> None:
        """Commit a new label (UTF-8, at most 255 bytes).  Raises
        ReadOnlyError or LabelError.

        In C: mmbuf_set_label().
        """
        self._check_writable()
        self._commit(durable, label=_check_label(label))

    # -- growth and following a writer ------------------------------------
    @_locked
    def refresh(self) -> bool:
        """Catch up with the writer (a read-only buffer): read the header
        again and, if its generation changed, take the new state (length,
        label, state, ...), mapping a grown capacity.  Returns True when
        the state changed, else False; a writable buffer always has the
        current header and returns False.

        A slot counts only when its CRC and both copies of its
        generation agree; a read that a commit in flight spoiled, or that
        mixed a stale copy of one slot with the other torn (a generation
        older than the one held), is read again, as mmbuf(5), "Resizing",
        prescribes, so a torn header is never seen and the generation
        never goes back.  It also looks at the writer lock, even when
        nothing was committed: writer_active and unclean follow a writer
        that opens, closes or dies (False and True when the lock is free
        while the header says "writer open").  Views taken before a
        refresh that mapped a grown capacity stay valid and keep seeing
        the old capacity; take new ones (.raw, .view, ...) to see the
        rest.  Raises InconsistentError if the file is now another
        buffer, and BusyError on a writer inherited by a child of fork()
        (see Buffer: its header is the fork's).

        In C: mmbuf_refresh().
        """
        self._check_open()
        self._check_own()   # an inherited writer's header is the fork's
        if self._writable:
            return False
        cur = self._header
        h = self._read_header(cur)
        # The writer lock, looked at every time: a writer that died
        # commits nothing.  A lock found free while the header says
        # "writer open" may be a clean close that committed after our
        # read: read again, and take the writer for dead only if the
        # generation stayed, at most 8 times, as mmbuf_refresh() does
        # (mmbuf(5), "Opening for writing, closing, unclean close").
        present: Optional[bool] = False
        tries = 0
        while h.state & F.STATE_WRITER_OPEN:
            present = _lock.writer_present(self._fd)
            if present:
                break
            again = self._read_header(h)
            if again.generation == h.generation:
                break
            h = again
            tries += 1
            if tries == 8:
                present = None  # it would not hold still: unknown
                break
        if present is not None:
            # "writer open" with the lock free: a writer that died.
            self._writer_active = present
            self._unclean = bool(h.state & F.STATE_WRITER_OPEN) and \
                not present
        if h.generation == cur.generation:
            return False
        if h.uuid != cur.uuid or h.data_offset != cur.data_offset:
            raise E.InconsistentError("%s: the file is now another buffer"
                                      % (self._name,))
        if h.capacity > self._mapped():
            # The old mapping stays while views of it are alive.
            if self._mm is not None:
                self._old_maps.append(self._mm)
            self._mm = self._map(h.capacity)
            self._drop_old_maps()
        self._header = h
        return True

    def _read_header(self, cur: F.Header) -> F.Header:
        """The current header of the file, read until it is whole: a slot
        counts only when its checksum and both copies of its generation
        agree, and a read older than cur (a stale copy of one slot beside
        the other torn) is read again."""
        err: Optional[BaseException] = None
        for _ in range(1000):
            size = os.fstat(self._fd).st_size
            hdr = os.pread(self._fd, F.HEADER_SIZE, 0)
            try:
                h = F.validate_header(hdr, size, self._slots)
            except (E.ChecksumError, E.TornError, E.TruncatedError) as e:
                err = e
                os.sched_yield()
                continue
            if h.generation < cur.generation:
                err = E.TornError("%s: stale header read" % (self._name,))
                os.sched_yield()
                continue
            return h
        assert err is not None
        raise err

    def wait(self, timeout: Optional[float] = None) -> bool:
        """Wait for the writer's next commit, without polling where the
        writer wakes waiters: refresh() as soon as a new header is
        committed and return True, or return False when the timeout (in
        seconds; None waits for ever) passes, or when the writer that was
        at work dies (a crash: the writer lock is free with the "writer
        open" state still committed; writer_active then becomes False and
        unclean True).  A clean close is a commit (True).  With no writer
        at all, it waits for one to open the file, which commits.

        The algorithm of mmbuf(5), "Waiting for a commit": refresh(),
        and if nothing changed, read the generation word of the slot the
        next commit will write and sleep on it with futex(2) (Linux, when
        the header has NOTIFY: the writer wakes it after every commit)
        for at most 0.5 s at a time, testing the writer lock between
        slices and reading the header again whenever the word moved; so
        a crash, or a commit of a writer that does not wake (a v1.0
        writer), is seen within 0.5 s.  On the way in and after a wake it
        first reads the slot the next commit writes, alone: a commit
        there is taken, with writer_active from its "writer open" state
        (its writer held the lock to commit; the next call tests the
        lock, so a writer that dies right after a commit is seen then),
        and no commit there sends it to sleep at once, the lock being
        tested at the end of the slice.  Elsewhere it polls with a backoff
        from 1 ms to 100 ms.  The waiting thread holds no lock of
        Python's (the GIL is released) nor the buffer's: other threads
        may use the buffer meanwhile, several may wait at once (a commit
        that one of them takes ends the wait of all), and a close() by
        another thread ends the wait with ValueError (at once on a futex,
        within 100 ms when polling).  A signal handler runs as soon as
        the signal comes.  A waiting process uses no CPU between slices.

        Raises ValueError on a writable or closed buffer (a writer's
        header is always current), BusyError on a writer inherited by a
        child of fork() (see Buffer), or what refresh() raises.

        In C: mmbuf_wait() (which returns -ETIMEDOUT where this returns
        False for the timeout).
        """
        with self._lock:
            return self._wait(timeout)

    def _wait(self, timeout: Optional[float]) -> bool:
        """wait(), with the lock held but while it sleeps."""
        self._check_open()
        self._check_own()
        if self._writable:
            raise ValueError("%s: wait() is for readers: a writer's header "
                             "is always current" % (self._name,))
        deadline = None if timeout is None else \
            time.monotonic() + max(0.0, float(timeout))
        was_active = self._writer_active
        quick, looked_again = True, False
        entry = self._header
        while True:
            cur = self._header
            if cur is not entry:
                # Another thread's refresh() or wait() took a commit
                # while this one slept: it is ours too.
                return True
            nxt = 1 - cur.slot      # the slot the next commit writes
            v: Optional[int] = None
            if quick:
                # On the way in and after a wake: that slot, alone
                # (mmbuf(5), "Waiting for a commit", the cheaper step 1).
                # A commit there is taken, its writer present if "writer
                # open" (it held the lock to commit; the next call tests
                # it); the slot as last seen, older than ours, means no
                # commit yet, and gives the word to wait on.
                raw = os.pread(self._fd, F.SLOT_SIZE, F.PAGE * nxt)
                h = self._slots.following(cur, raw)
                if h is not None:
                    self._writer_active = bool(h.state & F.STATE_WRITER_OPEN)
                    self._unclean = False
                    self._header = h
                    self._pause = _PAUSE_MIN
                    return True
            hmap = self._header_map() if \
                cur.compat & F.COMPAT_NOTIFY else None
            if quick:
                if hmap is not None:
                    v = self._slots.older_word(cur, raw)
                quick = False
            if v is None:
                if self.refresh():
                    self._pause = _PAUSE_MIN
                    return True
                if was_active and not self._writer_active:
                    return False
                was_active = self._writer_active
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                return False
            step = _SLICE if deadline is None else min(_SLICE,
                                                       deadline - now)
            # refresh() found no commit: cur and nxt stand.
            if hmap is None:
                self._sleep(min(self._pause, step))
                self._pause = min(self._pause * 2, _PAUSE_MAX)
                continue
            if v is None:
                word = os.pread(self._fd, 4, F.PAGE * nxt + 8)
                if len(word) != 4:
                    self._sleep(min(self._pause, step))
                    self._pause = min(self._pause * 2, _PAUSE_MAX)
                    continue
                v = struct.unpack("<I", word)[0]
                # Read after the header: a commit made in between may
                # have stored the next generation already (and woken
                # nobody yet queued).  Look at the header once more
                # before waiting on it; a damaged slot may hold those
                # bits for good.
                if v == (cur.generation + 1) & 0xffffffff and \
                        not looked_again:
                    looked_again = quick = True
                    continue
            looked_again = False
            quick = self._wait_word(hmap, nxt, v, deadline, step)

    def _sleep(self, seconds: float) -> None:
        """Sleep without the lock (wait()): another thread may commit,
        refresh or close meanwhile; a close makes this raise ValueError."""
        self._lock.release()
        try:
            time.sleep(seconds)
        finally:
            self._lock.acquire()
        self._check_open()

    def _wait_word(self, hmap: Any, slot: int, v: int,
                   deadline: Optional[float], step: float) -> bool:
        """FUTEX_WAIT on the word of slot while it holds v, slice after
        slice until the deadline, without the lock (a close() by another
        thread wakes it, and it raises ValueError).  A slice that times
        out with v other than the low 32 bits of the next generation saw
        no commit (every commit stores them there; one that wakes nobody
        leaves the word changed, and the next wait returns at once), so
        between such slices only the writer lock is tested, for a crash,
        without reading the header (mmbuf(5), "Waiting for a commit").
        Returns True when the last wait ended early (a wake, the word
        changed, a signal), False when it timed out."""
        moves = v != (self._header.generation + 1) & 0xffffffff
        while True:
            self._sleepers += 1
            self._lock.release()
            try:
                timed_out = hmap.wait(slot, v, step)
            finally:
                self._lock.acquire()
                self._sleepers -= 1
            self._check_open()
            if not timed_out:
                return True
            if not moves:
                return False
            if (self._header.state & F.STATE_WRITER_OPEN
                    and not _lock.writer_present(self._fd)):
                return False
            if deadline is not None:
                step = min(_SLICE, deadline - time.monotonic())
                if step <= 0:
                    return False

    def follow(self, timeout: Optional[float] = None,
               until_closed: bool = False) -> Iterator[Any]:
        """Yield the rows the writer commits, as they come: see
        mmbuf.follow(), which this is for a buffer already open
        (read-only).  It starts with the rows committed now, from row 0.
        If the file at the buffer's path is replaced, the rows of the new
        file are followed through a Buffer of its own, opened by path
        (and closed at the end); this one stays on the old file."""
        self._check_open()
        self._check_own()
        if self._writable:
            raise ValueError("%s: follow() is for readers" % (self._name,))
        return _follow(self, False, timeout, until_closed)

    @_locked
    def _rows_of(self, start: int, stop: int) -> Any:
        """Rows [start, stop) along the first axis (elements of a flat
        buffer), without a copy: a NumPy array typed and shaped like the
        buffer when NumPy is there, else a memoryview cast to the dtype
        and row shape, or of the bytes where memoryview cannot express
        the dtype."""
        h = self._header
        inner = h.shape[1:] if h.ndim else ()
        rb = h.row_bytes
        region = self._region(start * rb, stop * rb)
        np = _numpy()
        if np is not None:
            arr = np.frombuffer(region, dtype=np.dtype(h.dtype))
            return self._track(arr.reshape((stop - start,) + tuple(inner)))
        try:
            fmt = self._format()
        except E.ViewError:
            return region
        if 0 in inner:
            return self._track(region.cast(fmt))
        return self._track(region.cast(fmt, (stop - start,) + tuple(inner)))

    def _drop_old_maps(self):
        keep = []
        for m in self._old_maps:
            try:
                m.close()
            except BufferError:
                keep.append(m)
        self._old_maps = keep

    @_locked
    def resize(self, capacity: int, sparse: Optional[bool] = None) -> None:
        """Change the capacity of the data region, committing the new
        header durably, as mmbuf(5), "Resizing", prescribes (the steps of
        mmbuf_resize() in C, so that a crash leaves the old or the new
        capacity).

        Growing extends the file first, preallocated (posix_fallocate)
        unless the buffer is sparse (made with sparse=True, or opened from
        a file with fewer blocks than bytes) or sparse is true; the new
        bytes read as zero.  Shrinking needs the length and the shape to
        fit (LengthError, ShapeError) and no other process to have the file
        open, readers included (BusyError).  A block checksum table is
        dropped.  The data moves: every view handed out is released first,
        and if the caller still holds one the call raises ViewsAliveError
        and the capacity stays as it was (a block table is dropped all the
        same).

        In C: mmbuf_resize() (sparse=True is MMBUF_RESIZE_SPARSE).
        """
        self._check_writable()
        capacity = int(capacity)
        h = self._header
        if capacity == h.capacity:
            return
        if capacity < 0 or h.data_offset + capacity > F.FILE_SIZE_MAX:
            raise E.LengthError("capacity %d is out of range" % capacity)
        shrink = capacity < h.capacity
        if shrink:
            if h.length > capacity:
                raise E.LengthError("cannot shrink to %d bytes: the length "
                                    "is %d bytes" % (capacity, h.length))
            if h.ndim and (F.shape_nbytes(h.itemsize, h.shape)
                           or 0) > capacity:
                raise E.ShapeError("cannot shrink to %d bytes: the shape "
                                   "%r needs more" % (capacity, h.shape))
        self._prepare_remap("resize")
        if not shrink:
            self._grow(capacity, sparse or (sparse is None and self._sparse),
                       True)
            return
        new_end = h.data_offset + capacity
        try:
            _lock.lock_readers_out(self._fd)
        except E.BusyError as e:
            raise E.BusyError("%s: %s" % (self._name, e),
                              path=self._path) from None
        try:
            self._commit(True, capacity=capacity, file_size=new_end)
            self._resize_map(capacity)
            os.ftruncate(self._fd, new_end)
        finally:
            _lock.unlock_readers(self._fd)

    def _prepare_remap(self, call):
        """Before the mapping changes size: release every view handed
        out, drop a block checksum table, and raise ViewsAliveError
        (naming call, the method to call again) if the caller still holds
        one."""
        self._cached = None
        alive = self._release_views()
        # The table first (its own commit): mmap.resize() below truncates
        # the file to the end of the mapping, which is the data's end.
        self._drop_table()
        try:
            # A resize to the same size changes nothing, but is refused
            # like any other while something still holds the mapping.
            if self._mm is not None:
                self._mm.resize(len(self._mm))
        except BufferError:
            n = max(alive, 1)
            raise E.ViewsAliveError(
                "cannot %s %s: %s%d view%s of the buffer %s still in "
                "use (NumPy arrays from .to_numpy() or slices of its "
                "memoryviews); delete them, then call %s() again"
                % ("resize" if call == "resize" else "grow", self._name,
                   "" if alive else "at least ", n, "" if n == 1 else "s",
                   "is" if n == 1 else "are", call), n)

    def _grow(self, capacity, sparse, durable):
        """Grow to capacity, as mmbuf(5), "Resizing": the file first, the
        header last (the views are gone: see _prepare_remap()).  durable
        False leaves the commit to be synced by a later one, as grow(...,
        MMBUF_DURABLE_NONE) in C: losing it leaves the old capacity and a
        longer file, which readers accept."""
        new_end = self._header.data_offset + capacity
        if sparse:
            os.ftruncate(self._fd, new_end)
        else:
            try:
                os.posix_fallocate(self._fd, 0, new_end)
            except OSError:
                # Give back what a failed preallocation may have taken.
                os.ftruncate(self._fd, self._header.file_size)
                raise
        self._resize_map(capacity)
        self._commit(durable, capacity=capacity, file_size=new_end)

    def _resize_map(self, capacity):
        """Make the mapping cover data bytes [0, capacity) (no view holds
        it: see _prepare_remap()).  mmap.resize() also sets the file size
        to the end of the data."""
        if self._mm is None:
            self._mm = self._map(capacity)
        elif capacity == 0 and self._skew == 0:
            self._mm.close()
            self._mm = None
        else:
            self._mm.resize(self._skew + capacity)

    @property
    def growth(self) -> float:
        """The factor by which append() multiplies the capacity when it
        must grow it, as mmbuf_set_growth(): from 1.0625 to 16 (default
        2.0); setting another value raises ValueError.

        In C: mmbuf_set_growth().
        """
        return self._growth

    @growth.setter
    @_locked
    def growth(self, factor: float) -> None:
        factor = float(factor)
        if not 1.0625 <= factor <= 16.0:     # NaN fails too
            raise ValueError("growth factor %r is not from 1.0625 to 16"
                             % (factor,))
        self._growth = factor

    def _next_capacity(self, need):
        """The capacity make_room() in grow.c picks for need bytes: the
        capacity times the growth factor, at least need and 64 KiB,
        rounded up to whole 4096-byte pages."""
        cap = self._header.capacity
        grown = cap * self._growth      # a double, as in C
        nxt = need if grown > float(F.U64_MAX // 2) else int(grown)
        nxt = max(nxt, need, _GROWTH_MIN_BYTES)
        return -(-nxt // F.PAGE) * F.PAGE

    @_locked
    def append(self, data: Any, durable: bool = True) -> int:
        """Write the bytes of data at the end of the contents, data bytes
        [length, length + n), and commit length + n, as mmbuf_append()
        does; returns the offset where they went (the old length).

        data is anything with the buffer protocol (bytes, bytearray,
        memoryview, array.array, a NumPy array) whose memory is
        C-contiguous; another layout raises ValueError (copy it first,
        e.g. with numpy.ascontiguousarray()).  Its bytes are written as
        they are, so their item type must be the buffer's: a buffer of
        bytes (dtype u1) takes the bytes of anything, and a typed buffer
        data of its own dtype, byte order included, or raw bytes (bytes,
        bytearray, memoryviews and arrays of unsigned bytes).  Items of
        another type raise DtypeError, and nothing is written: their
        bytes would not be the values (append(numpy.array([t, 1, 2])) of
        an int t to a float buffer, say); convert them first, e.g. with
        numpy.asarray(data, dtype=buf.dtype).  The bytes are written
        with pwrite, not through the mapping: no page faults, and a full
        disk raises OSError (ENOSPC) even on a sparse buffer.  The length
        is then committed as set_length(length + n, durable) does: with
        durable (the default) the data is synced before the header that
        covers it.  n == 0 changes nothing and returns the length.

        When the capacity is too small it grows first, geometrically: to
        the capacity times .growth (2.0 unless set), at least length + n
        and 64 KiB, in whole 4096-byte pages, by the steps of resize()
        (preallocated unless the buffer is sparse), so n appends cost
        O(log n) growths.  That growth is committed without a sync of its
        own: the length commit that follows carries it.  A growth remaps
        the data, so the views rule of resize() applies: every view handed
        out is released first, and if the caller still holds one (a NumPy
        array from .to_numpy(), a slice of a memoryview, including one
        passed as data) append() raises ViewsAliveError and nothing is
        written (a block checksum table is dropped all the same).  An
        append that fits needs no remap and leaves views alone.

        Raises ReadOnlyError, ViewsAliveError, LengthError (past the
        largest file), DtypeError, ValueError, TypeError (no buffer
        protocol) or OSError; on error the committed length is unchanged
        (the capacity may have grown).

        In C: mmbuf_append().
        """
        self._check_writable()
        with memoryview(data) as src:
            if src.nbytes == 0:
                return self._header.length
            if not src.c_contiguous:
                raise ValueError("append() needs C-contiguous data; this "
                                 "%s is not (copy it first, e.g. with "
                                 "numpy.ascontiguousarray())"
                                 % (type(data).__name__,))
            self._check_item_type(data, src.format)
            with src.cast("B") as flat:
                return self._append(flat, durable)

    def _check_item_type(self, data: Any, fmt: str) -> None:
        """Refuse data whose items (memoryview format fmt) are not of the
        buffer's dtype nor raw bytes, unless the buffer is of bytes."""
        want = self._header.dtype
        if want[1:] == "u1" or fmt in ("B", "@B", "=B", "<B", ">B", "!B"):
            return
        got = _format_dtype(fmt)
        if got is not None and got[1:] == want[1:] and \
                (got[0] == want[0] or self._header.itemsize == 1):
            return
        raise E.DtypeError(
            "%s: append() writes the bytes of its data, and this %s holds "
            "items of %s, not of the buffer's dtype %s: convert it first "
            "(e.g. numpy.asarray(data, dtype=%r)), or pass raw bytes"
            % (self._name, type(data).__name__,
               got if got is not None else "format %r" % (fmt,), want,
               want))

    def _append(self, src, durable):
        h = self._header
        n = len(src)
        old = h.length
        need = old + n
        if need > h.capacity:
            cap = self._next_capacity(need)
            if h.data_offset + cap > F.FILE_SIZE_MAX:
                raise E.LengthError("cannot append %d bytes: a capacity of "
                                    "%d bytes is out of range" % (n, cap))
            self._prepare_remap("append")
            self._grow(cap, self._sparse, False)
        _pwrite_all(self._fd, src, h.data_offset + old)
        self.set_length(need, durable)
        return old

    def _drop_table(self):
        """Commit the header without its block checksum table, then cut
        the table off the file (mmbuf(5), "Resizing", first step)."""
        h = self._header
        if not h.ro_compat & F.RO_COMPAT_BLOCK_TABLE:
            return
        end = h.data_end
        self._commit(True, ro_compat=h.ro_compat & ~F.RO_COMPAT_BLOCK_TABLE,
                     block_shift=0, table_offset=0, table_size=0,
                     file_size=end)
        os.ftruncate(self._fd, end)

    # -- sealing -----------------------------------------------------------
    @_locked
    def seal(self, block_size: int = 1 << 20,
             backend: Optional[str] = None) -> int:
        """Seal the contents: store their checksums, as mmbuf_seal() does.

        Syncs data bytes [0, length), computes their XXH3-64 and that of
        every block of block_size bytes (a power of two from 4 KiB to
        1 GiB; 1 MiB by default), writes the block checksum table after
        the data region and syncs it, then commits durably, in one slot,
        the checksums, the table's place, and the SEALED state (mmbuf(5),
        "Data checksum and sealing").  The data is read with pread, so a
        file that shrinks under us raises TruncatedError.  The seal stays
        current until the buffer is opened for writing again or its length
        changes: do not store into [0, length) after sealing.  close()
        then commits the clean, sealed state into both slots.  Sealing a
        sealed buffer again first commits it unsealed, as its table is
        about to be overwritten.

        backend is as for mmbuf.verify().  Raises ReadOnlyError,
        ValueError (block_size), NoChecksumError, TruncatedError or
        OSError.  Returns the data checksum.

        In C: mmbuf_seal() (block_size is 1 << block_shift there).
        """
        self._check_writable()
        block_size = int(block_size)
        shift = block_size.bit_length() - 1
        if block_size <= 0 or block_size != 1 << shift or \
                not F.BLOCK_SHIFT_MIN <= shift <= F.BLOCK_SHIFT_MAX:
            raise ValueError("block_size %d is not a power of two from 4 "
                             "KiB to 1 GiB" % block_size)
        hasher = _checksum.backend(backend)
        h = self._header
        # What we are about to vouch for must be on disk first.
        if h.length:
            self.flush(0, h.length)
        # The table below goes where the current slot's table is: stop
        # vouching for that one first (mmbuf(5), "Data checksum and
        # sealing", step 2), so that a failure or crash before the commit
        # cannot leave a sealed header beside a table that no longer
        # matches it.
        if h.state & F.STATE_SEALED and h.ro_compat & F.RO_COMPAT_BLOCK_TABLE:
            self._commit(True, state=h.state & ~F.STATE_SEALED)
            h = self._header
        n = F.nblocks(h.capacity, shift)
        used = F.nblocks(h.length, shift)
        bsize = 1 << shift
        table_off = F.block_table_offset(h.data_end)
        # The table is written a slice at a time; entries past the length
        # are 0.
        for first in range(0, n, _verify.TABLE_SLICE):
            entries = []
            for k in range(first, min(n, first + _verify.TABLE_SLICE)):
                start = k << shift
                entries.append(hasher.hash_file(
                    self._fd, h.data_offset + start,
                    min(bsize, h.length - start)) if k < used else 0)
            _pwrite_all(self._fd, struct.pack("<%dQ" % len(entries),
                                              *entries),
                        table_off + first * 8)
        whole = hasher.hash_file(self._fd, h.data_offset, h.length)
        os.fdatasync(self._fd)
        # A crash before this commit leaves the previous header in force,
        # and the table past its file_size, where readers ignore it.
        self._commit(True, compat=h.compat | F.COMPAT_DATA_CHECKSUM,
                     ro_compat=h.ro_compat | F.RO_COMPAT_BLOCK_TABLE,
                     block_shift=shift, table_offset=table_off,
                     table_size=n * 8, file_size=table_off + n * 8,
                     data_checksum=whole,
                     checksum_generation=h.generation + 1,
                     state=h.state | F.STATE_SEALED)
        # A smaller table than a previous seal's leaves a tail: drop it.
        os.ftruncate(self._fd, table_off + n * 8)
        return whole

    # -- publishing ----------------------------------------------------------
    @_locked
    def publish(self) -> None:
        """Put a buffer made with create(publish=False) in place under its
        path, as mmbuf_publish() does (mmbuf(5), "Creating a file"): sync
        the file (data and header), link it there (or, if create() had
        exist_ok=True, rename it over what is there, atomically, through
        the staging name ".NAME.mmbuf-new"), then sync the directory.  The
        buffer stays open for writing, as after a plain create(); what it
        held before publish() is what readers find.

        Raises ValueError if the buffer is not awaiting publication
        (published already, or not made by create(publish=False)) or is
        closed; FileExistsError if the path exists and exist_ok was not
        given; NotRegularError if it was given and the path is not a
        regular file (checked right before the rename); or another
        OSError, naming the path.  After those the buffer is still
        unpublished and the path untouched: close() discards it, or
        publish() can be tried again.  An OSError from syncing the
        directory comes after the buffer is in place: it is then
        published, only its name might not survive a power loss.

        In C: mmbuf_publish().
        """
        self._check_open()
        self._check_own()
        p = self._pending
        if p is None:
            raise ValueError("%s: the buffer is not awaiting publication"
                             % (self._name,))
        try:
            self._put_in_place(p)
        except OSError as e:
            raise _on_path(e, p.target) from None

    def _put_in_place(self, p):
        # Everything it holds reaches the disk before it has a name.
        os.fsync(self._fd)
        if p.tmp is None and not p.replace:
            _link_unnamed(self._fd, p.directory, p.base)
        elif p.tmp is None:
            # A name of our own first, then an atomic rename, of a regular
            # file only: checked right before it, but a window remains in
            # which another process could put a special file there, for
            # rename() cannot be told to replace only a regular file.
            staged = _link_staging(self._fd, p.directory, p.base)
            try:
                _check_replaceable(p.target)
                os.rename(staged, p.target)
            except BaseException:
                _unlink_quietly(staged)
                raise
        elif p.replace:
            _check_replaceable(p.target)
            os.rename(p.tmp, p.target)
        else:
            os.link(p.tmp, p.target)
            _unlink_quietly(p.tmp)
        self._pending = None
        _sync_dir(p.directory)

    def _discard(self):
        """Unmap, close and remove a buffer that was never published:
        nothing is synced; an O_TMPFILE file goes with its descriptor."""
        p = self._pending
        self._abandon()
        if p is not None:
            _unlink_quietly(p.tmp)

    # -- closing -----------------------------------------------------------
    def _release_views(self):
        """Release every view handed out; the number still in use."""
        alive = 0
        for ref in reversed(list(self._views.values())):
            view = ref()
            if view is None:
                continue
            if not isinstance(view, memoryview):
                alive += 1      # a NumPy array from to_numpy()
                continue
            try:
                view.release()
            except BufferError:
                alive += 1
        self._views.clear()
        return alive

    def _unmap(self):
        """Let go of every mapping: unmap those that nothing else holds;
        one that a view still uses stays with that view (and so does the
        open file description that the mapping holds, with its lock) until
        the view goes."""
        maps = self._old_maps + ([self._mm] if self._mm is not None else [])
        self._mm, self._old_maps, self._cached = None, [], None
        self._views.clear()
        for m in maps:
            try:
                m.close()
            except BufferError:
                pass

    @_locked
    def close(self) -> None:
        """Close the buffer, as mmbuf_close() does; closing twice does
        nothing.  It never fails because views are alive.

        A writer syncs the data region, commits durably the header with
        the "writer open" state cleared (and, if sealed, the clean sealed
        state into both slots), then closes its descriptor.

        Views handed out (.raw, .view, .rows(), iteration, .to_numpy(),
        np.asarray(buf)) stay valid after close(), as the arrays of
        np.load(mmap_mode="r") do: each keeps the mapping it points into,
        and the mapping keeps a duplicate of the descriptor, so the lock
        (mmbuf(5), "Locking") lasts exactly as long as any of them lives.
        Their last one going releases it.  Until then, for a reader, a
        writer's shrink stays refused (BusyError); for a writer, other
        writers stay refused (BusyError).

        What a writer's close() commits is what the views held then.
        Stores through a view after close() still reach the file (the
        mapping is shared: other processes see them at once), but nothing
        syncs or commits them: they are not durable, the header does not
        cover them, and a sealed buffer's checksums no longer match them
        (verifybuf reports it corrupt).  Store before close(), or open the
        file again.  The header is never mapped by a view: no store can
        damage it.

        A buffer made with create(publish=False) and never published is
        discarded instead: nothing is committed or synced, and the file
        goes (with its temporary name, if it had one), as mmbuf_close()
        does; views of it stay valid, on a file without a name.  Leaving a
        ``with`` block without publish() discards it too.

        In a child of fork(), a writer inherited from the parent is
        closed without a sync or a commit: the parent is its writer.

        Raises OSError if a sync or commit fails; the descriptor is closed
        all the same.

        In C: mmbuf_close().
        """
        if self._closed:
            return
        if self._inherited:
            # The parent's writer: nothing to sync, commit or remove here.
            self._closed = True
            self._unmap()
            self._close_fd()
            return
        pending = self._pending
        discard = pending is not None
        if self._writable and not discard and self._mm is not None:
            self._mm.flush()
        self._closed = True
        self._unmap()
        if pending is not None:
            self._close_fd()
            _unlink_quietly(pending.tmp)
            return
        try:
            if self._writable:
                self._commit_clean()
        finally:
            # Releases the locks, unless a mapping still in use holds
            # them (see above).
            self._close_fd()

    def _commit_clean(self, durable=True):
        """Commit the "writer open" state cleared, as close() does."""
        self._commit(durable, state=self._header.state
                     & ~F.STATE_WRITER_OPEN)
        # A sealed buffer is meant to be final: the clean, sealed state
        # goes into the other slot too, so that either slot alone holds it
        # (mmbuf(5), "Opening for writing, closing, unclean close").
        if self._header.state & F.STATE_SEALED:
            self._commit(durable)

    def _abandon(self):
        """Unmap and close without committing (a failed open)."""
        self._closed = True
        self._unmap()
        self._close_fd()

    def __enter__(self) -> Buffer:
        """``with mmbuf.open(p) as b:``: the buffer itself."""
        return self

    def __exit__(self, exc_type: Optional[Type[BaseException]],
                 exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        """The end of a ``with`` block: close(), which never raises because
        views are alive; an error of close() while an exception leaves
        the block is noted on that exception (add_note()), never put in
        its place.

        In C: mmbuf_close().
        """
        if exc_type is None:
            self.close()
            return
        # Never replace the exception that is leaving the block: a
        # failure to close is noted on it instead.
        try:
            self.close()
        except Exception as e:
            if exc is not None and hasattr(exc, "add_note"):
                exc.add_note("while leaving the block, closing %s also "
                             "failed: %s" % (self._name, e))

    def __del__(self) -> None:
        # Like a file object: a forgotten buffer is closed when collected,
        # with a ResourceWarning that names it.
        if getattr(self, "_closed", True):
            return
        try:
            warnings.warn("unclosed mmbuf.Buffer %r" % (self._path,),
                          ResourceWarning, stacklevel=2, source=self)
        except Exception:
            pass
        try:
            self.close()
        except Exception:
            pass
