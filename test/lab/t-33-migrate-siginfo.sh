#!/bin/bash
# test: signals sent to a migrated process's home pid reach it with their siginfo: sigqueue's code, sender pid and value, kill's SI_USER
# shellcheck source=test/lab/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=test/lab/migrate-lib.sh
. "$(dirname "$0")/migrate-lib.sh"

sigprog=$SSI_BUILDDIR/test/lab/ssi-sig-prog
[ -x "$sigprog" ] || fail "$sigprog is not built (make)"
mig_cmd sig "$sigprog" wait "$SSI_LAB_WORK/mig.$$.sig/go"
for ((i = 0; i < 100; i++)); do
	grep -q '^pid=' "$dir/stdout" 2>/dev/null && break
	sleep 0.1
done
on "$home" "$ssictl" migrate "$pid" "$away" >/dev/null || fail "migrate $pid $away"
sender=$(on "$home" "$sigprog" send "$pid" 4711) || fail "sigqueue to $pid"
sleep 0.5
on "$home" kill -USR2 "$pid" || fail "kill -USR2 $pid"
sleep 0.5
touch "$dir/go"
mig_wait 60
cat "$dir/stdout"
[ "$status" = status=0 ] || fail "the program failed: $status"
# SI_QUEUE is -1, SI_USER 0; both sent by root at home
grep -qx "sig=10 code=-1 pid=$sender uid=0 value=4711" "$dir/stdout" ||
	fail "SIGUSR1 lost its siginfo (sender $sender, value 4711)"
grep -q "^sig=12 code=0 pid=[1-9][0-9]* uid=0 " "$dir/stdout" || fail "SIGUSR2 from kill lost its siginfo"
echo "both signals arrived on $away with the siginfo they had at home"
