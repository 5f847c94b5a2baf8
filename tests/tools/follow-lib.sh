# follow-lib.sh - shared by the tests of following (follow-*.sh); sourced
# after lib.sh.

ROWLOG=$PWD/tests/tools/rowlog
need_built "$ROWLOG"

# wait_for DESC FILE PATTERN [SECONDS]: until FILE has a line matching
# PATTERN (grep -E), or fail after SECONDS (default 120).
wait_for() {
    n=0 limit=$(( ${4:-120} * 20 ))
    until grep -Eq "$3" "$2" 2>/dev/null; do
        n=$((n + 1))
        if [ $n -gt $limit ]; then
            fail "$1: no '$3' in $2 after ${4:-120} s"
            return 1
        fi
        sleep 0.05
    done
}

# wait_lines DESC FILE N: until FILE has N lines (at most 60 s).
wait_lines() {
    n=0
    until [ "$(wc -l < "$2")" -ge "$3" ]; do
        n=$((n + 1))
        if [ $n -gt 1200 ]; then
            fail "$1: $(wc -l < "$2") lines in $2, expected $3"
            return 1
        fi
        sleep 0.05
    done
}
