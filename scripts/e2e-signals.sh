#!/usr/bin/env bash
# Signals in a real terminal: run the demo in a tmux pane's shell, send it a
# signal (or press ctrl+c), and check that the terminal is given back — tty
# modes (stty -g), main screen, cursor shown, no mouse reports — and that
# the exit status is the shell's 128 + signal number (ctrl+c: 130).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/tmux.sh
tmux_init e2e-signals

go build -o "$tmp/amlauth-tui" ./cmd/amlauth-tui
bin="$tmp/amlauth-tui"
run=0

# one SIGNAL STATUS: start the demo, deliver SIGNAL ("ctrl+c" presses it),
# expect exit STATUS and the terminal as it was.
one() {
  local sig=$1 want=$2 modes pid
  run=$((run + 1))
  name="run$run" label="e2e-signals ($sig)"
  t new-session -d -s "$name" -x 120 -y 40 "env -i PATH=$PATH HOME=$tmp TERM=xterm-256color PS1='$ ' bash --norc --noprofile -i"
  wait_for '$'
  # (The verdict is put together when it runs: the typed line itself must not match.)
  keys -l "s0=\$(stty -g); $bin --demo --state-dir $tmp/state 2>>$tmp/stderr.txt; rc=\$?; s1=\$(stty -g); echo RC-\$rc TTY-\$([ \"\$s0\" = \"\$s1\" ] && echo SAME || echo CHANGED)"
  keys Enter
  wait_for "Pick a persona" 15
  modes=$(t display-message -p -t "$name" '#{alternate_on} #{cursor_flag}')
  [ "$modes" = "1 0" ] || fail "the app is not in the alternate screen with the cursor hidden ($modes): the test would prove nothing"
  if [ "$sig" = ctrl+c ]; then
    keys C-c
  else
    # The app is the shell's only child in this private tmux server's pane.
    pid=$(pgrep -P "$(t display-message -p -t "$name" '#{pane_pid}')" -x amlauth-tui) || fail "no app process"
    kill "-$sig" "$pid"
  fi
  wait_re "RC-[0-9]+ TTY-(SAME|CHANGED)"
  pane | grep -q "TTY-CHANGED" && fail "the tty modes (stty -g) differ after $sig"
  pane | grep -qF "RC-$want TTY-SAME" || fail "exit status after $sig: want $want"
  modes=$(t display-message -p -t "$name" '#{alternate_on} #{cursor_flag} #{mouse_any_flag} #{mouse_button_flag} #{mouse_standard_flag} #{mouse_sgr_flag}')
  [ "$modes" = "0 1 0 0 0 0" ] || fail "terminal not given back after $sig (alternate screen, cursor, mouse modes): $modes"
  keys -l 'echo typed-$((6*7))' ; keys Enter
  wait_for "typed-42"
  t kill-session -t "$name"
  echo "e2e-signals: $sig: exit $want, terminal restored"
}

one HUP 129
one TERM 143
one QUIT 131
one INT 130
one USR1 138
one ALRM 142
one ctrl+c 130
echo "e2e-signals: OK"
