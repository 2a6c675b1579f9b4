#!/usr/bin/env bash
# The real terminal test: run the demo in a detached tmux window, type like a
# user and read the screen back. Journey: sign in as alice, look at the token
# claims, browse to an endpoint through the filter, quit; then start again and
# continue at the saved context; then start in a too-small window and resize;
# check and assign access; create an endpoint; reveal a key and watch an AML
# token count down; send a scoring request and read the prediction; deploy
# to a new endpoint and to the seeded one whose identity lacks AcrPull (the
# fix loop); walk it
# all again while the simulated Azure fails, and check the terminal after;
# last, attach the TUI to a standalone simulated Azure running in another pane.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/tmux.sh
tmux_init e2e-tmux

go build -o "$tmp/amlauth-tui" ./cmd/amlauth-tui
bin="$tmp/amlauth-tui"
state="$tmp/state"
run=0

# start W H [ARGS...]: start the demo in a new session of W x H cells.
start() {
  run=$((run + 1))
  name="run$run" label="e2e-tmux (run $run)"
  local w=$1 h=$2
  shift 2
  # remain-on-exit keeps the pane after the app quits, so its exit is observable.
  t new-session -d -s "$name" -x "$w" -y "$h" \
    "$bin --demo --state-dir $state $* 2>>$tmp/stderr.txt"
  t set-option -t "$name" remain-on-exit on >/dev/null 2>&1 || true
}

# wait_exit [timeout]: the app has quit with status $want (default 0; the
# pane is dead, or the session is gone if it quit before remain-on-exit was set).
wait_exit() {
  local tries=$(( ${1:-10} * 10 )) dead status
  for _ in $(seq 1 "$tries"); do
    t has-session -t "$name" 2>/dev/null || return 0
    read -r dead status < <(t display-message -p -t "$name" '#{pane_dead} #{pane_dead_status}' 2>/dev/null || echo "0 0")
    if [ "$dead" = 1 ]; then
      # tmux does not always know a dead pane's status; e2e-signals.sh checks
      # exit statuses through a shell.
      [ -z "$status" ] || [ "$status" = "${want:-0}" ] || fail "the app exited with status $status, want ${want:-0}"
      t kill-session -t "$name" 2>/dev/null || true
      return 0
    fi
    sleep 0.1
  done
  fail "the app did not quit"
}


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
keys -l churn-key
wait_for "1 of 4 endpoints"
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
want=130 wait_exit                      # ctrl+c: 130, as in a shell

# --- Run 4: check, assign, verify ----------------------------------------------
# Olivia (Owner of rg-ml-prod) checks Bob on churn-key: he cannot get the keys,
# and regenerating them is blocked by the deny assignment (no role offered); she
# assigns the suggested role, and the verify step says what it can know about
# someone else: listed by Azure, how long Azure takes, and Bob's own command.
# Back on the check, the new grant is "assigned, not yet in effect", never ✓.
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
wait_for "⊘   Regenerate keys"
keys Down Down Down
wait_for "to assign one of: AzureML Data Scientist"
keys A
wait_for "Choose the role"
keys Enter
wait_for "Choose where to assign it"
keys Enter
wait_for "az role assignment create"
keys y
wait_for "assigned ✓ (listed by Azure)" 30
wait_for "amlauth-tui check --principal me"
keys Enter
wait_for "⧖   Get the keys (key)" 15
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
wait_for "Scoring URI"                  # the page has loaded: k is its key now
keys k
wait_for "Primary key"
# The keys arrive a moment later ("fetching…"): masked.
wait_for "••••"
keys r
wait_for "hides in"
keys Escape
wait_for "Endpoint churn-key"
keys Escape
wait_for "Endpoints in mlw-churn"
keys Up Up                              # from churn-key (the last row), past churn-custom, to churn-aml
keys Enter
wait_for "Endpoint churn-aml"
wait_for "Scoring URI"
keys k
wait_for "AML token"
wait_re "in 0[0-9]:[0-9][0-9]" 10        # the token arrives a moment after the page
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

