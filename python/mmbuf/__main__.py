"""The command line: python3 -m mmbuf info|verify FILE..., --version.

``info`` prints the fields of the current header slot, one per line, in
the words of mmbuf(5), as ``dumpbuf -H`` does; a blank line separates
the files.  Text from the file (the label, the dtype) and file names are
printed through shown(), which escapes what a terminal would obey, as the
C tools do.  ``info --json`` prints instead, for each file, the JSON
object of ``dumpbuf --json``, with the same keys, values and layout (see
dumpbuf(1), JSON OUTPUT), one object after another: strict JSON in UTF-8
whatever the file holds.  A file with a damaged header still gets its
object (``"valid": false``).  Exit status 0 when every file is a valid
buffer, 1 when one is not.  Each file that is not prints
one line "mmbuf: FILE: message" on standard error, and, unless it is a
damaged header shown with --json, nothing on standard output.

``verify`` checks each file against its seal and prints one verdict line
per file, the lines of verifybuf(1) ("FILE: ok", "FILE: not verifiable
(never sealed)", "FILE: CORRUPT (slot 0 CRC; block 3 at
[0x300000, 0x400000))", "FILE: cannot check: message"), with verifybuf's
exit statuses: the worst over all files of 0 verified, 1 consistent but
not verifiable, 2 corruption found, 3 could not check (also when there
is no XXH3-64 implementation: "mmbuf: FILE: message" on standard
error).

A usage error (an unknown command or option, a bad option argument, no
file) exits with 64, EX_USAGE of sysexits.h, as in every C tool, after
one line naming the problem and "Try 'python3 -m mmbuf --help' for more
information." (with the command's name for a command's options) on
standard error.

``--version`` prints "mmbuf VERSION", VERSION being mmbuf.__version__.
"""

import argparse
import datetime
import io
import os
import sys
import uuid as uuidlib
import zlib

from . import __version__, _buffer, _errors, _format as F, _verify as V


def shown(text):
    r"""text taken from a file (a label, a dtype, a file name) as it is safe
    to print on a terminal, the way the C tools show it (dumpbuf(1)): what
    prints stays as it is; \ " tab and newline become \\ \" \t \n; a
    byte that is not UTF-8 (which os.fsdecode() makes U+DC80 to U+DCFF)
    becomes \xNN, the byte; any other character that str.isprintable()
    refuses (C0 and C1 controls, DEL, format characters such as bidi
    overrides, separators other than the space, private use, unassigned)
    becomes \xNN below U+0080, else \uNNNN or \UNNNNNNNN."""
    out = []
    for ch in text:
        o = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\n":
            out.append("\\n")
        elif 0xdc80 <= o <= 0xdcff:
            out.append("\\x%02x" % (o - 0xdc00))
        elif ch.isprintable():
            out.append(ch)
        elif o < 0x80:
            out.append("\\x%02x" % o)
        elif o < 0x10000:
            out.append("\\u%04x" % o)
        else:
            out.append("\\U%08x" % o)
    return "".join(out)


