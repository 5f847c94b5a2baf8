#!/bin/sh
# summary.sh LOG... - the Check summary of each test program, and a total.
#
# For each log of a Check program run by the Automake harness, print the
# program's name and its summary line ("NN%: Checks: N, Failures: N,
# Errors: N"), then one line "N passed, N failed" summed over the programs
# (passed = Checks - Failures - Errors).  A log without a summary line (the
# program crashed or was killed before Check could print it) counts as one
# failure.  Exits 1 if anything failed or errored, else 0.

status=0
passed=0
failed=0
for log in "$@"; do
	name=${log%.log}
	if test ! -f "$log"; then
		echo "$name: no log file"
		failed=$((failed + 1))
		status=1
		continue
	fi
	line=$(grep -E '^[0-9]+%: Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$log" | tail -n 1)
	if test -z "$line"; then
		echo "$name: no Check summary in $log"
		failed=$((failed + 1))
		status=1
		continue
	fi
	echo "$name: $line"
	# "100%: Checks: 12, Failures: 0, Errors: 0" -> "12 0 0" -> $1 $2 $3
	# (the loop has already expanded its list, so $@ may be reused).
	counts=$(echo "$line" | sed 's/^[0-9]*%: Checks: \([0-9]*\), Failures: \([0-9]*\), Errors: \([0-9]*\).*/\1 \2 \3/')
	set -- $counts
	passed=$((passed + $1 - $2 - $3))
	failed=$((failed + $2 + $3))
	if test "$2" -ne 0 || test "$3" -ne 0; then
		status=1
	fi
done
echo "$passed passed, $failed failed"
exit $status
