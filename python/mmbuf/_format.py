"""Format v1 of mmbuf(5): header encoding, decoding and validation.

Pure functions over bytes, no I/O: the rest of the package and the tests
call them directly.  Every rule here is a rule of man/mmbuf.5, sections
"Header slot", "Slot integrity", "Choosing the current slot" and "Field
validation"; the section names are quoted where a rule is applied.
"""

import dataclasses
import struct
import sys
import zlib
from typing import Any, List, Optional, Tuple, Type

from . import _errors as E
from ._types import BytesLike, DTypeArg

MAGIC = b"\x8dMMB\r\n\x1a\n"
FORMAT_VERSION_MAJOR = 1
FORMAT_VERSION_MINOR = 1
PAGE = 4096
SLOT_SIZE = 512
HEADER_SIZE = 8192
MAX_DIMS = 8
LABEL_MAX = 255
DATA_OFFSET_MIN = 8192
DATA_OFFSET_MAX = 2 * 1024 * 1024
FILE_SIZE_MAX = 2 ** 63 - 1
# Block sizes of the block checksum table: 2**12 (4 KiB) to 2**30 (1 GiB).
BLOCK_SHIFT_MIN = 12
BLOCK_SHIFT_MAX = 30
U64_MAX = 2 ** 64 - 1

COMPAT_DATA_CHECKSUM = 0x1
# Writers wake waiters after every commit (mmbuf(5), "Waiting for a commit").
COMPAT_NOTIFY = 0x2
RO_COMPAT_LOCKING = 0x1
RO_COMPAT_BLOCK_TABLE = 0x2
# The first dimension is the committed rows (mmbuf(5), "Shape"):
# shape[0] == length // row bytes at every commit.
RO_COMPAT_GROWING = 0x4
# What this implementation knows and maintains, as libmmbuf does: seal()
# writes the block table, and every commit that clears SEALED leaves it
# unspecified, as "Block checksum table" allows; every commit keeps the
# first dimension of a growing buffer, and sets NOTIFY only where it can
# wake (see _notify.py).
COMPAT_KNOWN = COMPAT_DATA_CHECKSUM | COMPAT_NOTIFY
RO_COMPAT_KNOWN = RO_COMPAT_LOCKING | RO_COMPAT_BLOCK_TABLE | \
    RO_COMPAT_GROWING
INCOMPAT_KNOWN = 0

STATE_WRITER_OPEN = 0x1
STATE_SEALED = 0x2
STATE_KNOWN = STATE_WRITER_OPEN | STATE_SEALED

# The 512-byte slot of "Header slot", field by field.
SLOT = struct.Struct("<8sQHHIQQQ16sqqQQQQII8sII8QQQQQ8s256s4sQI")
assert SLOT.size == SLOT_SIZE

_U64 = struct.Struct("<Q")
_U32 = struct.Struct("<I")
_TAIL = struct.Struct("<QI")     # generation_tail, crc32

ITEMSIZES = {"b1": 1, "u1": 1, "i1": 1, "u2": 2, "i2": 2, "u4": 4,
             "i4": 4, "u8": 8, "i8": 8, "f2": 2, "f4": 4, "f8": 8,
             "c8": 8, "c16": 16}


@dataclasses.dataclass(frozen=True)
class Header:
    """The decoded fields of one header slot (see mmbuf(5), "Header slot").

    ``slot`` is the index (0 or 1) the fields came from and
    ``slot_status`` what was found in each slot: None for a slot that is
    intact and valid, else the C error name of its first failed check
    (``"MMBUF_ECHECKSUM"``, ...).  ``itemsize`` is derived from the dtype.

    In C: mmbuf_info, from mmbuf_get_info() and mmbuf_validate_header().
    """

    generation: int
    version_major: int
    version_minor: int
    compat: int
    ro_compat: int
    incompat: int
    uuid: bytes
    ctime_ns: int
    mtime_ns: int
    data_offset: int
    capacity: int
    length: int
    file_size: int
    state: int
    writer_pid: int
    dtype: str
    itemsize: int
    ndim: int
    shape: Tuple[int, ...]
    block_shift: int
    data_checksum: int
    checksum_generation: int
    table_offset: int
    table_size: int
    label: str
    slot: int = -1
    slot_status: Tuple[Optional[str], Optional[str]] = (None, None)

    def replace(self, **changes: Any) -> "Header":
        """A copy of the header with the given fields changed."""
        return dataclasses.replace(self, **changes)

    @property
    def data_end(self) -> int:
        """File offset of the end of the data region."""
        return self.data_offset + self.capacity

    @property
    def growing(self) -> bool:
        """True when the first dimension grows with the length
        (RO_COMPAT_GROWING): shape[0] is the committed rows."""
        return bool(self.ro_compat & RO_COMPAT_GROWING)

    @property
    def row_bytes(self) -> int:
        """The bytes of one row along the first axis: itemsize times
        shape[1:] (the itemsize for a flat or 1-D buffer)."""
        return row_bytes(self.itemsize, self.shape)


