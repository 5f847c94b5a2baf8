# editbuf-tui-lib.sh - what the tests of editbuf's terminal UI share;
# sourced.  Each test drives editbuf in a detached tmux session on a
# private server socket, 100x30, types with send-keys and reads the screen
# with capture-pane.  The machine running the tests may be loaded, so
# every check polls the screen (up to $TUI_WAIT seconds) instead of
# sleeping a fixed time.

. "${srcdir:-.}/tests/tools/lib.sh"

# A build without ncurses has no terminal UI to test (editbuf-errors.sh
# checks what editbuf says instead); MMBUF_EDITBUF_TUI comes from configure
# (tests/local.mk).
if [ "${MMBUF_EDITBUF_TUI:-yes}" = no ]; then
    echo "SKIP: editbuf was built without its interactive editor" \
        "(configure found no ncurses, or --without-ncurses)" >&2
    exit 77
fi
# tmux is the test driver: without it these tests cannot run (CI has it).
need tmux

need_built "$EDITBUF" "$HOLDBUF" "$MKBUF"
EDITBUF=$(cd "$(dirname "$EDITBUF")" && pwd)/$(basename "$EDITBUF")
# In the sanitizer build: what ncurses keeps is not a leak of ours.
LSAN_OPTIONS=${LSAN_OPTIONS:+$LSAN_OPTIONS:}print_suppressions=0:suppressions=$(cd "$srcdir" && pwd)/tests/lsan.supp
export LSAN_OPTIONS
TUI_WAIT=${TUI_WAIT:-15}
# Run from inside tmux, the private server must not look like a nested one.
unset TMUX

# A server per session, its socket in $tmp (so nothing is left behind): a
# new one never meets the previous one exiting.
nsessions=0
sock=$tmp/tmux-0
holder=
tui_cleanup() {
    tmux -S "$sock" kill-server 2>/dev/null
    if [ -n "$holder" ]; then
        kill "$holder" 2>/dev/null
    fi
    cleanup
}
trap tui_cleanup EXIT

# start [ENV=VALUE...] -- ARGS...: run editbuf ARGS in a fresh 100x30
# session; its exit status goes to $tmp/rc when it ends.  A command may be
# put before it with $TUI_PREFIX (setpriv, for instance).  Waits for the
# first screen unless $TUI_NOWAIT is set.
start() {
    envs=
    while [ "$1" != -- ]; do
        envs="$envs $1"
        shift
    done
    shift
    tmux -S "$sock" kill-server 2>/dev/null
    nsessions=$((nsessions + 1))
    sock=$tmp/tmux-$nsessions
    rm -f "$tmp/rc"
    args=
    for a in "$@"; do
        args="$args '$a'"
    done
    tmux -S "$sock" -f /dev/null new-session -d -x 100 -y 30 \
        "env LD_LIBRARY_PATH='${LD_LIBRARY_PATH:-}' TERM=screen $envs \
         ${TUI_PREFIX:-} '$EDITBUF' $args 2> '$tmp/tui-err'; \
         echo \$? > '$tmp/rc.new'; mv '$tmp/rc.new' '$tmp/rc'; sleep 60" ||
        exit 99
    if [ -z "${TUI_NOWAIT:-}" ]; then
        pane_ready
    fi
}

# The first screen: the status line is drawn last.
pane_ready() {
    wait_for_text "F1 for help" || {
        echo "ERROR: editbuf did not start" >&2
        cat "$tmp/tui-err" >&2
        exit 99
    }
}

# keys KEY...: type, as tmux send-keys names them (C-x, Escape, Tab...).
keys() {
    tmux -S "$sock" send-keys -t 0 "$@"
}
# text STRING: type STRING literally.
text() {
    tmux -S "$sock" send-keys -t 0 -l "$1"
}

snap() {
    tmux -S "$sock" capture-pane -p -t 0 > "$tmp/screen" 2>/dev/null
}

# poll CMD...: run CMD (after a fresh snapshot) until it succeeds, for at
# most $TUI_WAIT seconds; the status of the last try.
poll() {
    n=0
    while :; do
        snap
        if "$@"; then
            return 0
        fi
        n=$((n + 1))
        if [ $n -gt $((TUI_WAIT * 20)) ]; then
            return 1
        fi
        sleep 0.05
    done
}

has_text() {
    grep -F -q -- "$1" "$tmp/screen"
}
no_text() {
    ! has_text "$1"
}
line_is() {
    [ "$(sed -n "$1p" "$tmp/screen")" = "$2" ]
}
line_starts() {
    case $(sed -n "$1p" "$tmp/screen") in
    "$2"*) return 0 ;;
    esac
    return 1
}

wait_for_text() {
    poll has_text "$1"
}

show_screen() {
    echo "--- screen:" >&2
    cat "$tmp/screen" >&2
    echo "---" >&2
}

# expect_text DESC TEXT: TEXT appears on the screen.
expect_text() {
    checks=$((checks + 1))
    if ! poll has_text "$2"; then
        fail "$1: no \"$2\" on the screen"
        show_screen
    fi
}
# expect_line DESC N TEXT: screen line N (1 is the top) is exactly TEXT.
expect_line() {
    checks=$((checks + 1))
    if ! poll line_is "$2" "$3"; then
        fail "$1: line $2 is not \"$3\""
        show_screen
    fi
}
# expect_status DESC PREFIX: the status line (line 25) starts with PREFIX.
expect_status() {
    checks=$((checks + 1))
    if ! poll line_starts 25 "$2"; then
        fail "$1: the status line does not start with \"$2\""
        show_screen
    fi
}
# expect_msg DESC TEXT: the message line (line 30) is exactly TEXT.
expect_msg() {
    expect_line "$1" 30 "$2"
}
# expect_cursor DESC X Y: the terminal cursor is at column X, line Y (0-based).
cursor_at() {
    [ "$(tmux -S "$sock" display-message -p -t 0 \
        '#{cursor_x},#{cursor_y}')" = "$1,$2" ]
}
expect_cursor() {
    checks=$((checks + 1))
    if ! poll cursor_at "$2" "$3"; then
        fail "$1: the cursor is at $(tmux -S "$sock" display-message \
            -p -t 0 '#{cursor_x},#{cursor_y}'), expected $2,$3"
        show_screen
    fi
}

# expect_exit DESC STATUS: editbuf ended with STATUS.
exited() {
    [ -s "$tmp/rc" ]
}
expect_exit() {
    checks=$((checks + 1))
    if ! poll exited; then
        fail "$1: editbuf did not exit"
        show_screen
        return
    fi
    status "$1" "$2" "$(cat "$tmp/rc")"
}

# data FILE N: the first N data bytes of FILE as plain hex.
data() {
    "$DUMPBUF" -p -c 64 -l "$2" "$1"
}
# expect_data DESC FILE N HEX: the first N data bytes of FILE are HEX.
expect_data() {
    checks=$((checks + 1))
    got=$(data "$2" "$3")
    if [ "$got" != "$4" ]; then
        fail "$1: data is $got, expected $4"
    fi
}

# hello FILE: the buffer the tests edit: 78 bytes of text, capacity 256.
hello() {
    printf 'Hello, world! This is a test buffer with some text.\nABCDEFGHIJKLMNOPQRSTUVWXYZ' |
        "$MKTESTBUF" --capacity 256 "$1" || exit 99
}
