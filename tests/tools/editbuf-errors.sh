#!/bin/sh
# editbuf: every kind of bad input is refused with its exact message and
# exit status 1 (64 for a wrong command line), and the buffer file stays
# byte-identical (header and its generation included); files that cannot
# be opened or written give 2.

. "${srcdir:-.}/tests/tools/editbuf-lib.sh"

b=$tmp/b
mkraw 1 64 "$tmp/raw"
mkbuf_from "$tmp/raw" "$b"
cp "$b" "$tmp/copy"

# run_bad WANT "MESSAGE LINES" ARGS...: editbuf ARGS on $b must exit WANT
# with exactly MESSAGE LINES (newline-separated) on stderr and nothing on
# stdout, and leave $b as it was.
run_bad() {
    want=$1 msg=$2
    shift 2
    expect "$want" editbuf "$@" "$b" < /dev/null
    printf '%s\n' "$msg" > "$tmp/experr"
    same "stderr of editbuf $*" "$tmp/err" "$tmp/experr"
    expect_out
    unchanged "editbuf $*" "$b" "$tmp/copy"
}
try="Try 'editbuf --help' for more information."

# Bad hex and odd digit counts in --set.
run_bad 64 "editbuf: invalid --set '0=zz': 'z' is not a hex digit
$try" --set 0=zz
run_bad 64 "editbuf: invalid --set '0=abc': odd number of hex digits (3)
$try" --set 0=abc
run_bad 64 "editbuf: invalid --set '0=': no hex bytes after '='
$try" --set 0=
run_bad 64 "editbuf: invalid --set 'x=00': bad offset 'x'
$try" --set x=00
run_bad 64 "editbuf: invalid --set '12' (OFFSET=HEXBYTES, e.g. 0x10=cafe)
$try" --set 12
# Offsets past the capacity (64).
run_bad 1 "editbuf: $b: --set 64=00: offset 64 is past the capacity (64 bytes)" \
    --set 64=00
run_bad 1 "editbuf: $b: --set 62=000000: bytes 62 to 64 are past the capacity (64 bytes)" \
    --set 62=000000
run_bad 1 "editbuf: $b: --fill 60:5=0: bytes 60 to 64 are past the capacity (64 bytes)" \
    --fill 60:5=0
run_bad 1 "editbuf: $b: --fill 0:1T=0xff: bytes 0 to 1099511627775 are past the capacity (64 bytes)" \
    --fill 0:1T=0xff
run_bad 64 "editbuf: invalid --fill '0:4=256': bad byte '256' (0 to 255, e.g. 0xff)
$try" --fill 0:4=256
run_bad 64 "editbuf: invalid --fill '0=1' (OFFSET:LENGTH=BYTE, e.g. 0:4K=0xff)
$try" --fill 0=1
# All or nothing: good edits before and after a bad one write nothing.
run_bad 1 "editbuf: $b: --set 100=01: offset 100 is past the capacity (64 bytes)" \
    --set 0=ffff --fill 2:8=7 --set 100=01 --set 4=00

# Patches: every malformed line is an error with its line number.
patch_bad() {
    printf "$1" > "$tmp/patch"
    run_bad 1 "editbuf: $tmp/patch:$2" --patch "$tmp/patch"
}
patch_bad '00000000: 4142  AB\n00000002: 43zz  C.\n' \
    "2: 'z' is not a hex digit (column 13)"
patch_bad '00000000: 414  A\n' "1: odd number of hex digits in group '414'"
patch_bad '00000000: 4142\n\n00000002: 43\n' "2: empty line"
patch_bad 'hello\n' "1: expected an offset in hex digits, found 'h'"
patch_bad '00000000:4142\n' "1: expected a space after the offset's ':', found '4'"
patch_bad '00000000: 41 42  43 44  ABCD\n' \
    "1: the text after the hex is longer than the line's 2 bytes (groups must be one space apart)"
patch_bad '00000000:\n' "1: no bytes after the offset"
patch_bad '00000000; 41\n' "1: expected ':' or two spaces after the offset"
patch_bad '*\n00000010: 00\n' "1: '*' must follow a line of bytes"
patch_bad '00000000: 0000\n*\n' "2: '*' must be followed by the line where the repeats end"
patch_bad '00000000: 0000\n*\n00000005: 00\n' \
    "3: offset 0x5 is not a whole number of 2-byte lines after the line repeated by '*'"
patch_bad '00000040: 00\n' "1: bytes 0x40 to 0x40 are past the capacity (64 bytes)"
patch_bad '00000038: 0001 0203 0405 0607 0809  ..........\n' \
    "1: bytes 0x38 to 0x41 are past the capacity (64 bytes)"