def row_bytes(itemsize: int, shape: Tuple[int, ...]) -> int:
    """itemsize times the product of shape[1:]: the bytes of one row along
    the first axis."""
    n = itemsize
    for d in shape[1:]:
        n *= d
    return n


def growing_shape(itemsize: int, shape: Tuple[int, ...],
                  length: int) -> Tuple[int, ...]:
    """shape with its first dimension set to the whole rows in length
    bytes, as a growing buffer commits it (row bytes must be > 0)."""
    return (length // row_bytes(itemsize, shape),) + tuple(shape[1:])


def nblocks(nbytes: int, shift: int) -> int:
    """The blocks of 2**shift bytes that cover nbytes: one table entry
    each (mmbuf(5), "Block checksum table")."""
    return -(-nbytes // (1 << shift))


def block_table_offset(data_end: int) -> int:
    """The file offset of the block table of a data region that ends at
    file offset data_end: the first page boundary at or after it."""
    return -(-data_end // PAGE) * PAGE


# Every other spelling of the supported types that np.dtype() accepts as
# a string (its names and one-character codes, np.sctypeDict), as a code
# of "Element types" in native byte order.  The C types take this
# platform's sizes, as NumPy does.
_SPELLINGS = {
    "?": "b1", "bool": "b1", "bool_": "b1", "bool8": "b1",
    "b": "i1", "byte": "i1", "int8": "i1",
    "B": "u1", "ubyte": "u1", "uint8": "u1",
    "h": "i2", "short": "i2", "int16": "i2",
    "H": "u2", "ushort": "u2", "uint16": "u2",
    "int32": "i4", "uint32": "u4", "int64": "i8", "uint64": "u8",
    "e": "f2", "half": "f2", "float16": "f2",
    "f": "f4", "single": "f4", "float32": "f4",
    "d": "f8", "double": "f8", "float": "f8", "float_": "f8",
    "float64": "f8",
    "F": "c8", "csingle": "c8", "singlecomplex": "c8", "complex64": "c8",
    "D": "c16", "cdouble": "c16", "cfloat": "c16", "complex": "c16",
    "complex_": "c16", "complex128": "c16",
}
for _names, _c in ((("i", "intc"), "i"), (("I", "uintc"), "I"),
                   (("l", "long", "int", "int_"), "l"),
                   (("L", "ulong", "uint"), "L"),
                   (("q", "longlong"), "q"), (("Q", "ulonglong"), "Q"),
                   (("p", "intp", "int0"), "n"),
                   (("P", "uintp", "uint0"), "N")):
    for _n in _names:
        _SPELLINGS[_n] = "%s%d" % ("u" if _c.isupper() else "i",
                                   struct.calcsize(_c))
del _names, _c, _n
_NATIVE_ORDER = "<" if sys.byteorder == "little" else ">"


def parse_dtype(dtype: DTypeArg) -> Tuple[str, int]:
    """Check and normalise an element type, as mmbuf_dtype_parse() does.

    Accepts the type strings of mmbuf(5): ``"<f8"``, ``">i4"``, ``"|u1"``,
    ``"=f4"`` (native order) and bare codes such as ``"f8"``
    (little-endian); every other spelling that ``np.dtype()`` accepts for
    the supported types, in native order unless prefixed with ``<``,
    ``>``, ``=``, ``|`` or ``!``: ``"float64"``, ``"d"``, ``"double"``,
    ``"int"``, ``"?"``, ``"complex64"``...; the Python types bool, int,
    float and complex; NumPy dtypes and scalar types (``np.float64``).
    NumPy is not needed, nor imported.  Returns ``(canonical, itemsize)``,
    e.g. ``("<f8", 8)``.  Raises DtypeError for anything else, such as
    object, string, structured, datetime or longdouble types.
    """
    s = getattr(dtype, "str", dtype)
    if isinstance(dtype, type) and not isinstance(s, str):
        # bool, int, float, complex, np.float64, np.intc...: NumPy names
        # its scalar types after their dtype.
        s = dtype.__name__
        if dtype.__module__ == "numpy" and "numpy" in sys.modules:
            try:
                s = sys.modules["numpy"].dtype(dtype).str
            except TypeError:
                pass
    if not isinstance(s, str):
        raise E.DtypeError("invalid dtype %r" % (dtype,))
    order, code = (s[0], s[1:]) if s[:1] in ("<", ">", "|", "=", "!") \
        else ("", s)
    if code not in ITEMSIZES:
        if code not in _SPELLINGS:
            raise E.DtypeError("invalid dtype %r: the codes are %s, or "
                               "NumPy's names for them" %
                               (dtype, " ".join(ITEMSIZES)))
        code = _SPELLINGS[code]
        if order in ("", "|"):
            order = "="
    if order == "!":
        order = ">"
    elif order == "=":
        order = _NATIVE_ORDER
    elif order in ("", "|"):
        order = "<"
    if ITEMSIZES[code] == 1:
        order = "<"   # "writers should write '<' for them"
    return order + code, ITEMSIZES[code]


def shape_nbytes(itemsize: int, shape: Tuple[int, ...]) -> Optional[int]:
    """itemsize times the product of shape, or None when a step overflows
    64 bits (mmbuf(5), Field validation, rule 8)."""
    n = itemsize
    for d in shape:
        n *= d
        if n > U64_MAX:
            return None
    return n


def valid_label(raw: bytes) -> Optional[str]:
    """The label of a 256-byte field, or None if the field breaks the rules
    of Label: a NUL inside, only NULs after it, strict UTF-8 before it."""
    nul = raw.find(b"\0")
    if nul < 0 or raw.count(0, nul) != len(raw) - nul:
        return None
    try:
        # Python's strict decoder refuses overlong forms, surrogates and
        # anything above U+10FFFF, as RFC 3629 asks.
        return raw[:nul].decode("utf-8")
    except UnicodeDecodeError:
        return None


def slot_integrity(hdr: BytesLike, i: int) -> Optional[Type[E.Error]]:
    """The status of slot i (0 or 1) of the header bytes hdr (the first
    8192 bytes of the file, or fewer): None when intact, else the error
    class of the first failed check of mmbuf(5), "Slot integrity"."""
    s = bytes(hdr[PAGE * i:PAGE * i + SLOT_SIZE])
    if len(s) < 8:
        return E.TruncatedError if MAGIC.startswith(s) else E.MagicError
    if s[:8] != MAGIC:
        return E.MagicError
    if len(s) < SLOT_SIZE:
        return E.TruncatedError
    gen, = _U64.unpack_from(s, 8)
    slot_size, = _U32.unpack_from(s, 20)
    tail, crc = _TAIL.unpack_from(s, 500)
    if zlib.crc32(s[:508]) != crc:
        return E.ChecksumError
    if gen != tail:
        return E.TornError
    if gen % 2 != i or slot_size != SLOT_SIZE:
        return E.InconsistentError
    return None


def decode_slot(s: BytesLike, slot: int = -1) -> Header:
    """Decode 512 intact slot bytes into a Header, checking the version and
    incompat (step 4 of Choosing the current slot) and every rule of Field
    validation.  Raises VersionError, FeatureError or InconsistentError."""
    (magic, gen, major, minor, _slot_size, compat, ro_compat, incompat,
     uuid, ctime_ns, mtime_ns, data_offset, capacity, length, file_size,
     state, writer_pid, dtype_raw, ndim, block_shift, *rest) = \
        SLOT.unpack(bytes(s))
    shape_all = tuple(rest[:8])
    (data_checksum, checksum_generation, table_offset, table_size,
     _res1, label_raw, _res2, _tail, _crc) = rest[8:]
    if major != FORMAT_VERSION_MAJOR:
        raise E.VersionError("format version %d.%d is not supported"
                             % (major, minor))
    if incompat & ~INCOMPAT_KNOWN:
        raise E.FeatureError("unknown incompatible feature 0x%x"
                             % (incompat & ~INCOMPAT_KNOWN))

    def bad(why: str) -> None:
        raise E.InconsistentError("inconsistent header: " + why)

    if data_offset % PAGE or not DATA_OFFSET_MIN <= data_offset <= \
            DATA_OFFSET_MAX:
        bad("data_offset %d" % data_offset)
    if length > capacity:
        bad("length %d > capacity %d" % (length, capacity))
    data_end = data_offset + capacity
    if data_end > FILE_SIZE_MAX:
        bad("data_offset + capacity overflows")
    if ro_compat & RO_COMPAT_BLOCK_TABLE:
        if not BLOCK_SHIFT_MIN <= block_shift <= BLOCK_SHIFT_MAX:
            bad("block_shift %d" % block_shift)
        want_off = block_table_offset(data_end)
        want_size = 8 * nblocks(capacity, block_shift)
        if table_offset != want_off or table_size != want_size:
            bad("block table offset or size")
        if table_offset + table_size > FILE_SIZE_MAX or \
                file_size != table_offset + table_size:
            bad("file_size %d" % file_size)
    else:
        if block_shift or table_offset or table_size:
            bad("block table fields without BLOCK_TABLE")
        if file_size != data_end:
            bad("file_size %d != data_offset + capacity" % file_size)
    nul = dtype_raw.find(b"\0")
    dt = dtype_raw[:nul] if nul >= 0 else dtype_raw
    if nul < 0 or dtype_raw[nul:].count(0) != len(dtype_raw) - nul or \
            dt[:1] not in (b"<", b">") or dt[1:].decode("latin-1") \
            not in ITEMSIZES:
        bad("dtype %r" % dtype_raw)
    dtype = dt.decode("ascii")
    itemsize = ITEMSIZES[dtype[1:]]
    if ndim > MAX_DIMS or any(shape_all[ndim:]):
        bad("ndim %d and shape" % ndim)
    shape = shape_all[:ndim]
    if ndim > 0:
        n = shape_nbytes(itemsize, shape)
        if n is None or n > capacity:
            bad("shape %r does not fit the capacity" % (shape,))
    if ro_compat & RO_COMPAT_GROWING:
        rb = row_bytes(itemsize, shape) if ndim else 0
        if rb == 0 or rb > U64_MAX:
            bad("a growing first dimension needs rows of at least one byte")
        if shape[0] != length // rb:
            bad("growing shape[0] %d is not length %d // %d row bytes"
                % (shape[0], length, rb))
    if state & ~STATE_KNOWN:
        bad("state 0x%x" % state)
    if not compat & COMPAT_DATA_CHECKSUM and (
            data_checksum or checksum_generation or state & STATE_SEALED):
        bad("checksum fields without DATA_CHECKSUM")
    label = valid_label(label_raw)
    if label is None:
        bad("label is not NUL-terminated UTF-8")
    return _new_header(gen, major, minor, compat, ro_compat, incompat, uuid,
                       ctime_ns, mtime_ns, data_offset, capacity, length,
                       file_size, state, writer_pid, dtype, itemsize, ndim,
                       shape, block_shift, data_checksum,
                       checksum_generation, table_offset, table_size, label,
                       slot, (None, None))


_HEADER_FIELDS = tuple(f.name for f in dataclasses.fields(Header))


def _new_header(*values: Any) -> Header:
    """Header(*values), for every field, without the frozen dataclass's
    __init__: that sets each of the 27 fields through object.__setattr__,
    which is a tenth of the time of mmbuf.open().  Header has no
    __post_init__, so the result is the same."""
    h = object.__new__(Header)
    h.__dict__.update(zip(_HEADER_FIELDS, values))
    return h


def _status(exc_class: Optional[Type[E.Error]]) -> Optional[str]:
    return None if exc_class is None else exc_class.name


def _examine_slot(hdr: bytes, i: int) -> Tuple[Any, Optional[str], Any,
                                                Any]:
    """Integrity, status, decoded Header and decoding error of slot i."""
    integ = slot_integrity(hdr, i)
    status = _status(integ)
    decoded = error = None
    if integ is None:
        try:
            decoded = decode_slot(hdr[PAGE * i:PAGE * i + SLOT_SIZE], i)
        except E.Error as e:
            error = e
            status = e.name
    return integ, status, decoded, error


def _examine(hdr: bytes) -> Tuple[List[Any], List[Optional[str]],
                                  List[Any], List[Any]]:
    """Integrity, status, decoded Header and decoding error of each slot."""
    a, b = _examine_slot(hdr, 0), _examine_slot(hdr, 1)
    return [a[0], b[0]], [a[1], b[1]], [a[2], b[2]], [a[3], b[3]]


def slot_statuses(hdr: BytesLike) -> Tuple[Optional[str], ...]:
    """What was found in each slot of the header bytes hdr, as in
    Header.slot_status, also when no slot can serve: a tuple of two
    entries, None or the C error name of the first failed check."""
    return tuple(_examine(bytes(hdr[:HEADER_SIZE]))[1])


class SlotCache:
    """What validate_header() found in each slot, kept by the bytes of the
    slot: a reader that reads the header again and again (refresh(),
    wait()) decodes only the slot that changed.  The result is the same as
    without it."""

    __slots__ = ("slots",)

    def __init__(self) -> None:
        self.slots: List[Any] = [None, None]

    def examine(self, hdr: bytes) -> Tuple[List[Any], List[Optional[str]],
                                          List[Any], List[Any]]:
        raws = (hdr[:SLOT_SIZE], hdr[PAGE:PAGE + SLOT_SIZE])
        out = []
        for i in (0, 1):
            raw = raws[i]
            got = self.slots[i]
            if got is None or got[0] != raw:
                base = self.slots[1 - i]
                h = None
                if base is not None and base[0] == raws[1 - i] and \
                        base[3] is not None:
                    h = _next_slot(base[0], base[3], raw, i)
                got = (raw, None, None, h, None) if h is not None else \
                    (raw,) + _examine_slot(hdr, i)
                self.slots[i] = got
            out.append(got)
        a, b = out
        return [a[1], b[1]], [a[2], b[2]], [a[3], b[3]], [a[4], b[4]]

    def following(self, cur: Header, raw: bytes) -> Optional[Header]:
        """The Header of raw, the bytes just read of the slot that the
        commit after cur (the current header, decoded through this cache)
        writes, when they hold such a commit of a new length alone (see
        _next_slot()); else None.  A follower woken by a commit reads that
        slot alone: it was current when read, and the slot of cur is
        looked at by the next full read.  slot_status is that of both
        slots as last read (None, None)."""
        base = self.slots[cur.slot]
        i = 1 - cur.slot
        if base is None or base[3] is None or \
                base[3].generation != cur.generation:
            return None
        h = _next_slot(base[0], base[3], raw, i)
        if h is None or h.generation <= cur.generation:
            return None
        self.slots[i] = (raw, None, None, h, None)
        return h

    def older_word(self, cur: Header, raw: bytes) -> Optional[int]:
        """The low 32 bits of the generation in raw, the bytes just read
        of the slot that the commit after cur writes, when they are those
        last seen there, intact, valid and older than cur: no commit was
        made since cur, and a FUTEX_WAIT on that value returns at the
        next one.  None otherwise."""
        got = self.slots[1 - cur.slot]
        if got is None or got[3] is None or got[0] != raw or \
                got[3].generation >= cur.generation:
            return None
        return got[3].generation & 0xffffffff


# A commit of a new length leaves the bytes of a slot as they were in the
# slot it comes from, but for the generation (8), mtime (72), length (96),
# shape[0] of a growing buffer (136), generation_tail (500) and CRC (508):
# those fields, in one unpack.
_MOVING = struct.Struct("<8xQ56xq16xQ32xQ356xQI")
_CRC32_RESIDUE = 0x2144DF1C
assert _MOVING.size == SLOT_SIZE


def _next_slot(base_raw: bytes, base: Header, raw: bytes,
               i: int) -> Optional[Header]:
    """The Header of slot i's bytes raw when they are those of the intact
    slot base_raw (decoded as base) but for a new generation, mtime and
    length (and shape[0] of a growing buffer): what decode_slot() would
    give, without decoding every field again, since only these changed;
    None when anything else differs or a check fails (the caller then
    decodes the slot in full).  The checks are those of "Slot integrity"
    and "Field validation" that the changed fields take part in."""
    if len(raw) != SLOT_SIZE or raw[:8] != base_raw[:8] or \
            raw[16:72] != base_raw[16:72] or raw[80:96] != base_raw[80:96] \
            or raw[104:136] != base_raw[104:136] or \
            raw[144:500] != base_raw[144:500]:
        return None
    gen, mtime, length, shape0, tail, _crc = _MOVING.unpack(raw)
    # The CRC-32 of bytes 0..507 is in 508..511 (little-endian) exactly
    # when the CRC-32 of all 512 is CRC-32's residue: no slice to make.
    if gen != tail or gen % 2 != i or length > base.capacity or \
            zlib.crc32(raw) != _CRC32_RESIDUE:
        return None
    growing = base.ro_compat & RO_COMPAT_GROWING
    if growing:
        if shape0 != length // base.row_bytes:
            return None
    elif raw[136:144] != base_raw[136:144]:
        return None
    h = object.__new__(Header)
    d = h.__dict__
    d.update(base.__dict__)
    if growing:
        d["shape"] = (shape0,) + base.shape[1:]
    d["generation"] = gen
    d["mtime_ns"] = mtime
    d["length"] = length
    d["slot"] = i
    return h


def validate_header(hdr: BytesLike, file_size: int,
                    cache: Optional[SlotCache] = None) -> Header:
    """Choose and decode the current slot (mmbuf(5), "Choosing the current
    slot").

    hdr holds the first bytes of the file (at most 8192 are looked at) and
    file_size is the size of the whole file.  Returns the Header of the
    current slot, with ``slot`` and ``slot_status`` filled in.  Raises the
    Error subclass that the specification names.  A SlotCache given as
    cache spares decoding a slot whose bytes it has seen.

    In C: mmbuf_validate_header().
    """
    hdr = bytes(hdr[:HEADER_SIZE])
    if cache is None:
        integ, status, decoded, errors = _examine(hdr)
    else:
        integ, status, decoded, errors = cache.examine(hdr)
    if integ[0] is None and integ[1] is None:
        g0 = _U64.unpack_from(hdr, 8)[0]
        g1 = _U64.unpack_from(hdr, PAGE + 8)[0]
        cand = 1 if g1 > g0 else 0
        other_intact = True
    elif integ[0] is None or integ[1] is None:
        cand = 0 if integ[0] is None else 1
        other_intact = False
    else:
        starts = [i for i in (0, 1)
                  if hdr[PAGE * i:PAGE * i + 8] == MAGIC]
        if not starts:
            # Not a buffer file (mmbuf(5), "Magic"), even when empty or
            # a prefix of the magic.
            raise E.MagicError("not an mmbuf buffer file (bad magic)")
        cls = integ[starts[0]]
        raise cls("no intact header slot: slot %d: %s"
                  % (starts[0], cls.__doc__.rstrip(".").lower()))
    err = errors[cand]
    if err is not None:
        if isinstance(err, (E.VersionError, E.FeatureError)):
            raise err   # never roll back past a newer writer
        if other_intact and decoded[1 - cand] is not None:
            cand = 1 - cand
        else:
            raise err
    d = decoded[cand]
    # A new Header rather than a change to d, which a cache may hold; not
    # through the frozen dataclass's __init__ (27 fields set one by one,
    # a tenth of the time of an open).
    h = object.__new__(Header)
    h.__dict__.update(d.__dict__)
    h.__dict__["slot_status"] = tuple(status)
    if file_size < h.file_size:
        raise E.TruncatedError("file is truncated: %d bytes, the header "
                               "says %d" % (file_size, h.file_size))
    return h


def encode_slot(h: Header) -> bytes:
    """The 512 bytes of a slot holding header h, with the generation copied
    to generation_tail, reserved fields zero and the CRC-32 computed."""
    dtype = h.dtype.encode("ascii")
    label = h.label.encode("utf-8")
    if len(label) > LABEL_MAX or b"\0" in label:
        raise E.LabelError("label is too long or holds a NUL byte")
    shape = tuple(h.shape) + (0,) * (MAX_DIMS - len(h.shape))
    b = bytearray(SLOT.pack(
        MAGIC, h.generation, h.version_major, h.version_minor, SLOT_SIZE,
        h.compat, h.ro_compat, h.incompat, h.uuid, h.ctime_ns, h.mtime_ns,
        h.data_offset, h.capacity, h.length, h.file_size, h.state,
        h.writer_pid, dtype, len(h.shape), h.block_shift, *shape,
        h.data_checksum, h.checksum_generation, h.table_offset,
        h.table_size, b"", label, b"", h.generation, 0))
    struct.pack_into("<I", b, 508, zlib.crc32(bytes(b[:508])))
    return bytes(b)