def _time(ns):
    t = datetime.datetime.fromtimestamp(ns // 10**9, datetime.timezone.utc)
    return "%s.%09dZ" % (t.strftime("%Y-%m-%dT%H:%M:%S"), ns % 10**9)


def info(path, out):
    """Print the header of the buffer file path to out, as ``dumpbuf -H``
    does.  Raises mmbuf.Error or OSError."""
    with _buffer.open(path) as b:
        h = b.header
        state = []
        if h.state & F.STATE_WRITER_OPEN:
            state.append("writer open (%s)" % ("a writer is at work"
                         if b.writer_active else "unclean"))
        if h.state & F.STATE_SEALED:
            state.append("sealed")
        status = ", ".join("slot %d %s" % (i, s or "intact")
                           for i, s in enumerate(h.slot_status))
        rows = [
            ("file", shown(path)),
            ("slot", "%d is current (%s)" % (h.slot, status)),
            ("generation", h.generation),
            ("version", "%d.%d" % (h.version_major, h.version_minor)),
            ("state", ", ".join(state) or "clean"),
            ("writer pid", h.writer_pid),
            ("dtype", "%s (%d bytes per element)" % (shown(h.dtype),
                                                     h.itemsize)),
            ("shape", "(%s)%s" % (", ".join(str(d) for d in h.shape),
                                  ", the first dimension growing"
                                  if h.growing else "")
             if h.ndim else "none (flat)"),
            ("label", '"%s"' % shown(h.label)),
            ("uuid", str(uuidlib.UUID(bytes=h.uuid))),
            ("created", _time(h.ctime_ns)),
            ("modified", _time(h.mtime_ns)),
            ("data offset", h.data_offset),
            ("capacity", h.capacity),
            ("length", h.length),
            ("file size", h.file_size),
            ("compat", "0x%x" % h.compat),
            ("ro_compat", "0x%x" % h.ro_compat),
            ("incompat", "0x%x" % h.incompat),
        ]
        if h.compat & F.COMPAT_DATA_CHECKSUM:
            rows.append(("checksum", "0x%016x (stored at generation %d%s)"
                         % (h.data_checksum, h.checksum_generation,
                            "" if h.state & F.STATE_SEALED
                            else "; not current")))
        if h.ro_compat & F.RO_COMPAT_BLOCK_TABLE:
            rows.append(("block table", "%d entries for blocks of %d bytes,"
                         " at offset %d" % (h.table_size // 8,
                                            1 << h.block_shift,
                                            h.table_offset)))
        for k, v in rows:
            out.write("%-13s %s\n" % (k + ":", v))


def json_str(raw):
    r"""raw (bytes) as a JSON string, as tool_json_str() in tools/text.c
    writes it: strict JSON in UTF-8 whatever raw holds.  A byte that is
    not part of valid UTF-8 becomes U+FFFD (\ufffd); " and \ are escaped;
    a character that str.isprintable() refuses becomes \uNNNN (a
    surrogate pair above U+FFFF), so that the text is safe on a terminal
    too.  (tool_printable() lets unassigned code points through, having
    no Unicode table: those are the same characters after parsing.)"""
    out = ['"']
    # surrogateescape gives each byte that is not UTF-8 its own U+DC80 to
    # U+DCFF, as mmbuf_utf8_decode() refuses them one byte at a time.
    for ch in raw.decode("utf-8", "surrogateescape"):
        o = ord(ch)
        if 0xdc80 <= o <= 0xdcff:
            out.append("\\ufffd")
        elif ch in '"\\':
            out.append("\\" + ch)
        elif ch.isprintable():
            out.append(ch)
        elif o < 0x10000:
            out.append("\\u%04x" % o)
        else:
            o -= 0x10000
            out.append("\\u%04x\\u%04x" % (0xd800 + (o >> 10),
                                          0xdc00 + (o & 0x3ff)))
    out.append('"')
    return "".join(out)


def _json(v, indent=""):
    """v (a dict, list, bytes, str, int, bool or None) as JSON in the
    layout of dumpbuf --json: two spaces a level, a list of numbers on one
    line.  bytes are text from a file, through json_str()."""
    inner = indent + "  "
    if isinstance(v, dict):
        return "{\n%s\n%s}" % (",\n".join(
            '%s"%s": %s' % (inner, k, _json(x, inner))
            for k, x in v.items()), indent)
    if isinstance(v, list):
        if all(isinstance(x, int) for x in v):
            return "[%s]" % ", ".join(str(x) for x in v)
        return "[\n%s\n%s]" % (",\n".join(
            inner + _json(x, inner) for x in v), indent)
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    return json_str(v if isinstance(v, bytes) else v.encode("utf-8"))


def _read_header(path):
    """The first 8192 bytes of the file path (fewer if it is shorter) and
    its size, read as tool_read_header() in tools/header.c reads them: no
    lock, no mapping, so that a damaged file can be shown.  Raises
    OSError, or NotRegularError (as info() does, a directory too)."""
    fd = _buffer._open_fd(path, False)
    try:
        st = os.fstat(fd)
        hdr = b""
        while len(hdr) < F.HEADER_SIZE:
            chunk = os.pread(fd, F.HEADER_SIZE - len(hdr), len(hdr))
            if not chunk:
                break
            hdr += chunk
    finally:
        os.close(fd)
    return hdr, st.st_size


def _slot_json(hdr, i, status, current):
    """The object of slot i in dumpbuf --json: every field of a slot that
    starts with the magic, as stored, whether or not it is valid."""
    name = status[i]
    d = {"slot": i, "status": name or "intact",
         "message": _errors.MESSAGES[name] if name else "intact",
         "current": current == i}
    s = hdr[F.PAGE * i:F.PAGE * i + F.SLOT_SIZE]
    if len(s) < F.SLOT_SIZE or s[:8] != F.MAGIC:
        return d
    (_magic, gen, major, minor, slot_size, compat, ro_compat, incompat,
     uuid, ctime_ns, mtime_ns, data_offset, capacity, length, file_size,
     state, writer_pid, dtype, ndim, block_shift, *rest) = F.SLOT.unpack(s)
    (data_checksum, checksum_generation, table_offset, table_size,
     _res1, label, _res2, tail, crc) = rest[8:]
    dtype = dtype.split(b"\0", 1)[0]
    code = dtype[1:].decode("latin-1")
    d.update(
        generation=gen, generation_tail=tail,
        version="%d.%d" % (major, minor), slot_size=slot_size,
        compat=compat, ro_compat=ro_compat, incompat=incompat,
        uuid=str(uuidlib.UUID(bytes=uuid)), ctime_ns=ctime_ns,
        mtime_ns=mtime_ns, data_offset=data_offset, capacity=capacity,
        length=length, file_size=file_size, state=state,
        writer_open=bool(state & F.STATE_WRITER_OPEN),
        sealed=bool(state & F.STATE_SEALED), writer_pid=writer_pid,
        dtype=dtype,
        # As mmbuf_dtype_check(): a byte order, then exactly a code.
        itemsize=F.ITEMSIZES[code] if dtype[:1] in (b"<", b">")
        and code in F.ITEMSIZES else None,
        ndim=ndim, shape=list(rest[:min(ndim, F.MAX_DIMS)]),
        growing=bool(ro_compat & F.RO_COMPAT_GROWING),
        label=label.split(b"\0", 1)[0],
        data_checksum="%016x" % data_checksum
        if compat & F.COMPAT_DATA_CHECKSUM else None,
        checksum_generation=checksum_generation, block_shift=block_shift,
        table_offset=table_offset, table_size=table_size,
        crc32="%08x" % crc, crc32_ok=zlib.crc32(s[:508]) == crc)
    return d


def info_json(path):
    """The JSON object of ``dumpbuf --json`` (tool_header_json() in
    tools/header.c) for the file path, as text, and the mmbuf.Error that
    makes its header unusable, or None.  Raises OSError or
    NotRegularError when the file cannot be read."""
    hdr, size = _read_header(path)
    try:
        current, err = F.validate_header(hdr, size).slot, None
    except _errors.Error as e:
        current, err = None, e
    d = {"file": os.fsencode(path), "file_size": size,
         "valid": err is None, "error": err and err.name}
    if err is not None:
        d["message"] = _errors.MESSAGES[err.name]
    d["current_slot"] = current
    status = F.slot_statuses(hdr)
    d["slots"] = [_slot_json(hdr, i, status, current) for i in (0, 1)]
    return _json(d) + "\n", err


# A .npy file given as a buffer, as the C tools name it
# (TOOL_NPY_NOT_BUFFER in tools/common.h).
NPY_NOT_BUFFER = ("a NumPy .npy file, not an mmbuf buffer file "
                  "(mkbuf --from-npy makes a buffer of it)")


def _is_npy(path):
    """Whether path starts with the magic of a NumPy .npy file."""
    try:
        # Non-blocking: a FIFO is never waited on for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        return os.read(fd, 6) == b"\x93NUMPY"
    except OSError:
        return False
    finally:
        os.close(fd)


def _message(e, path):
    """The message of the exception e about path, for "mmbuf: FILE:
    message": the strerror of an OSError, the text of an mmbuf.Error
    without the path it may start with; a .npy file refused as not a
    buffer is named as one."""
    if isinstance(e, OSError) and e.strerror:
        return e.strerror
    if isinstance(e, _errors.MagicError) and _is_npy(path):
        return NPY_NOT_BUFFER
    msg = str(e)
    prefix = "%s: " % (path,)
    return msg[len(prefix):] if msg.startswith(prefix) else msg


# A usage error, in every command and every tool: EX_USAGE of sysexits.h.
EXIT_USAGE = 64


class _Parser(argparse.ArgumentParser):
    """argparse with the tools' usage errors: status 64 instead of
    argparse's 2 (which among verify's statuses means corruption found),
    and one line naming the problem then a pointer to --help, instead of
    the usage."""

    def error(self, message):
        self.exit(EXIT_USAGE, "%s: %s\nTry '%s --help' for more "
                  "information.\n" % (self.prog, message, self.prog))


_DAMAGE = {"MMBUF_EMAGIC": "bad magic", "MMBUF_ECHECKSUM": "CRC",
           "MMBUF_ETORN": "torn", "MMBUF_EVERSION": "version",
           "MMBUF_EFEATURE": "feature", "MMBUF_ETRUNCATED": "missing",
           "MMBUF_EINCONSISTENT": "inconsistent"}
_REASON = {"never_sealed": "never sealed", "modified": "modified since seal",
           "writer_open": "writer open",
           "unclean": "unclean, the last writer did not close it"}


def _corrupt_parts(r):
    parts = []
    truncated = r.error == "MMBUF_ETRUNCATED"
    for i, st in enumerate(r.slot_status):
        # A file too short for a slot is told by "truncated".
        if st is None or (truncated and st == "MMBUF_ETRUNCATED"):
            continue
        parts.append("slot %d %s" % (i, _DAMAGE.get(st, st)))
    for b in r.bad:
        if r.block_size == 0:
            what = "data checksum"
        elif b.first_block == b.last_block:
            what = "block %d" % b.first_block
        else:
            what = "blocks %d-%d" % (b.first_block, b.last_block)
        # Half-open, as verifybuf prints it: end is excluded.
        parts.append("%s at [0x%x, 0x%x)" % (what, b.offset, b.end))
    if truncated:
        if r.expected_size > r.file_size:
            parts.append("truncated: expected %d bytes, found %d"
                         % (r.expected_size, r.file_size))
        else:
            parts.append("truncated: %d bytes" % r.file_size)
    elif r.error is not None and not parts:
        parts.append(r.message)     # wrong as a whole, not in one slot
    if r.reason is not None:
        parts.append("data not verified: %s" % _REASON[r.reason])
    return "; ".join(parts)


def verdict_line(r):
    """The verdict line of verifybuf(1) for the Report r, without the
    newline."""
    if r.verdict == V.VERDICT_OK:
        what = "ok"
    elif r.verdict == V.VERDICT_UNVERIFIABLE:
        what = "not verifiable (%s" % _REASON[r.reason]
        for i, st in enumerate(r.slot_status):
            if st is not None:
                what += "; slot %d %s: an interrupted commit" % (
                    i, _DAMAGE.get(st, st))
        what += ")"
    elif r.verdict == V.VERDICT_CORRUPT:
        what = "CORRUPT (%s)" % _corrupt_parts(r)
    elif r.error == "MMBUF_EMAGIC" and _is_npy(r.path):
        what = "cannot check: %s" % NPY_NOT_BUFFER
    else:
        what = "cannot check: %s" % r.message
    return "%s: %s" % (shown(r.path), what)


def verify(paths, out, err, quiet=False, backend=None):
    """Verify each file, print its verdict line to out (with quiet, only
    those that are not ok) and return the worst verdict, which is the
    exit status.  A missing XXH3-64 implementation is told on err, once
    per file, with status 3."""
    worst = V.VERDICT_OK
    for path in paths:
        try:
            r = V.verify(path, backend)
        except _errors.NoChecksumError as e:
            err.write("mmbuf: %s: %s\n" % (shown(path), shown(str(e))))
            err.flush()
            worst = V.VERDICT_FAILED
            continue
        if not quiet or r.verdict != V.VERDICT_OK:
            out.write(verdict_line(r) + "\n")
        worst = max(worst, r.verdict)
    return worst


def info_files(paths, out, err, as_json=False):
    """Show each file as info() does, or with as_json as info_json()
    does, on out; tell each failure on err in one line, "mmbuf: FILE:
    message" (as tool_err() in tools/message.c does for the C tools);
    return the exit status, 0 when every file is a valid
    buffer, else 1.  JSON goes to out as UTF-8 bytes (to out.buffer when
    out has one), whatever the encoding of out."""
    status = 0
    shown_one = False
    for path in paths:
        e = None
        try:
            if as_json:
                text, e = info_json(path)
                data = text.encode("utf-8")
                if hasattr(out, "buffer"):
                    out.flush()
                    out.buffer.write(data)
                    out.buffer.flush()
                else:
                    out.write(text)
            else:
                # Nothing, not even the blank line, for a file that fails.
                text = io.StringIO()
                info(path, text)
                out.write("\n" * shown_one + text.getvalue())
                shown_one = True
        except (_errors.Error, OSError) as exc:
            e = exc
        if e is not None:
            out.flush()
            err.write("mmbuf: %s: %s\n" % (shown(path),
                                           shown(_message(e, path))))
            err.flush()
            status = 1
    return status


def main(argv=None):
    """The command line (python3 -m mmbuf --help); returns the exit
    status."""
    p = _Parser(
        prog="python3 -m mmbuf",
        description="Inspect mmbuf buffer files: show their header (info), "
        "check them against their seal (verify).",
        epilog="Run 'python3 -m mmbuf COMMAND --help' for the options and "
        "exit statuses of each command.")
    p.add_argument("--version", action="version",
                   version="mmbuf " + __version__)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    pi = sub.add_parser(
        "info", help="show the header of buffer files",
        description="Show the current header slot of each buffer file, as "
        "dumpbuf -H does (a blank line between files), or with --json the "
        "object of dumpbuf --json for each file, one after another. A file "
        "that cannot be read, or whose header is damaged, is told in one "
        "line on standard error, 'mmbuf: FILE: message'; with --json a "
        "damaged header still gets its object, with \"valid\": false. Exit "
        "status 0 when every file is a valid buffer, 1 when one is not, 64 "
        "usage error.")
    pi.add_argument("--json", action="store_true",
                    help="print the JSON object of dumpbuf --json, with "
                    "the same keys (see dumpbuf(1), JSON OUTPUT): strict "
                    "JSON in UTF-8")
    pi.add_argument("files", nargs="+", metavar="FILE")
    pv = sub.add_parser(
        "verify", help="check buffer files against their seal",
        description="Check buffer files against their seal, as verifybuf "
        "does: one verdict line per file; exit status 0 all verified, 1 "
        "not verifiable, 2 corruption found, 3 could not check, 64 usage "
        "error.")
    pv.add_argument("-q", "--quiet", action="store_true",
                    help="print verdict lines only for files that are "
                    "not ok")
    pv.add_argument("--backend", choices=("libmmbuf", "xxhash"),
                    help="the XXH3-64 implementation (default: the first "
                    "available of libmmbuf and the xxhash module)")
    pv.add_argument("files", nargs="+", metavar="FILE")
    argv = sys.argv[1:] if argv is None else list(argv)
    args, extra = p.parse_known_args(argv)
    if extra:
        # Told by the command, whose --help lists its options.
        {"info": pi, "verify": pv}[args.command].error(
            "unrecognized arguments: %s" % " ".join(extra))
    if args.command == "verify":
        return verify(args.files, sys.stdout, sys.stderr, args.quiet,
                      args.backend)
    return info_files(args.files, sys.stdout, sys.stderr, args.json)

if __name__ == "__main__":
    sys.exit(main())
