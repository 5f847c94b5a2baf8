#!/bin/sh
# verifybuf-options.sh - every option, usage errors (exit 64), and the
# worst status winning across several files.

. "${srcdir:-.}/tests/tools/verifybuf-lib.sh"

ok=$tmp/ok
sealed "$ok" 5 100000
size=$(wc -c < "$ok")

# --help on stdout, exit 0; --version.
expect 0 verifybuf --help
checks=$((checks + 1))
head -n 1 "$tmp/out" | grep -qx 'Usage: verifybuf \[OPTION\]\.\.\. FILE\.\.\.' ||
    fail "--help: no usage line"
for opt in --verbose --quiet --json --threads --seal --block-size --repair \
    --dry-run --backup --help --version; do
    checks=$((checks + 1))
    grep -q -- "$opt" "$tmp/out" || fail "--help does not mention $opt"
done
grep -q "; 64 usage error\.$" "$tmp/out" || fail "--help: no status 64"
expect_err
expect 0 verifybuf -h
expect 0 verifybuf --version
checks=$((checks + 1))
grep -qx 'verifybuf (mmbuf) [0-9][0-9.]*.*' "$tmp/out" || fail "--version: $(cat "$tmp/out")"
expect 0 verifybuf -V

# Usage errors: exit 64 (EX_USAGE), one line naming the problem and the
# hint on stderr, not the whole help.
expect 64 verifybuf
expect_out
expect_err "verifybuf: missing FILE operand" \
    "Try 'verifybuf --help' for more information."
usage_error() {
    msg=$1
    shift
    expect 64 verifybuf "$@"
    expect_out
    expect_err "verifybuf: $msg" \
        "Try 'verifybuf --help' for more information."
}
usage_error "unrecognized option '--bogus'" --bogus "$ok"
usage_error "unrecognized option '--bogus=1'" --bogus=1 "$ok"
usage_error "option '--json' doesn't allow an argument" --json=1 "$ok"
usage_error "option '--threads' requires an argument" "$ok" --thr
usage_error "invalid option -- 'x'" -x "$ok"
usage_error "option '--threads' requires an argument" "$ok" --threads
usage_error "invalid thread count: 'many' (0 to 1024)" --threads many "$ok"
usage_error "invalid thread count: '2000' (0 to 1024)" --threads 2000 "$ok"
usage_error "invalid block size: '3K' (a power of two from 4K to 1G)" \
    --seal --block-size 3K "$ok"
usage_error "invalid block size: '2K' (a power of two from 4K to 1G)" \
    --seal --block-size 2K "$ok"
usage_error "--block-size needs --seal" --block-size 4K "$ok"
usage_error "--dry-run needs --repair" --dry-run "$ok"
usage_error "--backup needs --repair" --backup "$tmp/bak" "$ok"
usage_error "--seal and --repair cannot be used together" --seal --repair "$ok"
usage_error "-v and --json cannot be used together" -v --json "$ok"
usage_error "-v and -q cannot be used together" -v -q "$ok"
usage_error "--backup takes a single FILE operand" \
    --repair --backup "$tmp/bak" "$ok" "$ok"
checks=$((checks + 1))
[ ! -e "$tmp/bak" ] || fail "a usage error made a backup"

# -v: the details.
expect 0 verifybuf -v "$ok"
expect_out "$ok: ok" \
    "  slot 0: intact (current)" \
    "  slot 1: intact" \
    "  generation: 8" \
    "  state: sealed" \
    "  file size: $size bytes (expected $size)" \
    "  length: 100000 bytes" \
    "  sealed at generation: 6" \
    "  block size: 4096 bytes (25 blocks)" \
    "  bytes checked: 100000"
cp "$ok" "$tmp/bad"
flip "$tmp/bad" $((8192 + 4096 * 3))
expect 2 verifybuf --verbose "$tmp/bad"
expect_out "$tmp/bad: CORRUPT (block 3 at [0x3000, 0x4000))" \
    "  slot 0: intact (current)" \
    "  slot 1: intact" \
    "  generation: 8" \
    "  state: sealed" \
    "  file size: $size bytes (expected $size)" \
    "  length: 100000 bytes" \
    "  sealed at generation: 6" \
    "  block size: 4096 bytes (25 blocks)" \
    "  bytes checked: 100000" \
    "  bad: blocks 3-3, bytes [0x3000, 0x4000)"

# -q: lines only for the files that are not ok.
expect 0 verifybuf -q "$ok"
expect_out
expect 2 verifybuf --quiet "$ok" "$tmp/bad"
expect_out "$tmp/bad: CORRUPT (block 3 at [0x3000, 0x4000))"

