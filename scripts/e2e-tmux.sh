#!/usr/bin/env bash
# The real terminal test: run the demo in a detached tmux window, type like a
# user and read the screen back. Journey: sign in as alice, look at the token
# claims, browse to an endpoint through the filter, quit; then start again and
# continue at the saved context; then start in a too-small window and resize;
# check and assign access; create an endpoint; reveal a key and watch an AML
# token count down; send a scoring request and read the prediction.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
# A private tmux server on a socket inside $tmp: it never touches anyone
# else's tmux, and nothing is left behind.
sock="$tmp/tmux.sock"
name=""
t() { tmux -S "$sock" -f /dev/null "$@"; }
trap 't kill-server 2>/dev/null || true; rm -rf "$tmp"' EXIT

go build -o "$tmp/amlauth-tui" ./cmd/amlauth-tui
bin="$tmp/amlauth-tui"
state="$tmp/state"
run=0

# start W H [ARGS...]: start the demo in a new session of W x H cells.
start() {
  run=$((run + 1))
  name="run$run"
  local w=$1 h=$2
  shift 2
  # remain-on-exit keeps the pane after the app quits, so its exit is observable.
  t new-session -d -s "$name" -x "$w" -y "$h" \
    "$bin --demo --state-dir $state $* 2>>$tmp/stderr.txt"
  t set-option -t "$name" remain-on-exit on >/dev/null 2>&1 || true
}

pane() { t capture-pane -p -t "$name" 2>/dev/null || true; }

