#!/usr/bin/env bash
# local-slurm.sh — run one command against a private, throwaway one-node Slurm
# cluster (munged, slurmctld, slurmd) started on this machine for it alone.
#
#   bash .ci/local-slurm.sh run CMD [ARG...]
#
# Starts the cluster in a fresh directory (mktemp), on TCP ports the kernel
# reports free, runs CMD with SLURM_CONF pointing at it (so sbatch, squeue…
# reach this cluster and no other), then stops everything it started and
# removes the directory: after CMD, on a failure to start, and on INT, TERM
# and HUP. Exit status: CMD's, 1 if the cluster could not be started, 128+n
# on signal n. Several instances can run at once on one host: each has its
# own directory, munge key and socket, ports and PID files, and stopping
# touches only processes that carry its own directory in their environment.
#
# Needs root (the daemons run as root) and the Debian packages slurmctld,
# slurmd, slurm-client and munge, which it installs with apt-get if missing.
# No systemd and no cgroups (proctrack/linuxproc, task/none), so --mem is not
# enforced. LOCAL_SLURM_KEEP=1 keeps the directory (logs) after the run;
# LOCAL_SLURM_TIMEOUT (default 60) is how long to wait for the node, in s.
set -euo pipefail

TIMEOUT=${LOCAL_SLURM_TIMEOUT:-60}
PKGS=(slurmctld slurmd slurm-client munge)

say() { echo "local-slurm: $*" >&2; }