# --json: one object per file and line.
expect 3 verifybuf --json "$ok" "$tmp/bad" "$tmp/missing"
expect_out \
"{\"file\": \"$ok\", \"verdict\": \"ok\", \"status\": 0, \"reason\": null, \"error\": null, \"message\": null, \"action\": null, \"repaired_slot\": null, \"slot\": 0, \"slots\": [\"intact\", \"intact\"], \"sealed\": true, \"writer_open\": false, \"generation\": 8, \"file_size\": $size, \"expected_size\": $size, \"length\": 100000, \"checksum_generation\": 6, \"block_size\": 4096, \"blocks\": 25, \"bytes_checked\": 100000, \"bad\": []}" \
"{\"file\": \"$tmp/bad\", \"verdict\": \"corrupt\", \"status\": 2, \"reason\": null, \"error\": null, \"message\": null, \"action\": null, \"repaired_slot\": null, \"slot\": 0, \"slots\": [\"intact\", \"intact\"], \"sealed\": true, \"writer_open\": false, \"generation\": 8, \"file_size\": $size, \"expected_size\": $size, \"length\": 100000, \"checksum_generation\": 6, \"block_size\": 4096, \"blocks\": 25, \"bytes_checked\": 100000, \"bad\": [{\"first_block\": 3, \"last_block\": 3, \"offset\": 12288, \"end\": 16384}]}" \
"{\"file\": \"$tmp/missing\", \"verdict\": \"failed\", \"status\": 3, \"reason\": null, \"error\": \"ENOENT\", \"message\": \"No such file or directory\", \"action\": null, \"repaired_slot\": null, \"slot\": null, \"slots\": null, \"sealed\": null, \"writer_open\": null, \"generation\": null, \"file_size\": null, \"expected_size\": null, \"length\": null, \"checksum_generation\": null, \"block_size\": null, \"blocks\": null, \"bytes_checked\": 0, \"bad\": []}"
expect_err
# --json with --repair and a damaged slot 0: the action is in the object.
cp "$ok" "$tmp/slot"
printf 'XX' | dd of="$tmp/slot" bs=1 seek=300 conv=notrunc status=none
expect 0 verifybuf --json --repair "$tmp/slot"
checks=$((checks + 1))
grep -q '"verdict": "ok", "status": 0, .*"action": "repaired", "repaired_slot": 0, "slot": 0, "slots": \["intact", "intact"\]' "$tmp/out" ||
    fail "--json --repair: $(cat "$tmp/out")"

# --threads: the same verdicts on 1 and on 3 threads.
expect 2 verifybuf --threads 1 "$tmp/bad"
expect_out "$tmp/bad: CORRUPT (block 3 at [0x3000, 0x4000))"
expect 2 verifybuf --threads 3 "$tmp/bad"
expect_out "$tmp/bad: CORRUPT (block 3 at [0x3000, 0x4000))"
expect 0 verifybuf --threads 0 "$ok"
expect_out "$ok: ok"

# --seal (with --block-size): a never-sealed buffer becomes ok; resealing a
# damaged one accepts its data as it is now.
"$MKTESTBUF" --random 6:70000 "$tmp/new" || exit 99
expect 1 verifybuf "$tmp/new"
expect_out "$tmp/new: not verifiable (never sealed)"
expect 0 verifybuf --seal --block-size 8K "$tmp/new"
expect_out "$tmp/new: sealed" "$tmp/new: ok"
expect 0 verifybuf -v "$tmp/new"
checks=$((checks + 1))
grep -qx '  block size: 8192 bytes (9 blocks)' "$tmp/out" || fail "--block-size 8K"
expect 0 verifybuf --seal -q "$tmp/new"
expect_out
expect 0 verifybuf --json --seal "$tmp/new"
checks=$((checks + 1))
grep -q '"verdict": "ok", .*"action": "sealed", "repaired_slot": null,' "$tmp/out" ||
    fail "--json --seal: $(cat "$tmp/out")"
# --seal on what is not a buffer: could not, exit 3.
printf 'not a buffer' > "$tmp/text"
expect 3 verifybuf --seal "$tmp/text"
expect_out "$tmp/text: cannot check: not an mmbuf buffer file (bad magic)"
expect_err "verifybuf: $tmp/text: cannot seal: not an mmbuf buffer file (bad magic)"

# Several files: the worst status wins, every file gets its line.
"$MKTESTBUF" --random 7:3000 "$tmp/plain" || exit 99
expect 1 verifybuf "$ok" "$tmp/plain" "$ok"
expect_out "$ok: ok" "$tmp/plain: not verifiable (never sealed)" "$ok: ok"
expect 2 verifybuf "$tmp/plain" "$tmp/bad" "$ok"
expect 3 verifybuf "$tmp/bad" "$tmp/text" "$tmp/plain"
expect_out "$tmp/bad: CORRUPT (block 3 at [0x3000, 0x4000))" \
    "$tmp/text: cannot check: not an mmbuf buffer file (bad magic)" \
    "$tmp/plain: not verifiable (never sealed)"
expect 0 verifybuf "$ok" "$ok"

# A write error on stdout is reported (status 3: nothing could be said).
if [ -w /dev/full ]; then
    "$VERIFYBUF" "$ok" > /dev/full 2> "$tmp/err"
    status "verifybuf > /dev/full" 3 $?
    expect_err "verifybuf: write error: No space left on device"
fi

# Progress bars on a terminal (script(1) gives one) for large files, for
# --seal and for the check; never with -q.
if command -v script > /dev/null 2>&1; then
    "$MKTESTBUF" --random 9:70000000 "$tmp/big" || exit 99
    script -qec "'$VERIFYBUF' --seal '$tmp/big'" /dev/null > "$tmp/tty" 2>&1
    status "progress on a terminal" 0 $?
    grep -q "sealing $tmp/big .*100%" "$tmp/tty" ||
        { fail "no progress bar for --seal"; cat -v "$tmp/tty" >&2; }
    grep -q "verifying $tmp/big .*100%" "$tmp/tty" ||
        { fail "no progress bar for the check"; cat -v "$tmp/tty" >&2; }
    grep -q "$tmp/big: ok" "$tmp/tty" || fail "no verdict after the bars"
    script -qec "'$VERIFYBUF' -q '$tmp/big'" /dev/null > "$tmp/tty" 2>&1
    status "progress with -q" 0 $?
    grep -q "verifying" "$tmp/tty" && fail "progress bar with -q"
    rm -f "$tmp/big"
else
    echo "SKIP (progress cases only): script(1) is missing" >&2
fi

finish
