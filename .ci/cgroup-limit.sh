#!/usr/bin/env bash
# The memory check against a real control-group limit, as a batch system's
# --mem or a container sets it: in a memory cgroup of 300 MiB, `tplus
# check` reads the limit ("this job's memory limit") and refuses the
# 1,000,000-customer bench scenario (its estimate is about 308 MiB) with
# exit 2, takes the baseline, and the same run with the check overridden
# (--max-memory 1G) is killed by the kernel: the refusal is what stands
# between a sweep task and that kill. Needs a memory cgroup this user can
# create (root, cgroup v1 or v2 with the memory controller); says plainly
# that it skipped otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin="$PWD/target/release/tplus"

if [[ -w /sys/fs/cgroup/memory ]]; then
  group=/sys/fs/cgroup/memory/tplus-ci-$$
  limit_file=memory.limit_in_bytes
elif [[ -w /sys/fs/cgroup/cgroup.subtree_control ]] && grep -qw memory /sys/fs/cgroup/cgroup.subtree_control; then
  group=/sys/fs/cgroup/tplus-ci-$$
  limit_file=memory.max
else
  echo "skipped: no memory cgroup this user can create (needs root and a writable cgroup file system)"
  exit 0
fi
if ! mkdir "$group" 2>/dev/null; then
  echo "skipped: cannot create $group"
  exit 0
fi
scratch=$(mktemp -d)
cleanup() {
  # A cgroup is removed once no process is left in it.
  rmdir "$group" 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT
echo $((300 * 1024 * 1024)) > "$group/$limit_file"

# Runs "$@" in the cgroup; its status and output in $scratch.
inside() {
  set +e
  sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' sh "$group" "$@" > "$scratch/out" 2> "$scratch/err"
  echo $? > "$scratch/status"
  set -e
}

inside "$bin" check scenarios/bench/scale_1m.toml
status=$(cat "$scratch/status")
if [[ $status != 2 ]] || ! grep -q "more than this job's memory limit" "$scratch/err"; then
  echo "FAIL: check of scale_1m in a 300 MiB cgroup: exit $status"; cat "$scratch/err"; exit 1
fi
echo "ok: refused in a 300 MiB cgroup: $(head -c 160 "$scratch/err")…"

inside "$bin" check scenarios/baseline.toml
status=$(cat "$scratch/status")
if [[ $status != 0 ]] || ! grep -q "limit 300 MiB: this job's memory limit" "$scratch/out"; then
  echo "FAIL: check of the baseline in a 300 MiB cgroup: exit $status"; cat "$scratch/out" "$scratch/err"; exit 1
fi
echo "ok: the baseline fits: $(grep needs "$scratch/out" | tr -s ' ')"

# Bounded in time: without swap the kernel kills it within seconds.
inside timeout 300 "$bin" run scenarios/bench/scale_1m.toml --max-memory 1G --out "$scratch/run" --quiet
status=$(cat "$scratch/status")
if [[ $status != 137 ]]; then
  echo "FAIL: the run with the check overridden was not killed by the limit (exit $status): the estimate no longer stands for the need"
  exit 1
fi
echo "ok: with --max-memory 1G the run was killed by the kernel (exit 137), as the refusal foresaw"