usage() {
    sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

[ "${1:-}" = run ] && [ $# -ge 2 ] || usage
shift

# ---------------------------------------------------------------------------
# Installing (only what is missing, only by package name).

missing_commands() {
    local c
    for c in slurmctld slurmd sbatch sinfo munged mungekey; do
        command -v "$c" >/dev/null 2>&1 || printf '%s ' "$c"
    done
}

install_missing() {
    [ -z "$(missing_commands)" ] && return 0
    # Two clusters started at once (the harness's own check does that) on a
    # fresh machine would both install, and the second apt-get would fail
    # on apt's lock: one installs, the other waits, then finds nothing
    # missing. apt-get itself also waits for a lock held by anything else.
    local lockfile="${TMPDIR:-/tmp}/tplus-local-slurm-install.lock"
    exec {lockfd}>"$lockfile"
    flock -w 900 "$lockfd" || { say "waited 15 min for $lockfile"; return 1; }
    local missing
    read -r -a missing <<<"$(missing_commands)"
    if [ ${#missing[@]} = 0 ]; then
        exec {lockfd}>&-
        return 0
    fi
    [ "$(id -u)" = 0 ] || { say "missing ${missing[*]}; root is needed to install ${PKGS[*]}"; return 1; }
    say "installing ${PKGS[*]} (missing: ${missing[*]})"
    # The packages' maintainer scripts would start the system's own munge and
    # slurm services; a policy-rc.d that refuses keeps them from it.
    local policy=/usr/sbin/policy-rc.d added=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && added=1
    fi
    local ok=0
    local wait=(-o DPkg::Lock::Timeout=600)
    DEBIAN_FRONTEND=noninteractive apt-get "${wait[@]}" update -qq &&
        DEBIAN_FRONTEND=noninteractive apt-get "${wait[@]}" install -y -qq --no-install-recommends "${PKGS[@]}" >/dev/null &&
        ok=1
    [ "$added" = 1 ] && rm -f "$policy"
    exec {lockfd}>&-
    [ "$ok" = 1 ] || { say "apt-get install ${PKGS[*]} failed"; return 1; }
}

# ---------------------------------------------------------------------------
# Free ports: the kernel picks them (bind to port 0), all at once so they
# differ. They are released before the daemons bind them, so another process
# may take one in between: start() then retries with new ones.

free_ports() { # n: print n free TCP ports on 127.0.0.1, one a line
    if command -v python3 >/dev/null 2>&1; then
        python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("", 0))
    socks.append(s)
for s in socks:
    print(s.getsockname()[1])
EOF
        return
    fi
    # No python3: draw from the ephemeral range and ask ss which are listening.
    local n=$1 p got=() used
    used=" $(ss -Htan 2>/dev/null | awk '{n = split($4, a, ":"); printf "%s ", a[n]}') "
    while [ ${#got[@]} -lt "$n" ]; do
        p=$((32768 + RANDOM % 28000))
        case "$used ${got[*]} " in *" $p "*) continue ;; esac
        got+=("$p")
    done
    printf '%s\n' "${got[@]}"
}

# ---------------------------------------------------------------------------
# The cluster.

DIR=
CHILD=
MARK=

# A process is ours if its environment holds our mark: the daemons are
# started with it, slurmstepd inherits it from slurmd, and a job inherits
# SLURM_CONF (which names our directory) from the command that submitted it.
# Nothing is ever found by name alone, so another instance's daemons, and the
# system's, are never touched.
ours() { # print the PIDs (other than this shell and its parents) that carry our mark
    local p
    for p in /proc/[0-9]*; do
        p=${p#/proc/}
        [ "$p" = $$ ] && continue
        if grep -qszxF -e "LOCAL_SLURM_MARK=$MARK" -e "SLURM_CONF=$DIR/slurm.conf" "/proc/$p/environ"; then
            is_ancestor "$p" || echo "$p"
        fi
    done
}

is_ancestor() { # pid: whether pid is this shell or one of its ancestors
    local a=$$
    while [ -n "$a" ] && [ "$a" != 0 ]; do
        [ "$a" = "$1" ] && return 0
        a=$(awk '{print $4}' "/proc/$a/stat" 2>/dev/null) || return 1
    done
    return 1
}

alive() { # pid: running and not a zombie
    local s
    s=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 1
    [ -n "$s" ] && [ "$s" != Z ] && [ "$s" != X ]
}

daemon_pid() { # name: the PID in its PID file, if that process is alive and ours
    local f=$DIR/run/$1.pid p
    [ -s "$f" ] || return 1
    p=$(cat "$f") && [[ $p =~ ^[0-9]+$ ]] || return 1
    alive "$p" && grep -qszxF "LOCAL_SLURM_MARK=$MARK" "/proc/$p/environ" || return 1
    echo "$p"
}

term_and_wait() { # pid...: SIGTERM, up to 10 s, then SIGKILL
    local p i left
    [ $# -gt 0 ] || return 0
    kill -TERM "$@" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
        left=()
        for p in "$@"; do alive "$p" && left+=("$p"); done
        [ ${#left[@]} = 0 ] && return 0
        sleep 0.1
    done
    say "sending SIGKILL to ${left[*]}"
    kill -KILL "${left[@]}" 2>/dev/null || true
}

stop_slurm_daemons() {
    local p pids=()
    for p in slurmd slurmctld; do
        p=$(daemon_pid "$p") && pids+=("$p")
    done
    term_and_wait "${pids[@]}"
}

stop_cluster() {
    [ -n "$DIR" ] && [ -d "$DIR" ] || return 0
    local p pids=()
    # Jobs first, so that their steps end before the daemons that track them.
    if daemon_pid slurmctld >/dev/null; then
        # shellcheck disable=SC2046
        SLURM_CONF=$DIR/slurm.conf scancel --quiet $(SLURM_CONF=$DIR/slurm.conf squeue -h -o %A 2>/dev/null) \
            2>/dev/null || true
    fi
    stop_slurm_daemons
    # What is left: slurmstepd and job processes (they outlive slurmd by
    # design), and munged, which the others need until they are gone.
    local munged rest=()
    munged=$(daemon_pid munged) || munged=
    mapfile -t pids < <(ours)
    for p in "${pids[@]}"; do
        [ "$p" = "$munged" ] || rest+=("$p")
    done
    if [ ${#rest[@]} -gt 0 ]; then
        say "killing what the daemons left: ${rest[*]}"
        kill -KILL "${rest[@]}" 2>/dev/null || true
    fi
    if [ -n "$munged" ]; then term_and_wait "$munged"; fi
    mapfile -t pids < <(ours)
    [ ${#pids[@]} = 0 ] || say "still running after stop: ${pids[*]}"
}

on_exit() {
    local rc=$?
    trap - EXIT INT TERM HUP
    if [ -n "$CHILD" ] && alive "$CHILD"; then
        kill -TERM "$CHILD" 2>/dev/null || true
        wait "$CHILD" 2>/dev/null || true
    fi
    stop_cluster
    if [ -n "$DIR" ] && [ -d "$DIR" ]; then
        if [ "${LOCAL_SLURM_KEEP:-0}" = 1 ]; then
            say "kept $DIR"
        else
            rm -rf "$DIR"
        fi
    fi
    exit "$rc"
}
trap on_exit EXIT
# bash runs a trap only between commands: CMD runs in the background and is
# waited for, so a signal is handled at once.
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

write_config() { # ctld_port slurmd_port
    local hw
    # The node as slurmd sees it ("CPUs=2 Boards=1 … RealMemory=…").
    hw=$(slurmd -C | head -n 1 | sed 's/^NodeName=[^ ]* *//')
    [ -n "$hw" ] || { say "slurmd -C printed nothing"; return 1; }
    cat >"$DIR/slurm.conf" <<EOF
# Written by tplus .ci/local-slurm.sh for one run; removed after it.
ClusterName=tplusci
# "localhost" is taken as the controller whatever the host's name; the node
# has a fixed name and address (slurmd -N), so no name has to resolve.
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$1
SlurmdPort=$2
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$DIR/munge/socket
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
SchedulerParameters=batch_sched_delay=0
ReturnToService=2
KillWait=5
# A finished job is forgotten after 5 s; then "sbatch --wait" polls every
# 2 s instead of backing off to 8 and 32 s.
MinJobAge=5
NodeName=ci NodeAddr=127.0.0.1 $hw State=UNKNOWN
PartitionName=ci Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
}

start_munge() {
    # munged refuses a socket directory without o+x.
    mkdir -m 755 "$DIR/munge"
    mungekey --create --keyfile="$DIR/munge/key" >/dev/null
    chmod 600 "$DIR/munge/key"
    LOCAL_SLURM_MARK=$MARK munged --socket="$DIR/munge/socket" --key-file="$DIR/munge/key" --pid-file="$DIR/run/munged.pid" \
        --seed-file="$DIR/munge/seed" --log-file="$DIR/log/munged.log" </dev/null >/dev/null 2>&1 ||
        { say "munged did not start: $(tail -n 3 "$DIR/log/munged.log" 2>/dev/null)"; return 1; }
    munge -S "$DIR/munge/socket" -n </dev/null | unmunge -S "$DIR/munge/socket" >/dev/null ||
        { say "munge does not round-trip a credential"; return 1; }
}

wait_idle() { # 0 when the node is up, 1 if a daemon died, 2 when a port was taken
    local i state
    for ((i = 0; i < TIMEOUT * 10; i++)); do
        state=$(SLURM_CONF=$DIR/slurm.conf sinfo -h -n ci -o %T 2>/dev/null || true)
        case $state in
            idle | mixed | allocated) return 0 ;;
            down* | drain* | fail*)
                say "the node is $state"
                return 1
                ;;
        esac
        if ! daemon_pid slurmctld >/dev/null || ! daemon_pid slurmd >/dev/null; then
            grep -qs 'Address already in use' "$DIR"/log/*.log && return 2
            say "a daemon stopped while starting"
            return 1
        fi
        sleep 0.1
    done
    say "the node is not up after ${TIMEOUT} s (state '${state:-none}')"
    return 1
}

start() { # start the daemons on fresh ports; 2 when a port was taken meanwhile
    local ports rc=0
    mapfile -t ports < <(free_ports 2)
    [ ${#ports[@]} = 2 ] || { say "no free ports found"; return 1; }
    write_config "${ports[0]}" "${ports[1]}" || return 1
    LOCAL_SLURM_MARK=$MARK slurmctld -f "$DIR/slurm.conf" </dev/null >/dev/null 2>&1 || return 1
    LOCAL_SLURM_MARK=$MARK slurmd -f "$DIR/slurm.conf" -N ci </dev/null >/dev/null 2>&1 || return 1
    wait_idle || rc=$?
    [ "$rc" = 0 ] && say "up in $DIR (slurmctld on port ${ports[0]}, slurmd on ${ports[1]})"
    return "$rc"
}

show_logs() {
    local f
    for f in "$DIR"/log/*.log; do
        [ -f "$f" ] || continue
        echo "--- $f (last 20 lines)" >&2
        tail -n 20 "$f" >&2
    done
}

install_missing || exit 1
DIR=$(mktemp -d "${TMPDIR:-/tmp}/tplus-slurm.XXXXXX")
chmod 755 "$DIR"
MARK=$DIR
mkdir -p "$DIR/state" "$DIR/spool" "$DIR/run" "$DIR/log"
start_munge || { show_logs; exit 1; }
for attempt in 1 2 3; do
    rc=0
    start || rc=$?
    [ "$rc" = 0 ] && break
    if [ "$rc" = 2 ] && [ "$attempt" -lt 3 ]; then
        say "a port was taken meanwhile; trying other ports"
        stop_slurm_daemons
        rm -f "$DIR"/log/slurm*.log "$DIR"/run/slurm*.pid
        rm -rf "$DIR/state" "$DIR/spool" && mkdir -p "$DIR/state" "$DIR/spool"
        continue
    fi
    show_logs
    exit 1
done

# Only the command (and so its jobs) gets SLURM_CONF: it reaches this cluster
# alone, and this script's own helpers never look like one of its processes.
SLURM_CONF=$DIR/slurm.conf "$@" &
CHILD=$!
rc=0
wait "$CHILD" || rc=$?
CHILD=
exit "$rc"
