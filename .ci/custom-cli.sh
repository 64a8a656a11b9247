#!/usr/bin/env bash
# A `tplus` of one's own (examples/custom_cli.rs: the command line with the
# contrarian of examples/shared/contrarian.rs registered): every command that
# reads a scenario knows the family, and `tplus` itself refuses it with a
# pointer to the example.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --quiet --bin tplus --example custom_cli
own=target/release/examples/custom_cli
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

fail() { echo "error: $*" >&2; exit 1; }

"$own" check examples/contrarian.toml | grep -q "ok — scenario \`contrarian\`" || fail "check does not accept the contrarian"

help=$("$own" help contrarian)
grep -q "^contrarian (family): " <<<"$help" || fail "help contrarian: $help"
[ "$(grep -c '^agents.params.' <<<"$help")" = 4 ] || fail "help contrarian lists other than its 4 parameters: $help"

"$own" sweep examples/contrarian_sweep.toml --out "$out/sweep" --jobs 2 --quiet >/dev/null
head -1 "$out/sweep/sweep.csv" | grep -q ',agents\[2\].params.threshold,status,' || fail "sweep.csv lacks the swept parameter"
[ "$(grep -c ',ok,' "$out/sweep/sweep.csv")" = 6 ] || fail "the sweep's 6 runs are not all ok: $(cat "$out/sweep/sweep.csv")"
# The parameter's three values, each in two rows.
for v in 0.0002 0.0005 0.002; do
    [ "$(cut -d, -f4 "$out/sweep/sweep.csv" | grep -cx "$v")" = 2 ] || fail "threshold $v is not in 2 rows"
done

# The stock `tplus report` titles the axis with the unit the contrarian
# declared, from the words sweep.json recorded (it does not know the family).
target/release/tplus report "$out/sweep" >/dev/null
grep -q "threshold of group 2, contrarian (fraction): How far the price" "$out/sweep/report.md" \
    || fail "report.md does not give the contrarian's threshold its words: $(head -8 "$out/sweep/report.md")"
grep -q "threshold of group 2, contrarian (fraction)" "$out/sweep/success_vs_threshold_of_group_2_contrarian.svg" \
    || fail "the plot's axis lacks the threshold's unit"

"$own" run examples/contrarian.toml --replications 2 --out "$out/reps" --quiet >/dev/null
[ "$(wc -l < "$out/reps/replications.csv")" = 3 ] || fail "replications.csv has not 2 rows"

# `tplus` itself does not know the family: exit 2, naming the example.
set +e
msg=$(target/release/tplus check examples/contrarian.toml 2>&1)
code=$?
set -e
[ "$code" = 2 ] || fail "tplus check of a scenario with an unknown family exited $code"
grep -q "unknown family \`contrarian\`" <<<"$msg" && grep -q "examples/custom_cli.rs" <<<"$msg" || fail "tplus check: $msg"
echo "custom_cli: check, help, sweep (6 runs, reported by tplus in the contrarian's words) and replications know the contrarian; tplus refuses it with exit 2"