# --- Run 7a: deploy to a new system-assigned endpoint, route traffic, score ----
# (issue 17) Alice creates churn-sai with a system-assigned identity: Azure
# grants it AcrPull, Storage Blob Data Reader and Metrics Writer, so the
# preflight finds nothing missing; blue deploys, takes all the traffic, and
# the request editor gets 200.
state="$tmp/state7a"
start 120 40 -w mlw-churn
wait_for "Pick a persona"
keys Enter
wait_for "Alice Chen"
keys Enter
wait_for "Endpoints in mlw-churn" 15
wait_for "churn-key"
keys n
wait_for "Name the endpoint"
keys -l churn-sai ; keys Enter
wait_for "Describe it"
keys Enter Enter
wait_for "Where it runs"
keys Enter
wait_for "How callers authenticate"
keys Enter                              # key
wait_for "Enforce access to the default secret stores"
keys Enter                              # system-assigned
wait_for "What Azure grants the system-assigned identity"
wait_for "AcrPull on"
keys Enter
wait_for "Endpoint churn-sai" 20
wait_for "No deployments yet"
keys n
wait_for "Name the deployment"
wait_for "blue is a valid name"
keys Enter
wait_for "Which model it serves"
keys / ; keys -l churn-key-model ; keys Enter Enter
wait_for "Which environment"
keys / ; keys -l sklearn-env ; keys Enter Enter
wait_for "What it runs on"
keys Enter
wait_for "Runs as" 15
wait_for "system-assigned identity of churn-sai"
pane | grep -q "not granted" && fail "the system-assigned identity lacks something Azure grants it"
keys Enter
wait_for "az ml online-deployment create"
keys Enter
wait_for "Deploying blue to churn-sai"
wait_for "t opens the traffic editor" 30
keys t
wait_for "Traffic of churn-sai"
keys A Enter
wait_for "blue=100: Succeeded" 20
keys Escape
wait_for "Endpoint churn-sai"
keys t
wait_for "valid JSON"
keys C-s
wait_for "200 OK" 15
wait_for "answered by blue"
keys q
wait_exit

# --- Run 7b: the seeded UAI endpoint: fail, read the logs, fix, retry, score ----
# churn-custom runs as id-churn-scoring, which lacks AcrPull on the registry.
# Olivia (Owner of rg-ml-prod, so she may assign roles) deploys green with the
# custom image: it fails, the logs show the pull refused, f assigns AcrPull
# from the wizard, the retry succeeds, green takes the traffic and scores 200.
state="$tmp/state7b"
start 140 45 -w mlw-churn -n churn-custom --demo-propagation 2s
wait_for "Pick a persona"
keys Enter
wait_for "Olivia Okafor"
keys / ; keys -l olivia ; keys Enter Enter
wait_for "Endpoint churn-custom" 15
wait_for "Failed"
keys i
wait_for "user-assigned identity id-churn-scoring" 15
wait_for "Assign AcrPull"
keys Escape
wait_for "Endpoint churn-custom"
keys l
wait_for "Logs of blue"
keys Tab
wait_for "[inference-server]"
keys Escape
wait_for "Endpoint churn-custom"
keys n
wait_for "Name the deployment"
wait_for "green is a valid name"
keys Enter
wait_for "Which model it serves"
keys / ; keys -l churn-custom-model ; keys Enter Enter
wait_for "Which environment"
keys / ; keys -l custom-scoring ; keys Enter Enter
wait_for "What it runs on"
keys Enter
wait_for "not granted" 15
keys Enter                              # the review anyway
wait_for "The preflight found a missing permission"
keys Enter
wait_for "Deploying green to churn-custom"
wait_for "f fixes" 30
wait_for "Logs (az ml online-deployment get-logs)"
keys f                                  # the assign wizard opens on the review: the identity, AcrPull, the registry
wait_for "az role assignment create"
wait_for "AcrPull"
keys y
wait_for "assigned ✓" 30                # a managed identity: listed by Azure (the app cannot ask as it)
keys Enter
wait_for "A role was assigned since it failed" 15
sleep 2                                 # --demo-propagation: the assignment applies after 2 s
keys Enter                              # retry
wait_for "attempt 2"
wait_for "t opens the traffic editor" 30
keys t
wait_for "Traffic of churn-custom"
keys A Enter
wait_for "green=100: Succeeded" 20
keys Escape
wait_for "Endpoint churn-custom"
keys t
wait_for "valid JSON"
keys C-s
wait_for "200 OK" 15
wait_for "answered by green"
keys q
wait_exit

