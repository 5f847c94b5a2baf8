"""python3 -m mmbuf info FILE...: show the header of buffer files.

Prints the fields of the current header slot, one per line, in the words
of mmbuf(5).  Exit status 0 when every file is a valid buffer, 1 when one
is not (with "mmbuf: FILE: message" on standard error), 2 for misuse.
"""

import argparse
import datetime
import sys
import uuid as uuidlib

from . import _buffer, _errors, _format as F


def _time(ns):
    t = datetime.datetime.fromtimestamp(ns // 10**9, datetime.timezone.utc)
    return "%s.%09dZ" % (t.strftime("%Y-%m-%dT%H:%M:%S"), ns % 10**9)


def info(path, out):
    """Print the header of the buffer file path to out."""
    with _buffer.open(path) as b:
        h = b.header
        state = []
        if h.state & F.STATE_WRITER_OPEN:
            state.append("writer-open (%s)" % ("a writer is at work"
                         if b.writer_active else "unclean"))
        if h.state & F.STATE_SEALED:
            state.append("sealed")
        status = ", ".join("slot %d %s" % (i, s or "intact")
                           for i, s in enumerate(h.slot_status))
        rows = [
            ("file", path),
            ("slot", "%d is current (%s)" % (h.slot, status)),
            ("generation", h.generation),
            ("version", "%d.%d" % (h.version_major, h.version_minor)),
            ("state", ", ".join(state) or "clean"),
            ("writer pid", h.writer_pid),
            ("dtype", "%s (%d bytes per element)" % (h.dtype, h.itemsize)),
            ("shape", "(%s)" % ", ".join(str(d) for d in h.shape)
             if h.ndim else "none (flat)"),
            ("label", '"%s"' % h.label),
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
        for k, v in rows:
            out.write("%-13s %s\n" % (k + ":", v))


def main(argv=None):
    """The command line; returns the exit status."""
    p = argparse.ArgumentParser(prog="python3 -m mmbuf",
                                description="Inspect mmbuf buffer files.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    pi = sub.add_parser("info", help="show the header of buffer files")
    pi.add_argument("files", nargs="+", metavar="FILE")
    args = p.parse_args(argv)
    status = 0
    for i, path in enumerate(args.files):
        if i:
            sys.stdout.write("\n")
        try:
            info(path, sys.stdout)
        except (_errors.Error, OSError) as e:
            msg = e.strerror if isinstance(e, OSError) and e.strerror \
                else str(e)
            sys.stderr.write("mmbuf: %s: %s\n" % (path, msg))
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
