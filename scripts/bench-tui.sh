#!/usr/bin/env bash
# Prints the issue's numbers for the real binary in a real terminal (tmux):
#  - `amlauth-tui version` wall time
#  - --demo start to the first interactive frame (polling the pane every 5 ms)
#  - resident memory with a 10,000-endpoint list open
# Numbers only; no thresholds here (the benchmarks in ui/ and azure/ cover the rest).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
sock="$tmp/tmux.sock"
t() { tmux -S "$sock" -f /dev/null "$@"; }
trap 't kill-server 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/amlauth-tui" ./cmd/amlauth-tui
bin="$tmp/amlauth-tui"
[ -n "${GOMEMLIMIT:-}" ] && echo "GOMEMLIMIT=$GOMEMLIMIT"
ms() { echo $(( $(date +%s%N) / 1000000 )); }

s=$(date +%s%N); for _ in 1 2 3 4 5 6 7 8 9 10; do "$bin" version >/dev/null; done; e=$(date +%s%N)
echo "version: $(( (e - s) / 10000000 )) ms per run (mean of 10)"

# The app logs the time from process start to its first drawn frame; the
# tmux figure adds tmux's own start and the polling.
for i in 1 2 3 4 5; do
  start=$(ms)
  t new -d -s "s$i" -x 120 -y 40 "$bin --demo --debug $tmp/dbg$i.log --state-dir $tmp/st$i"
  until t capture-pane -p -t "s$i" 2>/dev/null | grep -q "Sign in to Azure"; do sleep 0.005; done
  echo "demo start to first frame: $(grep -o 'since_start=[0-9.a-zµ]*' "$tmp/dbg$i.log" | cut -d= -f2) in the app, $(( $(ms) - start )) ms seen through tmux"
  t kill-session -t "s$i"
done

t new -d -s big -x 120 -y 40 "$bin --demo --demo-endpoints 10000 --state-dir $tmp/big"
wait_for() { for _ in $(seq 1 600); do t capture-pane -p -t big | grep -q "$1" && return 0; sleep 0.05; done; t capture-pane -p -t big; exit 1; }
wait_for "Sign in to Azure"; t send-keys -t big Enter; wait_for "Alice Chen"; t send-keys -t big Enter
wait_for "Who you are"; t send-keys -t big Enter; wait_for "Contoso ML Sandbox"; t send-keys -t big Down Enter
wait_for "mlw-sandbox"; t send-keys -t big Enter
start=$(ms); wait_for "10001 endpoints"; echo "10,001 endpoints listed (101 ARM pages) in: $(( $(ms) - start )) ms"
pid=$(t list-panes -t big -F '#{pane_pid}')
echo "resident memory with 10,001 endpoints: $(awk '/VmRSS/ {printf "%.1f MB", $2/1024}' /proc/$pid/status)"
t send-keys -t big / 7 7 7
start=$(ms); wait_for "19 of 10001 endpoints"; echo "filter '777' on screen (3 keystrokes, incl. tmux round trips): $(( $(ms) - start )) ms"
echo "resident memory after filtering: $(awk '/VmRSS/ {printf "%.1f MB", $2/1024}' /proc/$pid/status)"

# Issue 18: the demo's first frame over 30 starts (median and p90, as the app
# logs it) and the 100,000-endpoint list (scripts/lib/bench-scale.sh).
. scripts/lib/bench-scale.sh
scale_demo_frames 30 && echo "demo start to first frame, 30 runs (in the app): median ${demo_p50_ms} ms, p90 ${demo_p90_ms} ms"
scale_big_list 1 && echo "100,001 endpoints: first rows ${big_first_ms} ms, all loaded ${big_all_ms} ms, idle resident memory ${big_rss_mb} MB"