patch_bad '00000000: 0000\n*\n00000080: 00\n' \
    "2: the lines repeated up to 0x80 are past the capacity (64 bytes)"
patch_bad '00000000  41 42 43  |ABC|\n00000004\n' \
    "2: end offset 0x4 is not where the line before ends (0x3)"
patch_bad '00000000  41 4g  |A.|\n' "1: expected a byte of two hex digits at column 14, found 'g'"
patch_bad '00000000  41 42  |AB\n' "1: the text column must end with '|'"
patch_bad '10000000000000000: 00\n' "1: offset does not fit in 64 bits"
# Plain hex.
plain_bad() {
    printf "$1" > "$tmp/patch"
    pmsg=$2
    shift 2
    run_bad 1 "editbuf: $tmp/patch:$pmsg" "$@" --patch-plain "$tmp/patch"
}
plain_bad '4142\n434\n' "2: odd number of hex digits (3) at column 1"
plain_bad '41 4 2\n' "1: odd number of hex digits (1) at column 4"
plain_bad '4142\n  43xy\n' "2: 'x' is not a hex digit (column 5)"
plain_bad '00000000: 4142\n' "1: ':' is not a hex digit (column 9)"
plain_bad '0001020304\n' "1: byte 5 (at offset 64) is past the capacity (64 bytes)" --at 60
run_bad 1 "editbuf: $tmp/patch: offset 65 is past the capacity (64 bytes)" \
    --at 65 --patch-plain "$tmp/patch"
# A patch file that cannot be read is bad input too: nothing is written.
run_bad 1 "editbuf: $tmp/none: cannot open the patch: No such file or directory" \
    --set 0=00 --patch "$tmp/none"
# Standard input named in a message.
printf '0g\n' > "$tmp/0g"
expect 1 editbuf --patch-plain - "$b" < "$tmp/0g"
expect_err "editbuf: (stdin):1: 'g' is not a hex digit (column 2)"
unchanged "plain hex on stdin" "$b" "$tmp/copy"

# Typed values: indexes outside the shape, values out of range.
mkraw 2 48 "$tmp/raw3"
"$MKTESTBUF" --dtype '<i2' --shape 2,3,4 "$tmp/t" < "$tmp/raw3" || exit 99
cp "$tmp/t" "$tmp/tcopy"
item_bad() {
    expect 1 editbuf --set-item "$1" "$tmp/t"
    expect_err "editbuf: $tmp/t: --set-item $1: $2"
    unchanged "--set-item $1" "$tmp/t" "$tmp/tcopy"
}
item_bad 2,0,0=1 "index 2 is outside dimension 0 (size 2)"
item_bad 0,3,0=1 "index 3 is outside dimension 1 (size 3)"
item_bad 1,2,4=1 "index 4 is outside dimension 2 (size 4)"
item_bad -3,0,0=1 "index -3 is outside dimension 0 (size 2)"
item_bad 0,0,-5=1 "index -5 is outside dimension 2 (size 4)"
item_bad 0,0,0,0=1 "too many indexes for 3 dimensions"
item_bad 1,2=1 "index '1,2' has 2 of 3 components"
item_bad x=1 "invalid index 'x' (e.g. 5 or 5,2)"
item_bad 0,0,0=32768 "32768 is out of range for i2 (-32768 to 32767)"
item_bad 0,0,0=-32769 "-32769 is out of range for i2 (-32768 to 32767)"
item_bad 0,0,0=1.5 "invalid i2 value '1.5'"
item_bad 0,0,0= "invalid i2 value ''"
# Other dtypes, on a flat buffer of 16 bytes.
typed_bad() {
    rm -f "$tmp/d"
    "$MKTESTBUF" --dtype "$1" "$tmp/d" < "$tmp/raw3" || exit 99
    cp "$tmp/d" "$tmp/dcopy"
    expect 1 editbuf --set-item "$2" "$tmp/d"
    expect_err "editbuf: $tmp/d: --set-item $2: $3"
    unchanged "--set-item $2 ($1)" "$tmp/d" "$tmp/dcopy"
}
typed_bad u1 0=256 "256 is out of range for u1 (0 to 255)"
typed_bad u1 0=-1 "-1 is out of range for u1 (0 to 255)"
typed_bad i1 0=-129 "-129 is out of range for i1 (-128 to 127)"
typed_bad '>u4' 0=0x100000000 "0x100000000 is out of range for u4 (0 to 4294967295)"
typed_bad u8 0=18446744073709551616 \
    "18446744073709551616 is out of range for u8 (0 to 18446744073709551615)"
