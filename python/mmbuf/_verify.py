"""Checking a buffer file against its seal (mmbuf(5), "Data checksum and
sealing" and "Block checksum table"), as mmbuf_verify_path() does.

The verdicts, reasons and the numbers of the report are those of
mmbuf_verify_path() of mmbuf(3), field for field, so that
``python3 -m mmbuf verify`` tells what verifybuf(1) tells.
"""

import dataclasses
import errno
import os
import stat
import struct
from typing import List, Optional, Tuple, Union

from . import _checksum
from . import _errors as E
from . import _format as F
from . import _lock
from ._types import PathArg

__all__ = ["verify", "Report", "VERDICT_OK", "VERDICT_UNVERIFIABLE",
           "VERDICT_CORRUPT", "VERDICT_FAILED"]

# enum mmbuf_verdict, ordered from good to bad; verifybuf's exit statuses.
VERDICT_OK = 0
VERDICT_UNVERIFIABLE = 1
VERDICT_CORRUPT = 2
VERDICT_FAILED = 3

# Entries of the block table read at a time (64 KiB).
TABLE_SLICE = 8192

# enum mmbuf_unverifiable_reason, as words.
REASONS = ("never_sealed", "modified", "writer_open", "unclean")


@dataclasses.dataclass
class BadRange:
    """A run of damaged blocks, first_block to last_block inclusive,
    covering data bytes [offset, end).

    In C: struct mmbuf_bad_range."""

    first_block: int
    last_block: int
    offset: int
    end: int


@dataclasses.dataclass
class Report:
    """What verify() found: the fields of mmbuf_report of mmbuf(3).

    ``verdict`` is VERDICT_OK (0), VERDICT_UNVERIFIABLE (1),
    VERDICT_CORRUPT (2) or VERDICT_FAILED (3), which are also verifybuf's
    exit statuses.  ``reason`` (for an unverifiable buffer) is None or one
    of "never_sealed", "modified", "writer_open", "unclean".  ``error`` is
    None, the C name of an mmbuf error ("MMBUF_ETRUNCATED"), or an errno
    name ("ENOENT"); ``message`` its text.  ``slot_status`` holds None or
    the error name of each slot; ``bad`` the damaged block runs.
    ``checksum_ok`` is None where C has -1 (not checked: the block table
    was used); ``backend`` names the XXH3-64 back end that checked.

    In C: struct mmbuf_report, from mmbuf_verify_path().
    """

    path: Union[str, bytes]
    verdict: int = VERDICT_OK
    reason: Optional[str] = None
    error: Optional[str] = None
    message: Optional[str] = None
    slot: int = -1
    slot_status: Tuple[Optional[str], ...] = (None, None)
    state: int = 0
    generation: int = 0
    file_size: int = 0
    expected_size: int = 0
    length: int = 0
    block_size: int = 0
    blocks: int = 0
    checksum_generation: int = 0
    bytes_checked: int = 0
    checksum_ok: Optional[bool] = None
    bad: List[BadRange] = dataclasses.field(default_factory=list)
    backend: Optional[str] = None

    @property
    def ok(self) -> bool:
        """True when the data matches its seal."""
        return self.verdict == VERDICT_OK

    def _fail(self, verdict: int, exc: BaseException) -> None:
        if isinstance(exc, E.Error):
            self.error = exc.name
            self.message = E.MESSAGES.get(exc.name, str(exc))
        elif isinstance(exc, OSError) and exc.errno is not None:
            self.error = errno.errorcode.get(exc.errno, str(exc.errno))
            self.message = os.strerror(exc.errno)
        else:
            self.error = type(exc).__name__
            self.message = str(exc)
        self.verdict = max(self.verdict, verdict)


def _add_bad(r: Report, k: int, shift: int, limit: int) -> None:
    end = min((k + 1) << shift, limit)
    if r.bad and r.bad[-1].last_block + 1 == k:
        r.bad[-1].last_block = k
        r.bad[-1].end = end
    else:
        r.bad.append(BadRange(k, k, k << shift, end))


def _read_exact(fd: int, n: int, off: int) -> bytes:
    out = bytearray()
    while len(out) < n:
        got = os.pread(fd, n - len(out), off + len(out))
        if not got:
            break
        out += got
    return bytes(out)