fail() {
  echo "e2e-tmux: FAIL (run $run): $*" >&2
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

# wait_exit [timeout]: the app has quit with status 0 (the pane is dead, or
# the session is gone if it quit before remain-on-exit was set).
wait_exit() {
  local tries=$(( ${1:-10} * 10 )) dead status
  for _ in $(seq 1 "$tries"); do
    t has-session -t "$name" 2>/dev/null || return 0
    read -r dead status < <(t display-message -p -t "$name" '#{pane_dead} #{pane_dead_status}' 2>/dev/null || echo "0 0")
    if [ "$dead" = 1 ]; then
      [ "${status:-0}" = 0 ] || fail "the app exited with status $status"
      t kill-session -t "$name" 2>/dev/null || true
      return 0
    fi
    sleep 0.1
  done
  fail "the app did not quit"
}

keys() { t send-keys -t "$name" "$@"; }

# --- Run 1: the whole journey --------------------------------------------------
start 120 40
wait_for "Sign in to Azure"
wait_for "Pick a persona"
keys Enter                              # the first row, "Pick a persona", is selected
wait_for "Alice Chen"
keys Enter
wait_for "Who you are"
wait_for "alice@contoso.example"
keys c
wait_for "Token claims"
keys Enter
wait_for "Contoso ML Production"
keys Enter
wait_for "Workspaces in Contoso ML Production"
wait_for "mlw-churn"
keys Enter
wait_for "Endpoints in mlw-churn"
wait_for "churn-key"
keys /
keys -l key
wait_for "1 of 3 endpoints"
keys Enter                              # leave the filter
keys Enter                              # open the one row left
wait_for "Endpoint churn-key"
wait_for "Scoring URI"
wait_for "blue"
keys Escape
wait_for "Endpoints in mlw-churn"
keys q
wait_exit

f="$state/state.json"
[ -f "$f" ] || fail "$f was not written"
mode=$(stat -c %a "$f")
[ "$mode" = 600 ] || fail "$f has mode $mode, want 600"
grep -q "mlw-churn" "$f" || fail "$f does not remember mlw-churn: $(cat "$f")"
if grep -q "eyJ" "$f"; then fail "$f contains something that looks like a token"; fi

# --- Run 2: same state dir, continue where we left off -------------------------
start 120 40
wait_for "Sign in to Azure"
keys Enter
wait_for "Alice Chen"
keys Enter
wait_for "continue to Contoso ML Production › mlw-churn"
keys Enter
wait_for "Endpoints in mlw-churn"
keys q
wait_exit

# --- Run 3: too small a window, then resized -----------------------------------
start 70 20
wait_for "needs at least 80x24"
t resize-window -t "$name" -x 100 -y 30
wait_for "Sign in to Azure"
keys C-c
wait_exit

# --- Run 4: check, assign, verify ----------------------------------------------
# Olivia (Owner of rg-ml-prod) checks Bob on churn-key: he cannot get the keys;
# she assigns the suggested role and the verify step sees it take effect.
state="$tmp/state4"
start 140 45 -w mlw-churn -n churn-key --demo-propagation 2s
wait_for "Pick a persona"
keys Enter
wait_for "Olivia Okafor"
keys / ; keys -l olivia ; keys Enter Enter
wait_for "c check access" 15
keys c
wait_for "1 Who"
keys -l bob ; keys Enter
wait_for "Bob Reyes <bob@contoso.example>"
keys Down Down Enter
wait_for "LEVEL"
keys Enter
wait_for "Get the keys (key)"
keys Enter
wait_for "✗   Get the keys (key)" 15
keys Down Down Down
wait_for "Would be granted by:"
keys A
wait_for "Choose the role"
keys Enter
wait_for "Choose where to assign it"
keys Enter
wait_for "az role assignment create"
keys y
wait_for "Effective after" 30
keys Enter
wait_for "✓   Get the keys (key)" 15
keys q
wait_exit

# --- Run 5: create an aad_token endpoint and see it listed ----------------------
state="$tmp/state5"
start 120 40 -w mlw-churn
wait_for "Pick a persona"
keys Enter
wait_for "Alice Chen"
keys Enter
wait_for "Endpoints in mlw-churn" 15
wait_for "churn-key"
keys n
wait_for "Name the endpoint"
wait_for "You may create endpoints here"
keys -l "9bad"
wait_for "starting with a letter"
keys BSpace BSpace BSpace BSpace
keys -l churn-e2e ; keys Enter
wait_for "Describe it"
keys -l "made by the tmux test" ; keys Enter   # enter moves from description to tags
keys -l "team=e2e" ; keys Enter
wait_for "Where it runs"
keys Enter
wait_for "How callers authenticate"
keys Down Down Enter
wait_for "Which identity it runs as"
keys Enter
wait_for "az ml online-endpoint create --name churn-e2e"
keys Enter
wait_for "Create churn-e2e"
wait_for "Succeeded" 20
wait_for "Endpoint churn-e2e"
wait_for "aad_token"
keys Escape
wait_for "Endpoints in mlw-churn"
wait_for "churn-e2e"
keys q
wait_exit

# --- Run 6: reveal a key, then watch an AML token count down ---------------------
state="$tmp/state6"
start 120 40 -w mlw-churn -n churn-key --demo-aml-token-lifetime 90s
wait_for "Pick a persona"
keys Enter
wait_for "Alice Chen"
keys Enter
wait_for "Endpoint churn-key" 15
keys k
wait_for "Primary key"
pane | grep -q "••••" || fail "the keys are not masked"
keys r
wait_for "hides in"
keys Escape
wait_for "Endpoint churn-key"
keys Escape
wait_for "Endpoints in mlw-churn"
keys Up                                 # from churn-key (the last row) to churn-aml
keys Enter
wait_for "Endpoint churn-aml"
keys k
wait_for "AML token"
first=$(pane | grep -o "in 0[0-9]:[0-9][0-9]" | head -1)
[ -n "$first" ] || fail "no countdown shown"
sleep 2.2
second=$(pane | grep -o "in 0[0-9]:[0-9][0-9]" | head -1)
[ "$first" != "$second" ] || fail "the countdown did not move: $first then $second"
keys q
wait_exit
grep -rq "eyJ" "$tmp/state6" && fail "a token reached the state directory"

# --- Run 7: send a scoring request and read the prediction ---------------------
state="$tmp/state7"
start 120 40 -w mlw-churn -n churn-aad
wait_for "Pick a persona"
keys Enter
wait_for "Alice Chen"
keys Enter
wait_for "Endpoint churn-aad" 15
keys t
wait_for "valid JSON"
wait_for "Credential"
keys C-s
wait_for "200 OK" 15
wait_for "answered by"
pane | grep -Eq -- "-?[0-9]+\.[0-9]+,?$" || fail "no prediction in the response body"
keys q
wait_exit
grep -rq "eyJ" "$tmp/state7" && fail "a token reached the state directory"

echo "e2e-tmux: ok"
