"""The lock protocol of mmbuf(5), "Locking".

On Linux: open file description (OFD) locks, exactly as libmmbuf takes
them, so a C writer and a Python writer exclude each other, and two opens
in one process do too.  The writer holds byte [0, 1) exclusively, readers
hold byte [1, 2) shared.  Elsewhere libmmbuf uses flock(2) for the writer
only, and so does this module.

The locks are advisory: anyone who can read the file can take a read lock
on the writer's byte and so keep every writer out.  That is reported as
ReadLockError, never as a writer.
"""

import errno
import fcntl
import os
import struct

from . import _errors as E

_OFD = hasattr(fcntl, "F_OFD_SETLK")
# struct flock: l_type, l_whence, l_start, l_len, l_pid (then padding to
# the alignment of off_t).  Python's fcntl module is built with 64-bit
# file offsets, so off_t is 64 bits.
_FLOCK = struct.Struct("@hhqqi0q")
_WRITER_BYTE = 0
_READER_BYTE = 1


def _ofd(fd, cmd, ltype, start):
    arg = _FLOCK.pack(ltype, os.SEEK_SET, start, 1, 0)
    try:
        res = fcntl.fcntl(fd, cmd, arg)
    except OSError as e:
        if e.errno in (errno.EAGAIN, errno.EACCES):
            raise E.BusyError(E.MESSAGES["MMBUF_EBUSY"]) from None
        raise
    return _FLOCK.unpack(res)[0]


def _conflicting(fd, ltype, start):
    """The type of a lock that another open file holds on the byte and
    that conflicts with ltype: F_RDLCK, F_WRLCK or F_UNLCK (none)."""
    return _ofd(fd, fcntl.F_OFD_GETLK, ltype, start)


def lock_writer(fd):
    """Take the writer lock without waiting: BusyError if a writer holds
    it, ReadLockError (a BusyError) if a read lock keeps writers out."""
    if not _OFD:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise E.BusyError(E.MESSAGES["MMBUF_EBUSY"]) from None
        return
    # As lock.c: a lock that went away between the two calls is retried.
    for _ in range(3):
        try:
            _ofd(fd, fcntl.F_OFD_SETLK, fcntl.F_WRLCK, _WRITER_BYTE)
            return
        except E.BusyError:
            # No writer takes this byte shared, but anyone who can read
            # the file can: say which it is.
            held = _conflicting(fd, fcntl.F_WRLCK, _WRITER_BYTE)
            if held == fcntl.F_RDLCK:
                raise E.ReadLockError(
                    E.MESSAGES["MMBUF_EREADLOCK"]) from None
            if held != fcntl.F_UNLCK:
                raise
    raise E.BusyError(E.MESSAGES["MMBUF_EBUSY"])


def lock_reader(fd):
    """Take the shared reader lock without waiting (OFD systems only)."""
    if _OFD:
        _ofd(fd, fcntl.F_OFD_SETLK, fcntl.F_RDLCK, _READER_BYTE)


def lock_readers_out(fd):
    """Hold the readers' byte exclusively, without waiting, for a shrink:
    BusyError while any reader (C or Python, in any process) has the file
    open.  Without OFD locks readers take none, so a shrink is refused."""
    if not _OFD:
        raise E.BusyError("cannot shrink: readers cannot be detected here")
    try:
        _ofd(fd, fcntl.F_OFD_SETLK, fcntl.F_WRLCK, _READER_BYTE)
    except E.BusyError:
        raise E.BusyError("cannot shrink: other processes have the buffer "
                          "open")


def unlock_readers(fd):
    """Let the readers' byte go again (after lock_readers_out)."""
    if _OFD:
        arg = _FLOCK.pack(fcntl.F_UNLCK, os.SEEK_SET, _READER_BYTE, 1, 0)
        fcntl.fcntl(fd, fcntl.F_OFD_SETLK, arg)


def writer_present(fd):
    """True if some open file holds the writer lock of the file of fd (a
    read lock on the writer's byte is not a writer)."""
    if _OFD:
        return _conflicting(fd, fcntl.F_WRLCK, _WRITER_BYTE) == fcntl.F_WRLCK
    probe = os.open("/dev/fd/%d" % fd, os.O_RDONLY | os.O_CLOEXEC)
    try:
        fcntl.flock(probe, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(probe)


def unlock(fd):
    """Release every lock this open file holds (closing it does too)."""
    if _OFD:
        arg = _FLOCK.pack(fcntl.F_UNLCK, os.SEEK_SET, 0, 0, 0)
        fcntl.fcntl(fd, fcntl.F_OFD_SETLK, arg)
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
