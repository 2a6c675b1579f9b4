#!/usr/bin/env bash
# Screenshots for the README and docs/TOUR.md, taken from the real app: build
# the binary, run --demo in a private tmux server, walk the 60-second tour
# (docs/TOUR.md) as Olivia and, at each stop, capture the pane with its
# colours and render it to an SVG with scripts/ansi2svg.
#
#   bash scripts/screenshots.sh             # regenerate docs/screenshots/
#   bash scripts/screenshots.sh /tmp/shots  # anywhere else (CI smoke test)
#
# The run is pinned so the images only change when the app does: fixed size,
# persona, navigation, environment (no AZURE_* or az on PATH), time zone and
# a fresh state directory. Clock times, the emulator's port and timings in
# the pictures still vary from run to run.
set -euo pipefail
out=${1:-}
if [ -n "$out" ]; then
  case $out in /*) ;; *) out="$PWD/$out" ;; esac   # relative to where it was called from
fi
cd "$(dirname "$0")/.."
out=${out:-docs/screenshots}
cols=120 rows=36

command -v tmux >/dev/null 2>&1 || { echo "screenshots: needs tmux (e.g. apt-get install tmux)" >&2; exit 1; }
source scripts/lib/tmux.sh
tmux_init screenshots
name=tour

go build -o "$tmp/amlauth-tui" ./cmd/amlauth-tui
go build -o "$tmp/ansi2svg" ./scripts/ansi2svg
mkdir -p "$out" "$tmp/nopath" "$tmp/home" "$tmp/svg"

# shot NAME TITLE: let the frame settle, capture it with colours, render it
# (into $tmp first: $out changes only when the whole tour succeeded).
shot() {
  sleep 0.4
  t capture-pane -e -p -N -t "$name" >"$tmp/$1.ans" || fail "capture of $1"
  "$tmp/ansi2svg" -cols "$cols" -rows "$rows" -title "$2" -o "$tmp/svg/$1.svg" "$tmp/$1.ans"
}

# The app sees a plain, known environment: truecolor, UTF-8, UTC, no Azure
# variables, nothing on PATH (so "Azure CLI not found" on every machine).
t new-session -d -s "$name" -x "$cols" -y "$rows" \
  "env -i HOME=$tmp/home PATH=$tmp/nopath TERM=xterm-256color COLORTERM=truecolor LANG=C.UTF-8 TZ=UTC \
   $tmp/amlauth-tui --demo --state-dir $tmp/state 2>>$tmp/stderr.txt"
title="amlauth-tui --demo"

# 1. Sign-in: the methods, then a persona.
wait_for "Sign in to Azure"
wait_for "Pick a persona"
shot 01-sign-in "$title"
keys Enter
wait_for "Olivia Okafor"
keys / ; keys -l olivia ; keys Enter Enter
wait_for "Who you are"
wait_for "olivia@contoso.example"
shot 02-identity "$title"

# 2. Browse: subscription › workspace › endpoints.
keys Enter
wait_for "Contoso ML Production"
keys Enter
wait_for "Workspaces in Contoso ML Production"
wait_for "mlw-churn"
keys Enter
wait_for "Endpoints in mlw-churn"
wait_for "churn-key"
shot 03-endpoints "$title"

# 3. Create: the auth-mode step, the review, then the long-running create.
keys n
wait_for "Name the endpoint"
wait_for "You may create endpoints here"
keys -l churn-v2 ; keys Enter
wait_for "Describe it"
keys -l "Churn model v2 for the mobile app" ; keys Enter
keys -l "team=mobile" ; keys Enter
wait_for "Where it runs"
keys Enter
wait_for "How callers authenticate"
keys Down Down
wait_for "callers get it az account get-access-token"
shot 04-create-auth-mode "$title"
keys Enter
wait_for "Which identity it runs as"
wait_for "system-assigned"
keys Enter
wait_for "az ml online-endpoint create --name churn-v2"
shot 05-create-review "$title"
keys Enter
wait_for "Endpoint churn-v2" 20
wait_for "Succeeded"
keys Escape
wait_for "Endpoints in mlw-churn"
wait_for "churn-v2"

# 4. Endpoint details of churn-key, found with the filter.
keys / ; keys -l churn-key
wait_for "1 of 5 endpoints"               # churn-key, -aml, -aad, -custom and the new churn-v2
keys Enter Enter
wait_for "Endpoint churn-key"
wait_for "Deployments and traffic"
wait_for "green"
shot 06-endpoint "$title"

# 5. Check access: can Bob rotate the keys? No role would help: a deny
# assignment blocks it for everyone but Olivia, and the verdict says so.
keys c
wait_for "1 Who"
keys -l bob ; keys Enter
wait_for "Bob Reyes <bob@contoso.example>"
keys Down Down Enter
wait_for "LEVEL"
keys Enter
wait_for "Get the keys (key)"
keys Enter
wait_for "⊘   Regenerate keys" 15
keys Down Down Down Down
wait_for "⊘ Blocked by the deny assignment"
wait_for "excluded: Olivia Okafor"
shot 07-check-access "$title"

# 6. Credentials: an AML token, masked, counting down to its expiry.
keys :
wait_for "go to a screen"
keys -l churn-aml
wait_re "churn-aml +endpoint"
keys Enter
wait_for "Endpoint churn-aml"
keys k
wait_for "AML token"
wait_for "auto-refresh on"
wait_for "Claims"
shot 08-credentials "$title"

# 7. The request editor: send the sample body with that token.
keys t
wait_for "valid JSON"
wait_for "Credential"
keys C-s
wait_for "200 OK" 15
wait_for "answered by"
wait_for "x-request-id"
shot 09-request "$title"

# Encore: the endpoint's own identity. churn-custom runs as a user-assigned
# identity without AcrPull: can it run?, the preflight, the failure with its
# logs, the fix from the wizard, the retry and the traffic.
keys Escape                             # the request editor, then the credentials
wait_for "Credentials · churn-aml"
keys Escape
wait_for "Endpoint churn-aml"
keys :
wait_for "go to a screen"
keys -l churn-custom
wait_re "churn-custom +endpoint"
keys Enter
wait_for "Endpoint churn-custom"
wait_for "Failed"
keys i
wait_for "user-assigned identity id-churn-scoring" 15
wait_for "Assign AcrPull"
shot 10-can-it-run "$title"
keys Escape
wait_for "Endpoint churn-custom"
keys n
wait_for "green is a valid name"
keys Enter
wait_for "Which model it serves"
keys / ; keys -l churn-custom-model ; keys Enter Enter
wait_for "Which environment"
keys / ; keys -l custom-scoring ; keys Enter Enter
wait_for "What it runs on"
keys Enter
wait_for "not granted" 15
shot 11-preflight "$title"
keys Enter
wait_for "The preflight found a missing permission"
keys Enter
wait_for "f fixes" 30
wait_for "inference-server"
shot 12-deploy-failed "$title"
keys f                                  # straight to the review: the identity, AcrPull, the registry
wait_for "az role assignment create"
keys y
wait_for "assigned ✓" 30
keys Enter
wait_for "A role was assigned since it failed" 15
sleep 5                                 # the demo applies a new assignment after 5 s (Azure: minutes)
keys Enter
wait_for "t opens the traffic editor" 30
keys t
wait_for "Traffic of churn-custom"
keys A Enter
wait_for "green=100: Succeeded" 20
shot 13-traffic "$title"

keys q
wait_gone "Traffic of churn-custom" 5

rm -f "$out"/[0-9][0-9]-*.svg   # a renamed or dropped stop leaves no stale image
for f in "$tmp"/svg/*.svg; do
  cp "$f" "$out/" && echo "wrote $out/$(basename "$f")"
done
echo "screenshots: ok ($(ls "$tmp"/svg/*.svg | wc -l) images in $out)"
