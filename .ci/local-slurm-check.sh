#!/usr/bin/env bash
# Checks .ci/local-slurm.sh itself: two instances at once on this host, each
# running a job on its own cluster, the first stopping while the second's job
# still runs (the second must not notice); then an instance with a job
# running is sent SIGTERM, and must exit 143 leaving no process and no
# directory behind. About 30 s.
#
#   bash .ci/local-slurm-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
harness=$PWD/.ci/local-slurm.sh

work=$(mktemp -d "${TMPDIR:-/tmp}/tplus-slurm-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() {
    echo "local-slurm-check: FAILED: $*" >&2
    tail -n +1 "$work"/*.log >&2 || true
    exit 1
}

# The directories instances make (the one of a finished instance must be gone).
clusters() { find "${TMPDIR:-/tmp}" -maxdepth 1 -name 'tplus-slurm.*' -newer "$work/start" 2>/dev/null | sort; }
# A live process whose environment names one of those clusters' config.
cluster_pids() { # dir
    local p
    for p in /proc/[0-9]*; do
        grep -qszxF "SLURM_CONF=$1/slurm.conf" "$p/environ" && echo "${p#/proc/}"
    done
    return 0
}
touch "$work/start"

echo "== two clusters at once: a short job and a long one"
(bash "$harness" run sbatch --wait -o "$work/a.out" --wrap 'sleep 1; echo a ok' >"$work/a.log" 2>&1; echo $? >"$work/a.rc") &
(bash "$harness" run sbatch --wait -o "$work/b.out" --wrap 'sleep 15; echo b ok' >"$work/b.log" 2>&1; echo $? >"$work/b.rc") &
for _ in $(seq 300); do [ -s "$work/a.rc" ] && break; sleep 0.1; done
[ "$(cat "$work/a.rc" 2>/dev/null)" = 0 ] || fail "the short instance did not succeed"
grep -q 'a ok' "$work/a.out" || fail "the short job's output is missing"
[ ! -s "$work/b.rc" ] || fail "the long instance ended with the short one"
mapfile -t left < <(clusters)
[ ${#left[@]} = 1 ] || fail "expected one cluster still up, found ${#left[@]}: ${left[*]}"
wait
[ "$(cat "$work/b.rc")" = 0 ] || fail "the long instance failed after the short one stopped"
grep -q 'b ok' "$work/b.out" || fail "the long job's output is missing"
ports_a=$(sed -n 's/.*slurmctld on port \([0-9]*\).*/\1/p' "$work/a.log")
ports_b=$(sed -n 's/.*slurmctld on port \([0-9]*\).*/\1/p' "$work/b.log")
[ -n "$ports_a" ] && [ "$ports_a" != "$ports_b" ] || fail "the two clusters did not get ports of their own"
[ -z "$(clusters)" ] || fail "directories left behind: $(clusters)"

echo "== SIGTERM while a job runs"
bash "$harness" run bash -c 'sbatch -o /dev/null --wrap "sleep 300" && sleep 300' >"$work/c.log" 2>&1 &
pid=$!
for _ in $(seq 600); do grep -qs 'Submitted batch job' "$work/c.log" && break; sleep 0.1; done
grep -q 'Submitted batch job' "$work/c.log" || fail "the job was not submitted"
dir=$(clusters)
[ -n "$dir" ] || fail "no cluster directory"
for _ in $(seq 100); do pgrep -f 'sleep 300' >/dev/null && [ -n "$(cluster_pids "$dir")" ] && break; sleep 0.1; done
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" = 143 ] || fail "exit status $rc after SIGTERM, not 143"
[ ! -e "$dir" ] || fail "$dir left behind"
left=$(cluster_pids "$dir")
[ -z "$left" ] || fail "processes left behind: $left"
echo "local-slurm-check: ok — two clusters side by side, each stopped alone; SIGTERM stops one whole (exit 143)"
