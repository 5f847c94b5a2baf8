"""Strict JSON, as the tests of every --json output check it: strict
UTF-8 (a bad byte fails the decode), no NaN or Infinity, and no lone
surrogate escape such as \\ud800 (which Python's json module lets through
into a str).

    python3 strictjson.py FILE [lines|seq]

checks FILE (one value; with "lines" one per line; with "seq" values one
after another, as jq reads them) and exits non-zero with the reason if it
is not.  The tools' shell tests (json_strict in tests/tools/lib.sh) and
the Python tests (import strictjson) share it."""

import json
import sys


def _refuse(name):
    raise ValueError("not JSON: " + name)


def _walk(v):
    if isinstance(v, str):
        if any(0xd800 <= ord(c) <= 0xdfff for c in v):
            raise ValueError("a lone surrogate in %r" % v)
    elif isinstance(v, dict):
        for k, x in v.items():
            _walk(k)
            _walk(x)
    elif isinstance(v, list):
        for x in v:
            _walk(x)


def parse(data, how=""):
    """The values of data (bytes), a list: one value, or with how
    "lines" one per line, or with "seq" one after another.  Raises
    ValueError (UnicodeDecodeError, JSONDecodeError) if it is not strict
    JSON."""
    text = data.decode("utf-8")
    dec = json.JSONDecoder(parse_constant=_refuse)
    if how == "lines":
        docs = [dec.decode(line) for line in text.splitlines()]
    elif how == "seq":
        docs, i = [], 0
        while i < len(text):
            doc, i = dec.raw_decode(text, i)
            docs.append(doc)
            while i < len(text) and text[i] in " \t\r\n":
                i += 1
    else:
        docs = [dec.decode(text)]
    _walk(docs)
    return docs


if __name__ == "__main__":
    with open(sys.argv[1], "rb") as f:
        try:
            parse(f.read(), sys.argv[2] if len(sys.argv) > 2 else "")
        except ValueError as e:
            sys.exit(str(e))
