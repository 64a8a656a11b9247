#!/usr/bin/env bash
# The shipped Slurm batch script (examples/slurm/sweep.sbatch), run for real:
# submits the small CI sweep as a 3-task job array (sbatch --array=1-3 --wait)
# to a private one-node Slurm cluster that .ci/local-slurm.sh starts for that
# command alone (and stops after it, whatever happens; root and apt needed
# the first time), merges the shards with `tplus merge`, runs the whole sweep,
# and checks the two are equal: sweep.csv but its last column (wall_seconds),
# sweep.json but its provenance.
#
#   bash .ci/slurm-sweep.sh
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
sweep=scenarios/sweeps/ci.toml

echo "== build"
cargo build --release --quiet
tplus=$repo/target/release/tplus

work=$(mktemp -d "${TMPDIR:-/tmp}/tplus-slurm-sweep.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "== the script's refusals of arrays that are not 1-N (no cluster needed)"
refuses() { # the message expected, then the array's environment
    local want=$1 out code
    shift
    set +e
    out=$(env "$@" TPLUS=false bash examples/slurm/sweep.sbatch "$sweep" 2>&1)
    code=$?
    set -e
    [ "$code" = 2 ] && grep -q "$want" <<<"$out" || { echo "slurm-sweep: sweep.sbatch with $*: exit $code: $out" >&2; exit 1; }
}
refuses "the array must be 1-N" SLURM_ARRAY_TASK_ID=3 SLURM_ARRAY_TASK_COUNT=2 SLURM_ARRAY_TASK_MIN=2 SLURM_ARRAY_TASK_MAX=3
refuses "an array of one task" SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=1 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_MAX=1

echo "== sbatch --array=1-3 --wait examples/slurm/sweep.sbatch $sweep (on a cluster of its own: .ci/local-slurm.sh)"
mkdir -p "$work/logs"
if ! bash .ci/local-slurm.sh run env TPLUS="$tplus" sbatch --array=1-3 --wait --cpus-per-task=1 \
    --output="$work/logs/%A_%a.out" examples/slurm/sweep.sbatch "$sweep" "$work/shards"; then
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
