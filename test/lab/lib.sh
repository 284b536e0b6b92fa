# shellcheck shell=bash
# test/lab/lib.sh - sourced by every lab test (t-*.sh, r-*.sh).
#
# run-all boots one lab per tier and runs each test script against it with:
#   SSI_LAB_NAME   the lab's name (ssi-lab picks it up, no --name needed)
#   SSI_LAB        path of contrib/ssi-lab
#   SSI_LAB_NODES  its nodes, e.g. "n1 n2 n3"
#   SSI_LAB_KVER   the kernel version the nodes run
#   SSI_LAB_WORK   a directory shared read-write by the host and every node
#                  (sbatch --chdir there: the build tree is read-only on nodes)
#   SSI_SRCDIR, SSI_BUILDDIR
# A test is one check: exit 0 passes, anything else fails; what it prints
# is shown as TAP comments.  Tests must leave the lab as they found it
# (another test runs on it next) and must not trigger kernel warnings
# unless that is what they test (run-all scans every console afterwards).
set -euo pipefail
# With pipefail, `WRITER | grep -q` and `WRITER | head` fail now and then:
# the reader exits early and the writer dies of SIGPIPE.  Tests match on a
# here-string (`grep -q PAT <<<"$out"`) or take lines with ${out%%...}.

: "${SSI_LAB_NAME:?run lab tests through test/lab/run-all}"
: "${SSI_LAB:?run lab tests through test/lab/run-all}"
: "${SSI_LAB_NODES:?}"

# lab VERB ARGS...: contrib/ssi-lab on this tier's lab.
lab() { "$SSI_LAB" "$@"; }
# on NODE CMD...: CMD on NODE, its status returned.
on() {
	local n=$1
	shift
	"$SSI_LAB" exec "$n" -- "$@"
}
# slurm CMD...: a Slurm client command against the lab's controller.
slurm() { "$SSI_LAB" slurm -- "$@"; }

fail() {
	echo "FAIL: $*" >&2
	fail_context >&2 || :
	exit 1
}

# What ssid warned of on each node while this test ran, beside the
# failure: a CI summary shows only the FAIL lines, and the saved logs of a
# CI machine are gone with it.
fail_context() {
	local n f off
	for n in $SSI_LAB_NODES; do
		f=${SSI_LAB_WORK:-}/../share/log/ssid-$n.log
		off=${ssid_log_start[$n]:-0}
		[ -r "$f" ] || continue
		tail -c "+$((off + 1))" "$f" | grep -E ' (warning|error|crit): ' | tail -n 2 |
			cut -c 1-300 | sed "s/^/FAIL:   ssid-$n: /"
	done
}
declare -A ssid_log_start
for _n in $SSI_LAB_NODES; do
	_f=${SSI_LAB_WORK:-}/../share/log/ssid-$_n.log
	ssid_log_start[$_n]=$( { [ -r "$_f" ] && stat -c %s "$_f"; } || echo 0)
done
unset _n _f

# zdtm_setup NAME: for the tests of ssi.ko's mechanics (no ssid): build
# test/zdtm and kmod/tools, and set zdtm (the programs), home and away (the
# first two nodes) and dir (a fresh directory NAME.PID in the shared work
# directory, removed when the test exits).
zdtm_setup() {
	zdtm=$SSI_SRCDIR/test/zdtm
	if ! make -s -C "$zdtm" >/dev/null || ! make -s -C "$SSI_SRCDIR/kmod/tools" >/dev/null; then
		fail "cannot build test/zdtm and kmod/tools"
	fi
	read -ra nodes <<<"$SSI_LAB_NODES"
	[ "${#nodes[@]}" -ge 2 ] || fail "needs two nodes"
	# shellcheck disable=SC2034 # for the test that sources this
	home=${nodes[0]} away=${nodes[1]}
	dir=$SSI_LAB_WORK/$1.$$
	mkdir -p "$dir"
	chmod 755 "$dir"
	trap 'rm -rf "$dir"' EXIT
}

# ssid_pid NODE: the pid of the lab's ssid on NODE (empty if none).  One
# pgrep: a shell loop over /proc forks per process, seconds under TCG.
ssid_pid() {
	on "$1" pgrep -o -f '/ssid -D -f /etc/ssi/ssi.conf$' || true
}

# restart_ssid NODE [CONF]: start ssid on NODE the way the lab does (with
# CONF instead of the lab's /etc/ssi/ssi.conf); wait for it.
restart_ssid() {
	local i conf=${2:-/etc/ssi/ssi.conf}
	# shellcheck disable=SC2016 # $share is the node's
	on "$1" sh -c 'share=$(sed -n "s/.*ssilab.share=\([^ ]*\).*/\1/p" /proc/cmdline)
		setsid env --default-signal '"$SSI_BUILDDIR"'/ssid/ssid -D -f '"$conf"' \
			</dev/null >>"$share/log/ssid-$(hostname).log" 2>&1 &'
	for ((i = 0; i < 100; i++)); do
		on "$1" "$SSI_BUILDDIR/ssid/ssictl" show nodes >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	fail "ssid did not come back on $1"
}
