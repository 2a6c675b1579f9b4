# Shared by the scripts that drive the app in a real terminal (e2e-tmux.sh,
# screenshots.sh). Source it after `cd` to the repository root, then call
# tmux_init LABEL. It makes $tmp (removed on exit) and a private tmux server
# on a socket inside it: nothing touches anyone else's tmux, and nothing is
# left behind. The caller sets $name to the session it drives; $label (and
# $tmp/stderr.txt, if the app writes there) make failures say where.

tmux_init() {
  label=$1
  tmp=$(mktemp -d)
  sock="$tmp/tmux.sock"
  name=""
  trap 't kill-server 2>/dev/null || true; rm -rf "$tmp"' EXIT
}

t() { tmux -S "$sock" -f /dev/null "$@"; }

pane() { t capture-pane -p -t "$name" 2>/dev/null || true; }

keys() { t send-keys -t "$name" "$@"; }

fail() {
  echo "$label: FAIL: $*" >&2
  echo "----- pane -----" >&2
  pane >&2
  echo "----------------" >&2
  [ -s "$tmp/stderr.txt" ] && { echo "----- stderr -----" >&2; cat "$tmp/stderr.txt" >&2; }
  exit 1
}

# wait_for TEXT [timeout seconds]: poll the pane every 0.1 s until TEXT shows.
wait_for() {
  local text=$1 tries=$(( ${2:-10} * 10 ))
  for _ in $(seq 1 "$tries"); do
    pane | grep -qF -- "$text" && return 0
    sleep 0.1
  done
  fail "did not see \"$text\""
}

# wait_re REGEX [timeout seconds]: as wait_for, for an extended regex.
wait_re() {
  local re=$1 tries=$(( ${2:-10} * 10 ))
  for _ in $(seq 1 "$tries"); do
    pane | grep -qE -- "$re" && return 0
    sleep 0.1
  done
  fail "did not see /$re/"
}

# wait_gone TEXT [timeout seconds]: poll until TEXT is no longer on screen.
wait_gone() {
  local text=$1 tries=$(( ${2:-10} * 10 ))
  for _ in $(seq 1 "$tries"); do
    pane | grep -qF -- "$text" || return 0
    sleep 0.1
  done
  fail "\"$text\" did not go away"
}
