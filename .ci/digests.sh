#!/usr/bin/env bash
# Stored digests of every bundled scenario's results, at 1 and 2 threads.
#
# A change that alters results must do so knowingly: run this script with
# --update, and say in the commit why the results changed.
#
#   bash .ci/digests.sh [--update] [--bin PATH]
#
# Runs each scenario under scenarios/ and scenarios/bench/ with its own seed,
# with the operation log (events.csv), and compares the SHA-256 of metrics.csv,
# summary.json, trades.csv, risk.csv, events.csv and credit_fit.csv (when the
# scenario refits its scorecard) with .ci/digests.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

update=0
bin=target/release/tplus
while [ $# -gt 0 ]; do
  case "$1" in
    --update) update=1 ;;
    --bin) shift; bin="$1" ;;
    *) echo "usage: bash .ci/digests.sh [--update] [--bin PATH]" >&2; exit 2 ;;
  esac
  shift
done
if [ "$bin" = target/release/tplus ]; then
  cargo build --release --quiet
fi

stored=.ci/digests.txt
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
actual="$work/digests.txt"
: >"$actual"

for scenario in scenarios/*.toml scenarios/bench/*.toml; do
  name=$(basename "$scenario" .toml)
  for threads in 1 2; do
    out="$work/$name-$threads"
    "$bin" run "$scenario" --threads "$threads" --out "$out" --quiet --log >/dev/null
    for file in metrics.csv summary.json trades.csv risk.csv events.csv credit_fit.csv; do
      [ -f "$out/$file" ] || continue
      hash=$(sha256sum "$out/$file" | cut -d' ' -f1)
      echo "$scenario threads=$threads $file $hash" >>"$actual"
      # The scale_* markets' logs run to gigabytes (2.6 GB for scale_1m):
      # each goes as soon as it is hashed.
      rm -f "$out/$file"
    done
    rm -rf "$out"
  done
done

if [ "$update" = 1 ]; then
  cp "$actual" "$stored"
  echo "digests: wrote $(wc -l <"$stored") digests to $stored"
  exit 0
fi
if diff -u "$stored" "$actual"; then
  echo "digests: $(wc -l <"$stored") files byte-identical to the stored digests"
else
  echo "digests: results differ from $stored (above). If the change is meant," >&2
  echo "run 'bash .ci/digests.sh --update' and say why in the commit." >&2
  exit 1
fi
