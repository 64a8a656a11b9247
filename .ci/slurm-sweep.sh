#!/usr/bin/env bash
# The shipped Slurm batch script (examples/slurm/sweep.sbatch), run for real:
# starts a one-node Slurm cluster on this machine (../shared/slurm/local-slurm.sh,
# root and apt needed the first time), submits the small CI sweep as a 3-task
# job array (sbatch --array=1-3 --wait), merges the shards with `tplus merge`,
# runs the whole sweep, and checks the two are equal: sweep.csv but its last
# column (wall_seconds), sweep.json but its provenance. The cluster is stopped
# whatever happens.
#
#   bash .ci/slurm-sweep.sh            (LOCAL_SLURM=/path/to/local-slurm.sh to override)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
sweep=scenarios/sweeps/ci.toml

slurm_sh=
for c in "${LOCAL_SLURM:-}" "$repo/../shared/slurm/local-slurm.sh" /work/shared/slurm/local-slurm.sh; do
    if [ -n "$c" ] && [ -f "$c" ]; then
        slurm_sh=$(cd "$(dirname "$c")" && pwd)/$(basename "$c")
        break
    fi
done
if [ -z "$slurm_sh" ]; then
    echo "slurm-sweep: cannot find local-slurm.sh (looked for \$LOCAL_SLURM, $repo/../shared/slurm/local-slurm.sh," \
        "/work/shared/slurm/local-slurm.sh); set LOCAL_SLURM to its path" >&2
    exit 1
fi

echo "== build"
cargo build --release --quiet
tplus=$repo/target/release/tplus

work=$(mktemp -d "${TMPDIR:-/tmp}/tplus-slurm-sweep.XXXXXX")
started=0
cleanup() {
    local rc=$?
    if [ "$started" = 1 ]; then
        echo "== stop the cluster"
        bash "$slurm_sh" stop || echo "slurm-sweep: stopping the cluster failed" >&2
    fi
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== start a one-node Slurm cluster ($slurm_sh)"
started=1
bash "$slurm_sh" start
eval "$(bash "$slurm_sh" env)"

echo "== sbatch --array=1-3 --wait examples/slurm/sweep.sbatch $sweep"
mkdir -p "$work/logs"
if ! TPLUS=$tplus sbatch --array=1-3 --wait --cpus-per-task=1 --output="$work/logs/%A_%a.out" \
    examples/slurm/sweep.sbatch "$sweep" "$work/shards"; then
    echo "slurm-sweep: the job array failed; task logs:" >&2
    tail -n +1 "$work"/logs/*.out >&2 || true
    exit 1
fi
tail -n +1 "$work"/logs/*.out

echo "== merge the shards"
"$tplus" merge "$work"/shards/shard-*-of-3 --out "$work/merged"

echo "== the whole sweep on this machine"
"$tplus" sweep "$sweep" --out "$work/whole" --quiet

echo "== compare"
no_wall() { sed 's/,[^,]*$//' "$1"; }
no_provenance() { sed '/^  "provenance"/,$d' "$1"; }
diff <(no_wall "$work/whole/sweep.csv") <(no_wall "$work/merged/sweep.csv")
diff <(no_provenance "$work/whole/sweep.json") <(no_provenance "$work/merged/sweep.json")
rows=$(($(wc -l <"$work/merged/sweep.csv") - 1))
echo "slurm-sweep: ok — 3 Slurm array tasks, merged: $rows rows equal to the whole sweep's"
