#!/usr/bin/env bash
# The live view end to end in a real terminal (tmux): it draws, the same-seed
# control's ghost and readout appear and toggle with `c`, a live change is
# labelled and compared with the control, the help pauses the run, the
# history keys scroll, and the terminal is restored (main screen, cursor
# shown) after `q` (exit 0) and after SIGTERM and SIGHUP from outside (exit
# 143 and 129); a window too small at the start pauses the run until it is
# enlarged; a save finishes though stderr's reader has gone.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v tmux >/dev/null 2>&1; then
    echo "installing tmux (needed for the live view's end-to-end check)"
    if command -v apt-get >/dev/null 2>&1; then
        { sudo -n apt-get install -y tmux || apt-get install -y tmux; } >/dev/null 2>&1 || true
    fi
fi
command -v tmux >/dev/null 2>&1 || { echo "error: tmux is not installed and could not be installed" >&2; exit 1; }

cargo build --release --quiet
root=$PWD
bin=$PWD/target/release/tplus
sock="tplus-ci-$$"
t() { tmux -L "$sock" "$@"; }
trap 't kill-server >/dev/null 2>&1 || true' EXIT

screen() { t capture-pane -p -t "$1"; }

# wait_for SESSION PATTERN SECONDS: until the screen shows PATTERN (a fixed string).
wait_for() {
    local end=$((SECONDS + $3))
    while ((SECONDS < end)); do
        if screen "$1" | grep -qF -- "$2"; then return 0; fi
        sleep 0.2
    done
    echo "error: the live view never showed \`$2\` within $3 s; the screen:" >&2
    screen "$1" >&2
    exit 1
}

# start SESSION ARGS...: the live view in a 120x40 terminal (COLS and ROWS
# set another size); the shell prints its exit status when it ends.
start() {
    local name=$1
    shift
    t new-session -d -x "${COLS:-120}" -y "${ROWS:-40}" -s "$name" "$bin tui $*; echo TPLUS-EXIT=\$?; sleep 600"
}

# restored SESSION STATUS: after tplus ended with exit status STATUS, the
# pane is back on the main screen with the cursor shown.
restored() {
    wait_for "$1" "TPLUS-EXIT=$2" 15
    local alt cursor
    alt=$(t display-message -p -t "$1" '#{alternate_on}')
    cursor=$(t display-message -p -t "$1" '#{cursor_flag}')
    if [[ $alt != 0 || $cursor != 1 ]]; then
        echo "error: $1: the terminal is not restored (alternate screen $alt, cursor shown $cursor)" >&2
        exit 1
    fi
}

tplus_pid() {
    local shell
    shell=$(t display-message -p -t "$1" '#{pane_pid}')
    pgrep -P "$shell" -x tplus
}

echo "== the live view draws, with the control from the start"
start live scenarios/herding.toml --control
wait_for live "subscriptions (buys)" 30
wait_for live "control (no changes)" 30
wait_for live "no change yet" 30

echo "== c turns the control off and on again"
t send-keys -t live c
wait_for live "control off" 10
t send-keys -t live c
wait_for live "control on" 10

echo "== a live change is labelled and compared with the control"
t send-keys -t live Down
t send-keys -t live Left
wait_for live "since herding rate" 60
wait_for live "vs control" 60

echo "== help pauses the run; the history keys scroll"
t send-keys -t live '?'
wait_for live "paused (help)" 10
t send-keys -t live Escape
t send-keys -t live ' '
wait_for live "paused" 10
t send-keys -t live '{'
t send-keys -t live Home
t send-keys -t live End

echo "== q with an unsaved live change asks once; q again quits and restores the terminal (exit 0)"
t send-keys -t live q
wait_for live "q again quits" 10
t send-keys -t live q
restored live 0

echo "== SIGTERM and SIGHUP from outside restore the terminal (exit 143, 129)"
for sig in TERM:143 HUP:129; do
    name="sig${sig%:*}"
    start "$name" scenarios/herding.toml --control
    wait_for "$name" "subscriptions (buys)" 30
    kill "-${sig%:*}" "$(tplus_pid "$name")"
    restored "$name" "${sig#*:}"
done

echo "== a window too small at the start pauses until it is enlarged"
COLS=60 ROWS=20 start small scenarios/herding.toml
wait_for small "The simulation is paused until then" 30
# Three seconds small: at 300x, a run that had not paused would be past 09:45.
sleep 3
t resize-window -t small -x 120 -y 40
wait_for small "subscriptions (buys)" 30
clock=$(screen small | tail -n 1 | grep -oE '[0-9]{2}:[0-9]{2}:[0-9]{2}' | head -n 1)
if [[ -z $clock || ! $clock < "09:40:00" ]]; then
    echo "error: the run did not wait while the window was too small; the status line:" >&2
    screen small | tail -n 1 >&2
    exit 1
fi
wait_for small "running" 10
t send-keys -t small q
restored small 0

echo "== a save finishes when stderr's reader has gone (no SIGPIPE, exit 0)"
out=$(mktemp -d "${TMPDIR:-/tmp}/tplus-tui-save.XXXXXX")
t new-session -d -x 120 -y 40 -s pipe "cd $out && bash -c '$bin tui $root/scenarios/herding.toml 2> >(true)'; echo TPLUS-EXIT=\$?; sleep 600"
wait_for pipe "subscriptions (buys)" 30
t send-keys -t pipe w
t send-keys -t pipe q
restored pipe 0
ls "$out"/results/herding/live-*/scenario.toml >/dev/null || { echo "error: the save is missing under $out" >&2; exit 1; }
rm -rf "$out"
echo "the live view passed its end-to-end check"