def _check_blocks(fd: int, h: F.Header, hasher: _checksum._Backend,
                  r: Report) -> None:
    n = h.table_size // 8
    shift = h.block_shift
    bsize = 1 << shift
    r.block_size = bsize
    r.blocks = F.nblocks(h.length, shift)
    # The table is read and compared a slice at a time, so that a table of
    # millions of entries never becomes a Python list.
    for first in range(0, n, TABLE_SLICE):
        count = min(TABLE_SLICE, n - first)
        raw = _read_exact(fd, count * 8, h.table_offset + first * 8)
        if len(raw) < count * 8:
            raise E.TruncatedError("the block table is cut short")
        want = struct.unpack("<%dQ" % count, raw)
        for k in range(first, first + count):
            start = k << shift
            if k < r.blocks:
                size = min(bsize, h.length - start)
                got = hasher.hash_file(fd, h.data_offset + start, size)
                r.bytes_checked += size
            else:
                got = 0     # past the length: the entry must be 0
            if want[k - first] != got:
                _add_bad(r, k, shift, h.capacity)


def _verify_fd(fd: int, r: Report, hasher: _checksum._Backend) -> None:
    st = os.fstat(fd)
    hdr = _read_exact(fd, F.HEADER_SIZE, 0)
    r.file_size = st.st_size
    r.slot_status = F.slot_statuses(hdr)
    try:
        h = F.validate_header(hdr, r.file_size)
    except E.Error as e:
        # What the header expects, even of a file too short for it.
        try:
            r.expected_size = F.validate_header(hdr, F.U64_MAX).file_size
        except E.Error:
            pass
        r._fail(VERDICT_FAILED if isinstance(
            e, (E.MagicError, E.VersionError, E.FeatureError))
            else VERDICT_CORRUPT, e)
        return
    r.slot = h.slot
    r.state = h.state
    r.generation = h.generation
    r.expected_size = h.file_size
    r.length = h.length
    r.checksum_generation = h.checksum_generation
    if h.state & F.STATE_WRITER_OPEN:
        r.reason = "writer_open" if _lock.writer_present(fd) else "unclean"
    elif not h.compat & F.COMPAT_DATA_CHECKSUM:
        r.reason = "never_sealed"
    elif not h.state & F.STATE_SEALED:
        r.reason = "modified"
    dmg = h.slot_status[1 - h.slot]
    if dmg is not None:
        r.error = dmg
        r.message = E.MESSAGES[dmg]
        # A writer killed while it copied a commit into the older slot
        # leaves exactly this: an unclean close, not damage.
        if not (r.reason == "unclean" and
                dmg in ("MMBUF_ECHECKSUM", "MMBUF_ETORN")):
            r.verdict = max(r.verdict, VERDICT_CORRUPT)
    if r.reason is not None:
        r.verdict = max(r.verdict, VERDICT_UNVERIFIABLE)
        return
    try:
        if h.ro_compat & F.RO_COMPAT_BLOCK_TABLE:
            _check_blocks(fd, h, hasher, r)
        else:
            whole = hasher.hash_file(fd, h.data_offset, h.length)
            r.bytes_checked = h.length
            r.checksum_ok = whole == h.data_checksum
            if not r.checksum_ok:
                _add_bad(r, 0, 63, h.length)
    except E.TruncatedError as e:
        r._fail(VERDICT_CORRUPT, e)     # it shrank while we read it
        return
    except OSError as e:
        r._fail(VERDICT_FAILED, e)
        return
    if r.bad:
        r.verdict = max(r.verdict, VERDICT_CORRUPT)


def verify(path: PathArg, backend: Optional[str] = None) -> Report:
    """Verify the buffer file at path against its seal; return a Report.

    Checks both header slots, the size of the file against the size its
    header expects, the state, and, when the buffer is sealed and the seal
    is current (SEALED set, WRITER_OPEN clear), every block of the data
    against the block checksum table (or the whole data against
    data_checksum), reading with pread so that a file that shrinks is
    reported, never a crash.  The verdicts are those of
    mmbuf_verify_path() and verifybuf(1): problems with the file are in
    the report, not raised.

    path is a str, bytes or os.PathLike (Report.path is os.fspath() of
    it).  backend is None (the first of "libmmbuf" and "xxhash" that is
    available), or one of them.  Raises NoChecksumError when there is no
    XXH3-64 implementation, before looking at the file, and ValueError for
    an unknown backend.

    In C: mmbuf_verify_path().
    """
    hasher = _checksum.backend(backend)
    r = Report(os.fspath(path), backend=hasher.name)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOCTTY
                     | os.O_NONBLOCK)
    except IsADirectoryError:
        r._fail(VERDICT_FAILED, E.NotRegularError("not a regular file"))
        return r
    except OSError as e:
        r._fail(VERDICT_FAILED, e)
        return r
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            r._fail(VERDICT_FAILED, E.NotRegularError("not a regular file"))
            return r
        # Best effort, as a reader: a writer that shrinks the file takes
        # this lock exclusively first; mmbuf_verify_path() takes it too.
        try:
            _lock.lock_reader(fd)
        except E.BusyError:
            pass
        _verify_fd(fd, r, hasher)
    except OSError as e:
        r._fail(VERDICT_FAILED, e)
    finally:
        os.close(fd)
    return r
