# Issue 18's real-terminal figures, for scripts/bench.sh (sourced after it
# built the binary as $tmp/amlauth-tui; everything lives under its $tmp).
# The binary runs in a private tmux server; times are wall clock seen
# through tmux (polled every 20 ms), memory is the binary's own VmRSS.
#
#   scale_demo_frames RUNS  -> demo_p50_ms, demo_p90_ms: `--demo` start to its
#                              first frame, as the app logs it (--debug)
#   scale_big_list RUNS     -> big_first_ms, big_all_ms, big_rss_mb: medians over
#                              RUNS of `--demo --demo-endpoints 100000`: the
#                              first rows, all 100,001 loaded, and the idle
#                              resident memory 5 s after loading ended

scale_t() { tmux -S "$tmp/scale.sock" -f /dev/null "$@"; }
scale_now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# scale_wait SESSION TEXT SECONDS: 0 once TEXT shows in the pane.
scale_wait() {
  local end=$(( $(scale_now_ms) + $3 * 1000 ))
  while [ "$(scale_now_ms)" -lt "$end" ]; do
    scale_t capture-pane -p -t "$1" 2>/dev/null | grep -qF -- "$2" && return 0
    sleep 0.02
  done
  echo "bench.sh: did not see \"$2\" in $1 within $3 s" >&2
  return 1
}
scale_median() { sort -g | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)] }'; }
scale_p90() { sort -g | awk '{ a[NR] = $1 } END { if (NR) { i = int(NR * 0.9); if (i < NR * 0.9) i++; print a[i] } }'; }
# scale_ms DURATION: Go's duration text (45ms, 1.2s, 900µs) in milliseconds.
scale_ms() {
  awk -v d="$1" 'BEGIN {
    if (d ~ /ms$/) { sub(/ms$/, "", d); print d + 0 }
    else if (d ~ /(µs|us)$/) { sub(/(µs|us)$/, "", d); print d / 1000 }
    else if (d ~ /s$/) { sub(/s$/, "", d); print d * 1000 } }'
}
# scale_pid SESSION: the binary's pid (the pane's process, or its child if a shell runs it).
scale_pid() {
  local pid
  pid=$(scale_t list-panes -t "$1" -F '#{pane_pid}')
  if [ "$(readlink "/proc/$pid/exe")" != "$(readlink -f "$tmp/amlauth-tui")" ]; then
    pid=$(pgrep -P "$pid" | head -1)
  fi
  echo "$pid"
}

scale_demo_frames() {
  local runs=$1 i d all=()
  for ((i = 0; i < runs; i++)); do
    scale_t new -d -s "f$i" -x 120 -y 40 "$tmp/amlauth-tui --demo --debug $tmp/f$i.log --state-dir $tmp/fst$i" || return 1
    scale_wait "f$i" "Sign in to Azure" 20 || { scale_t kill-server; return 1; }
    d=""
    for _ in $(seq 1 100); do
      d=$(grep -o 'since_start=[0-9.a-zµ]*' "$tmp/f$i.log" 2>/dev/null | head -1 | cut -d= -f2)
      [ -n "$d" ] && break
      sleep 0.02
    done
    scale_t kill-session -t "f$i"
    [ -n "$d" ] && all+=("$(scale_ms "$d")")
  done
  scale_t kill-server 2>/dev/null
  [ ${#all[@]} -eq "$runs" ] || return 1
  demo_p50_ms=$(printf '%s\n' "${all[@]}" | scale_median)
  demo_p90_ms=$(printf '%s\n' "${all[@]}" | scale_p90)
}

scale_big_list() {
  local runs=$1 i s start first=() all=() rss=() pid
  for ((i = 0; i < runs; i++)); do
    s="b$i"
    scale_t new -d -s "$s" -x 120 -y 40 "$tmp/amlauth-tui --demo --demo-endpoints 100000 --state-dir $tmp/bst$i" || return 1
    { scale_wait "$s" "Sign in to Azure" 30 && scale_t send-keys -t "$s" Enter &&
      scale_wait "$s" "Alice Chen" 30 && scale_t send-keys -t "$s" Enter &&
      scale_wait "$s" "Who you are" 30 && scale_t send-keys -t "$s" Enter &&
      scale_wait "$s" "Contoso ML Sandbox" 30 && scale_t send-keys -t "$s" Down Enter &&
      scale_wait "$s" "mlw-sandbox" 30; } || { scale_t kill-server; return 1; }
    start=$(scale_now_ms)
    scale_t send-keys -t "$s" Enter
    scale_wait "$s" "load-00000" 30 || { scale_t kill-server; return 1; }
    first+=($(( $(scale_now_ms) - start )))
    scale_wait "$s" "100001 endpoints" 300 || { scale_t kill-server; return 1; }
    all+=($(( $(scale_now_ms) - start )))
    sleep 5 # idle: the list is in, nothing is loading
    pid=$(scale_pid "$s")
    rss+=("$(awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status")")
    scale_t kill-session -t "$s"
  done
  scale_t kill-server 2>/dev/null
  big_first_ms=$(printf '%s\n' "${first[@]}" | scale_median)
  big_all_ms=$(printf '%s\n' "${all[@]}" | scale_median)
  big_rss_mb=$(printf '%s\n' "${rss[@]}" | scale_median)
}
