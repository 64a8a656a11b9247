#!/usr/bin/env bash
# The Python package (python/) end to end, as a user installs it: a fresh
# venv in a temporary directory, the wheel built by maturin and installed,
# then the pytest suite (python/tests), which compares against the `tplus`
# binary built from the root crate, the contrarian example, and rustfmt and
# clippy on the native module's crate. Exits non-zero on any failure, and
# when pytest collects no test (its exit status 5).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tplus-python.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

python=${PYTHON:-python3}
echo "== a fresh venv ($("$python" --version)) in $tmp"
"$python" -m venv "$tmp/venv"
venv="$tmp/venv/bin"
"$venv/pip" install --quiet --disable-pip-version-check maturin pytest pyarrow polars pandas gymnasium numpy

# Builds share the root crate's target directory unless told otherwise.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

echo "== the tplus binary the tests compare against"
if [ -z "${TPLUS_BIN:-}" ]; then
  cargo build --release --quiet --bin tplus
  export TPLUS_BIN="$CARGO_TARGET_DIR/release/tplus"
fi
echo "$TPLUS_BIN: $("$TPLUS_BIN" --version)"

echo "== the native module's own unit tests (the tables' declared types, exact times)"
# The test binary links libpython, found at run time in the interpreter's LIBDIR.
libdir=$("$venv/python" -c 'import sysconfig; print(sysconfig.get_config_var("LIBDIR") or "")')
(cd python && LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" cargo test --release --quiet)

echo "== the wheel (maturin build --release)"
start=$(date +%s)
(cd python && "$venv/maturin" build --release --quiet --out "$tmp/wheels")
echo "wheel built in $(($(date +%s) - start)) s: $(cd "$tmp/wheels" && ls)"
"$venv/pip" install --quiet --disable-pip-version-check "$tmp"/wheels/tplus-*.whl

echo "== pytest (python/tests) against the installed wheel"
# From the temporary directory, so `import tplus` finds the installed
# package, not the source tree's python/tplus.
cd "$tmp"
status=0
"$venv/pytest" "$root/python/tests" -q -p no:cacheprovider || status=$?
if [ "$status" -eq 5 ]; then
  echo "error: pytest collected no test" >&2
  exit 1
fi
[ "$status" -eq 0 ] || exit "$status"

echo "== the Gymnasium example: a random policy and a rule, one episode each (one day of the baseline)"
"$venv/python" "$root/python/examples/gym_policies.py" "$root/scenarios/baseline.toml" --days 1

echo "== the contrarian example (python/examples/contrarian.py)"
"$venv/python" "$root/python/examples/contrarian.py"

echo "== the native module's crate: cargo fmt --check, cargo clippy"
# Here the venv's interpreter is at hand for pyo3's build script.
cd "$root/python"
cargo fmt --check
PYO3_PYTHON="$venv/python" cargo clippy --release --all-targets --quiet -- -D warnings