typed_bad i8 0=9223372036854775808 \
    "9223372036854775808 is out of range for i8 (-9223372036854775808 to 9223372036854775807)"
typed_bad b1 0=2 "invalid b1 value '2' (0, 1, true or false)"
typed_bad f2 0=65520 "65520 is out of range for f2 (largest finite value 65504)"
typed_bad f4 0=1e39 "1e39 is out of range for f4 (largest finite value 3.4028235e+38)"
typed_bad f8 0=1e309 "1e309 is out of range for f8 (largest finite value 1.7976931348623157e+308)"
typed_bad f8 0=1.5x "invalid f8 value '1.5x'"
typed_bad c8 0=1+1e39j "1+1e39j is out of range for c8 (largest finite value 3.4028235e+38)"
typed_bad c16 0=1+2 "invalid c16 value '1+2'"
typed_bad c16 0=j "invalid c16 value 'j'"
typed_bad u1 48=0 "index 48 is outside dimension 0 (size 48)"

# Usage errors: 64 (EX_USAGE).
run_bad 64 "editbuf: -R cannot be used with edits
$try" -R --set 0=00
run_bad 64 "editbuf: --at applies to a --patch-plain after it
$try" --set 0=00 --at 4
if [ "${MMBUF_EDITBUF_TUI:-yes}" = no ]; then
    # Built without ncurses: no edits is an error, terminal or not.
    run_bad 64 "editbuf: no edits given, and this editbuf was built without the interactive editor (configure found no ncurses): give edits with --set, --set-item, --fill, --patch or --patch-plain
$try"
else
    run_bad 64 "editbuf: no edits given, and standard input and output are not a terminal (use --set, --set-item, --fill, --patch or --patch-plain)
$try"
fi
expect 64 editbuf --set 0=00
expect_err "editbuf: missing FILE operand" "$try"
expect 64 editbuf --set 0=00 "$b" "$b"
expect_err "editbuf: extra operand '$b'" "$try"
expect 64 editbuf --patch - --patch-plain - "$b"
expect_err "editbuf: only one patch can be read from standard input" "$try"
# One line naming the problem, then the hint, and not the whole help.
run_bad 64 "editbuf: unrecognized option '--bogus'
$try" --bogus
expect 64 editbuf "$b" --set
expect_err "editbuf: option '--set' requires an argument" "$try"
run_bad 64 "editbuf: option '--s' is ambiguous; possibilities: '--set' '--set-item'
$try" --s 0=00
unchanged "usage errors" "$b" "$tmp/copy"

# Files that cannot be opened or written: status 2.
expect 2 editbuf --set 0=00 "$tmp/missing"
expect_err "editbuf: $tmp/missing: No such file or directory"
[ ! -e "$tmp/missing" ] || fail "editbuf created $tmp/missing"
printf 'not a buffer' > "$tmp/junk"
expect 2 editbuf --set 0=00 "$tmp/junk"
expect_err "editbuf: $tmp/junk: not an mmbuf buffer file (bad magic)"
hold "$b"
expect 2 editbuf --set 0=00 "$b"
expect_err "editbuf: $b: cannot open for writing: buffer is busy: another writer has it open; nothing written"
unhold
# The holder was killed as a crashed writer: compare the data only.
data "$b" "$tmp/d1"
same "busy buffer: data untouched" "$tmp/d1" "$tmp/raw"

# A read-only file.  Root ignores the mode bits, so as root the case runs
# as nobody (setpriv, util-linux) on a root-owned file of mode 644.
mkbuf_from "$tmp/raw" "$tmp/ro"
chmod 644 "$tmp/ro"
cp "$tmp/ro" "$tmp/rocopy"
chmod 755 "$tmp"
ro_case() {
    "$@" "$EDITBUF" --set 0=00 "$tmp/ro" > "$tmp/out" 2> "$tmp/err"
    status "read-only file" 2 $?
    expect_err "editbuf: $tmp/ro: cannot open for writing: Permission denied; nothing written"
    unchanged "read-only file" "$tmp/ro" "$tmp/rocopy"
}
if [ "$(id -u)" = 0 ]; then
    if ! command -v setpriv > /dev/null 2>&1; then
        echo "SKIP (this case only): setpriv is missing, cannot drop root" >&2
    elif ! setpriv --reuid=65534 --regid=65534 --clear-groups \
        "$EDITBUF" --version > /dev/null 2>&1; then
        echo "SKIP (this case only): nobody cannot run $EDITBUF" \
            "(the build tree is private)" >&2
    else
        ro_case setpriv --reuid=65534 --regid=65534 --clear-groups
    fi
else
    chmod 444 "$tmp/ro"
    ro_case
fi

finish
