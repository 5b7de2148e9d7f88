#!/usr/bin/env bash
# Smoke test of the real app under a virtual X server: it starts, shows a window titled
# "... — Kiln", creates its workspace, and quits with exit code 0 on Ctrl+Q, SIGTERM and SIGINT,
# saving its window layout as it goes.
#   smoke_kiln.sh <path to kiln> <scratch folder>
set -euo pipefail

kiln=${1:?usage: smoke_kiln.sh <kiln binary> <scratch folder>}
scratch=${2:?usage: smoke_kiln.sh <kiln binary> <scratch folder>}

for tool in xvfb-run xdotool; do
    if ! command -v "$tool" >/dev/null; then
        echo "FAIL: $tool is not installed (apt-get install xvfb xdotool x11-utils)" >&2
        exit 1
    fi
done

rm -rf "$scratch"
mkdir -p "$scratch"

# Runs inside the X server that xvfb-run started: one app run per call.
#   inner <mode: ctrl-q|sigterm|sigint> <workspace folder or ""> <log>
cat >"$scratch/inner.sh" <<'INNER'
set -uo pipefail
mode=$1; kiln=$2; workspace=$3; log=$4
if [ -n "$workspace" ]; then
    "$kiln" --workspace "$workspace" >"$log" 2>&1 &
else
    "$kiln" >"$log" 2>&1 &
fi
pid=$!
window=""
for _ in $(seq 1 60); do   # up to 30 s
    window=$(xdotool search --onlyvisible --name 'Kiln' 2>/dev/null | head -n 1 || true)
    [ -n "$window" ] && break
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "FAIL: kiln exited before showing a window" >&2
        cat "$log" >&2
        exit 1
    fi
    sleep 0.5
done
if [ -z "$window" ]; then
    echo "FAIL: no window named Kiln within 30 s" >&2
    kill "$pid" 2>/dev/null || true
    cat "$log" >&2
    exit 1
fi
echo "window $window: $(xdotool getwindowname "$window")"
case "$mode" in
    ctrl-q) xdotool key --window "$window" ctrl+q ;;
    sigterm) kill -TERM "$pid" ;;
    sigint) kill -INT "$pid" ;;
esac
status=0
for _ in $(seq 1 60); do   # up to 30 s to quit
    if ! kill -0 "$pid" 2>/dev/null; then
        wait "$pid"; status=$?
        echo "kiln exited with $status after $mode"
        exit "$status"
    fi
    sleep 0.5
done
echo "FAIL: kiln still running 30 s after $mode" >&2
kill -KILL "$pid" 2>/dev/null || true
exit 1
INNER

run() {
    local mode=$1 workspace=$2 log=$3
    local status=0
    xvfb-run -a -s "-screen 0 1600x1000x24" bash "$scratch/inner.sh" "$mode" "$kiln" "$workspace" "$log" || status=$?
    if [ "$status" -ne 0 ]; then
        echo "FAIL: kiln ($mode) ended with exit code $status" >&2
        cat "$log" >&2 || true
        exit 1
    fi
}

# 1. --workspace: a missing folder becomes a workspace; Ctrl+Q quits with 0.
export XDG_CONFIG_HOME="$scratch/config" XDG_DATA_HOME="$scratch/data"
run ctrl-q "$scratch/explicit" "$scratch/explicit.log"
[ -f "$scratch/explicit/kiln.db" ] || { echo "FAIL: --workspace folder was not created" >&2; exit 1; }
grep -q '^geometry=' "$XDG_CONFIG_HOME/Kiln/Kiln.conf" 2>/dev/null \
    || { echo "FAIL: the window layout was not saved on Ctrl+Q" >&2; exit 1; }

# 2. No option: the default workspace ($KILN_WORKSPACE here) is created; SIGTERM quits with 0.
export KILN_WORKSPACE="$scratch/default-workspace"
run sigterm "" "$scratch/default.log"
[ -f "$KILN_WORKSPACE/kiln.db" ] || { echo "FAIL: default workspace was not created" >&2; exit 1; }

# 3. The same, now existing, workspace again; SIGINT (Ctrl+C in a terminal) quits with 0.
run sigint "" "$scratch/again.log"

echo "PASS: kiln started, showed its window, created its workspaces and quit with 0"