# --- Run 8: Azure in trouble, then the terminal given back ----------------------
# The simulated Azure answers a fifth of the requests 503, slows some and drops
# a few connections (seeded). The walk goes on whenever an error shows by
# pressing the screen's retry key. The app runs from a shell: after q the
# terminal must be as it was (tty modes, main screen, cursor, no mouse
# reports), a typed command must echo, and the state must be valid JSON.
state="$tmp/state8"
run=$((run + 1))
name="run$run"
t new-session -d -s "$name" -x 120 -y 40 "env -i PATH=$PATH HOME=$tmp TERM=xterm-256color PS1='$ ' bash --norc --noprofile -i"
wait_for '$'
# The scoring path has no SDK retries: half its requests fail on top, so an
# error most likely shows there and the walk must recover from it.
faults="--demo-fault route=/inference/*,status=503,rate=0.5 --demo-fault status=503,rate=0.2,retry-after=0"
faults+=" --demo-fault latency=30ms,rate=0.3 --demo-fault drop,rate=0.05 --demo-fault-seed 8"
# (The verdict is put together when it runs: the typed line itself must not match.)
keys -l "s0=\$(stty -g); $bin --demo --state-dir $state $faults 2>>$tmp/stderr.txt; s1=\$(stty -g); echo TTY-\$([ \"\$s0\" = \"\$s1\" ] && echo SAME || echo CHANGED)"
keys Enter

recovered=0
# step KEY TEXT...: wait until every TEXT shows; while an error shows (a
# "→ what to do" line) and nothing is loading, press KEY (at most $tries
# times: 8, or 25 where half the requests fail).
tries=8
step() {
  local key=$1 retries=0 p ok x
  shift
  for _ in $(seq 1 200); do
    p=$(pane)
    ok=1
    for x in "$@"; do grep -qF -- "$x" <<<"$p" || { ok=0; break; }; done
    [ "$ok" = 1 ] && return 0
    if grep -qE '(^|│) *→ ' <<<"$p" && ! grep -q '[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]' <<<"$p"; then
      retries=$((retries + 1)) recovered=$((recovered + 1))
      [ "$retries" -le "$tries" ] || fail "still failing after $tries retries: $*"
      echo "e2e-tmux: run $run: an error showed, pressing $key"
      keys "$key"
      sleep 0.3
    fi
    sleep 0.1
  done
  fail "did not see: $*"
}

wait_for "Pick a persona" 15
keys Enter
wait_for "Alice Chen"
keys Enter
step Enter "Who you are" "alice@contoso.example"
keys Enter
step R "Contoso ML Production" "2 subscriptions"
keys Enter
step R "Workspaces in Contoso ML Production" "mlw-churn"
keys Enter
step R "Endpoints in mlw-churn" "churn-key"
keys / ; keys -l churn-key
wait_for "1 of 4 endpoints"
keys Enter Enter
step R "Endpoint churn-key" "Scoring URI"
keys k
step R "Primary key" "r reveals"
keys r
wait_for "hides in"
keys Escape
step R "Endpoint churn-key" "Scoring URI"
keys t
wait_for "valid JSON"
step C-s "Credential key (primary)"
keys C-s
tries=25 step C-s "200 OK" "answered by"
keys q
for _ in $(seq 1 100); do
  pane | grep -q "TTY-CHANGED" && fail "the tty modes (stty -g) differ after the app quit"
  pane | grep -q "TTY-SAME" && break
  sleep 0.1
done
wait_for "TTY-SAME"
modes=$(t display-message -p -t "$name" '#{alternate_on} #{cursor_flag} #{mouse_any_flag} #{mouse_button_flag} #{mouse_standard_flag} #{mouse_sgr_flag}')
[ "$modes" = "0 1 0 0 0 0" ] || fail "terminal not given back (alternate screen, cursor, mouse modes): $modes"
keys -l 'echo typed-$((6*7))' ; keys Enter
wait_for 'echo typed-$((6*7))'
wait_for "typed-42"
cat >"$tmp/lastctx.go" <<'GO'
package main

import (
	"encoding/json"
	"fmt"
	"os"
)

// Prints the state file's last context; fails if it is not valid JSON.
func main() {
	b, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	var d struct {
		Last struct{ Workspace, Endpoint string } `json:"last"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		fmt.Println("invalid JSON:", err)
		os.Exit(1)
	}
	fmt.Println(d.Last.Workspace + "/" + d.Last.Endpoint)
}
GO
last=$(go run "$tmp/lastctx.go" "$state/state.json") || fail "state after the faults: $last"
[ "$last" = "mlw-churn/churn-key" ] || fail "state after the faults: last context $last, want mlw-churn/churn-key"
grep -rq "eyJ" "$state" && fail "a token reached the state directory"
t kill-session -t "$name"
echo "e2e-tmux: run $run: recovered from $recovered errors under faults"

# --- Run 9: the TUI attached to a standalone simulated Azure -------------------
# As a presenter would: the simulated Azure runs in one pane, the TUI in a
# second, attached with the cloud-config file the emulator wrote and the
# command it printed (SSL_CERT_FILE trusts its CA). The TUI signs in with
# device code (the emulator approves it as alice) and reaches the endpoints.
run=$((run + 1))
name="run$run" label="e2e-tmux (run $run: standalone emulator)"
port=$(( 20000 + RANDOM % 20000 ))
# The previous run killed the last session, so the tmux server may still be
# exiting ("server exited unexpectedly"): try again until a new one answers.
for _ in $(seq 1 20); do
  t new-session -d -s "$name" -x 120 -y 60 \
    "$bin emulator --listen 127.0.0.1:$port --auto-approve alice --ca-out $tmp/emu-ca.pem 2>>$tmp/stderr.txt | tee -i $tmp/emulator.txt" \
    2>/dev/null && break
  sleep 0.1
done
t has-session -t "$name" 2>/dev/null || fail "could not start a tmux session for the emulator"
t set-option -t "$name" remain-on-exit on >/dev/null 2>&1 || true
wait_for "Ctrl+C stops the server" 20
attach=$(grep -m1 -E '^ +SSL_CERT_FILE=.* amlauth-tui --cloud-config ' "$tmp/emulator.txt" | sed -E 's/^ +//') ||
  fail "the emulator printed no command that attaches the TUI"
[ -s "$tmp/emu-ca.cloud.json" ] || fail "no cloud config next to --ca-out"
# The printed command, run as printed (only the binary's path differs).
t split-window -v -t "$name" "${attach/ amlauth-tui / $bin } --state-dir $tmp/state-standalone 2>>$tmp/stderr.txt"
name="$name:0.1"
wait_for "Sign in to Azure" 20
wait_for "Device code"
keys Down Down                          # Automatic, Azure CLI, Device code
keys Enter
wait_for "Signed in with Device code" 30
wait_for "alice@contoso.example"
keys Enter
wait_for "Contoso ML Production" 20
keys Enter
wait_for "Workspaces in Contoso ML Production" 20
wait_for "mlw-churn"
keys Enter
wait_for "Endpoints in mlw-churn" 20
wait_for "churn-key"
keys q
name="${name%:0.1}"
t send-keys -t "$name:0.0" C-c
for _ in $(seq 1 50); do
  grep -q "simulated Azure stopped" "$tmp/emulator.txt" && break
  sleep 0.1
done
grep -q "simulated Azure stopped" "$tmp/emulator.txt" || fail "the emulator did not stop on Ctrl+C"
[ -e "$tmp/emu-ca.cloud.json" ] && fail "the emulator left its cloud config behind"
t kill-session -t "$name"
echo "e2e-tmux: run $run: the TUI attached to a standalone emulator in a second pane"

echo "e2e-tmux: ok"
