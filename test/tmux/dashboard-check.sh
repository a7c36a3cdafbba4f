#!/usr/bin/env bash
# Issue 4's scripted check: the real dashboard (`npm run tui`) in a real terminal (tmux, 100×30) against a
# real `npm run dev`, driven by keys and read back from the screen.
#
#   1. `npm run dev` on a free port (PORT), in a scratch copy of the repository, so the check starts from a
#      clean slate (fresh .dev.vars, empty local D1) and never touches the developer's own;
#   2. two pending users registered through the client API, one confirmed user created through the admin API;
#   3. `npm run tui` in a detached tmux session with CI=false (Ink draws nothing with CI=true) and USHER_URL;
#   4. `/` searches one pending user, `c` confirms it (checked on screen and through the admin API), tab 2
#      shows the created user, tab 5 the current signing key, tab 8 the lifecycle events (recorded: no sink)
#      and its status filter, `e` hands the terminal to a real vi on the created user's custom data (typed
#      into vi, saved, and checked through the admin API), `q` quits with exit status 0;
#   5. whatever happens, the tmux server and every process `npm run dev` started are stopped.
#
# Needs tmux (Debian: apt-get install -y tmux), vi (vim) and curl; run after `npm install`:
#   bash test/tmux/dashboard-check.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/usher-tmux-check.XXXXXX")"
# A private tmux server, its socket inside the scratch directory: nothing is shared with other sessions.
TMUX_SOCKET="$WORK/tmux.sock"
SESSION="dashboard"
RUN="$(date +%s)$$"
PENDING="pending-$RUN@example.com"
OTHER="other-$RUN@example.com"
CREATED="created-$RUN@example.com"
DEV_PID=""
PORT=""

for tool in tmux curl setsid vi; do
  command -v "$tool" >/dev/null || { echo "✘ $tool is required (Debian: apt-get install -y $tool)" >&2; exit 1; }
done

stop_dev() {
  [[ -n "$DEV_PID" ]] || return 0
  # npm, and the node running tui/dev.ts, share one process group; on SIGTERM dev.ts stops wrangler's own
  # group (tui/local-worker.ts) before exiting.
  kill -TERM -- "-$DEV_PID" 2>/dev/null || true
  for _ in $(seq 1 60); do
    kill -0 "$DEV_PID" 2>/dev/null || break
    sleep 0.25
  done
  kill -KILL -- "-$DEV_PID" 2>/dev/null || true
  # Should dev.ts have died without stopping wrangler, stop the group serving our (unique) port.
  local leftover
  for leftover in $(pgrep -f -- "--port $PORT " || true); do
    kill -TERM -- "-$(ps -o pgid= -p "$leftover" | tr -d ' ')" 2>/dev/null || true
  done
  DEV_PID=""
}

cleanup() {
  local status=$?
  tmux -S "$TMUX_SOCKET" kill-server 2>/dev/null || true
  stop_dev
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pane() { tmux -S "$TMUX_SOCKET" capture-pane -p -t "$SESSION" 2>/dev/null; }

fail() {
  echo "✘ $1" >&2
  echo "--- screen ---" >&2
  pane >&2 || echo "(no tmux session)" >&2
  echo "--- npm run tui stderr ---" >&2
  grep -v 'Unknown user config "nodedir"' "$WORK/tui.err" >&2 2>/dev/null || true
  echo "--- npm run dev (last lines) ---" >&2
  tail -n 20 "$WORK/dev.log" >&2 2>/dev/null || true
  exit 1
}

passed() { echo "✔ $1"; }

# Wait until the screen satisfies `grep -E "$1"` (or, with "!", stops matching); $2: seconds; $3: the step.
wait_for() {
  local pattern="$1" seconds="$2" step="$3" negate=0
  if [[ "$pattern" == '!'* ]]; then negate=1; pattern="${pattern:1}"; fi
  local deadline=$((SECONDS + seconds))
  while :; do
    if pane | grep -qE -- "$pattern"; then ((negate)) || return 0; else ((negate)) && return 0; fi
    ((SECONDS < deadline)) || fail "$step: the screen never $( ((negate)) && echo 'stopped showing' || echo 'showed') /$pattern/"
    sleep 0.2
  done
}

keys() {
  tmux -S "$TMUX_SOCKET" send-keys -t "$SESSION" "$@"
  sleep 0.3
}

literally() {
  tmux -S "$TMUX_SOCKET" send-keys -t "$SESSION" -l "$1"
  sleep 0.3
}

# Regular-expression form of a literal string (emails contain dots).
re() { printf '%s' "$1" | sed 's/[.[\*^$()+?{|]/\\&/g'; }

# Below Linux's ephemeral range (32768+), where outgoing connections would collide with our bind.
free_port() {
  local port
  for _ in $(seq 1 100); do
    port=$((20000 + RANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

# 1. A scratch copy (the files `npm run dev` and `npm run tui` use) and `npm run dev` on a free port.
for entry in package.json wrangler.toml tsconfig.json worker tui drizzle .dev.vars.example; do
  cp -R "$ROOT/$entry" "$WORK/"
done
ln -s "$ROOT/node_modules" "$WORK/node_modules"
start_dev() {
  PORT="$(free_port)" || fail "no free port found"
  URL="http://127.0.0.1:$PORT"
  (cd "$WORK" && PORT="$PORT" exec setsid npm run dev >"$WORK/dev.log" 2>&1) &
  DEV_PID=$!
  local deadline=$((SECONDS + 120))
  until curl -sf "$URL/health" >/dev/null; do
    if ! kill -0 "$DEV_PID" 2>/dev/null; then
      DEV_PID=""
      return 1
    fi
    ((SECONDS < deadline)) || fail "Usher did not answer at $URL within 120 s"
    sleep 0.5
  done
}
# A port can be taken between the probe and wrangler's bind: try another one, twice.
for attempt in 1 2 3; do
  start_dev && break
  grep -q 'Address already in use' "$WORK/dev.log" && ((attempt < 3)) || fail "npm run dev exited before Usher answered"
done
ADMIN_KEY="$(sed -n 's/^ADMIN_API_KEY=//p' "$WORK/.dev.vars")"
[[ -n "$ADMIN_KEY" ]] || fail "npm run dev did not write ADMIN_API_KEY to .dev.vars"
passed "npm run dev answers at $URL"

# 2. Users: two pending (client API, as an app registers them), one created by an admin (confirmed).
for email in "$OTHER" "$PENDING"; do
  status="$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'content-type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"password1\"}" \
    "$URL/api/client/v2.0/app/usher-local/auth/providers/local-userpass/register")"
  [[ "$status" == 201 ]] || fail "registering $email answered HTTP $status"
done
created="$(curl -s -X POST -H 'content-type: application/json' -H "authorization: Bearer $ADMIN_KEY" \
  -d "{\"email\":\"$CREATED\",\"password\":\"password1\"}" "$URL/admin/trpc/users.create")"
[[ "$created" == *'"status":"confirmed"'* ]] || fail "users.create answered: $created"
# The user's id comes first in the answer (their identities' ids follow).
CREATED_ID="$(printf '%s' "$created" | grep -o '"id":"[0-9a-f]\{24\}"' | head -n 1 | cut -d '"' -f 4)"
[[ -n "$CREATED_ID" ]] || fail "users.create answered no id: $created"
passed "registered $PENDING and $OTHER, created $CREATED"

# 3. The dashboard in tmux at 100×30; its exit status lands in a file (tmux's own #{pane_dead_status} is not
#    reliable in tmux 3.3).
# `e` runs the real vi, without any vimrc, on the terminal the dashboard hands over.
tmux -S "$TMUX_SOCKET" -f /dev/null new-session -d -s "$SESSION" -x 100 -y 30 -c "$WORK" \
  "env CI=false USHER_URL='$URL' VISUAL= EDITOR='vi -u NONE' npm run --silent tui 2>'$WORK/tui.err'; echo \$? >'$WORK/tui.status'"
wait_for "● live" 60 "the dashboard connects"
wait_for "○ $(re "$PENDING")" 30 "the Pending tab lists the registered user"
wait_for "$(re "$OTHER")" 10 "the Pending tab lists the other registered user"
passed "the dashboard shows both pending users"

# 4a. Search.
keys /
literally "pending-$RUN"
wait_for "!$(re "$OTHER")" 15 "search hides the other pending user"
keys Enter
wait_for "/ pending-$RUN \(filtered" 10 "Enter keeps the search"
wait_for "› ○ $(re "$PENDING") +awaits confirmation" 10 "the searched user is selected"
passed "/ finds $PENDING"

# 4b. Confirm.
keys c
wait_for "✔ Confirmed $(re "$PENDING"): awaits first login" 30 "c confirms"
wait_for "◐ $(re "$PENDING") +awaits first login" 15 "the row shows the new state"
state="$(curl -sG -H "authorization: Bearer $ADMIN_KEY" --data-urlencode \
  "input={\"status\":\"pending\",\"search\":\"$PENDING\"}" "$URL/admin/trpc/users.list")"
[[ "$state" == *'"status":"pending-login"'* ]] || fail "the admin API does not see $PENDING confirmed: $state"
passed "c confirmed $PENDING (the admin API reports pending-login)"

# 4c. The created user is on the Confirmed tab.
keys 2
wait_for "\[2 Confirmed\]" 10 "2 opens the Confirmed tab"
wait_for "● $(re "$CREATED") +confirmed" 30 "the Confirmed tab lists the created user"
passed "tab 2 lists $CREATED"

# 4d. The signing key that signs access tokens is on the Keys tab.
keys 5
wait_for "\[5 Keys\]" 10 "5 opens the Keys tab"
wait_for "› ● [A-Za-z0-9_-]+ +current +ES256" 30 "the Keys tab lists the current signing key"
passed "tab 5 lists the current signing key"

# 4e. The lifecycle events: recorded (no sink is configured), newest first; f filters them by status.
keys 8
wait_for "\[8 Events\]" 10 "8 opens the Events tab"
wait_for "no sink: events only recorded" 30 "the Events tab says that events are only recorded"
wait_for "› ○ CONFIRM +$(re "$PENDING") +recorded" 30 "the Events tab lists the confirmation, newest first"
wait_for "○ CREATE +$(re "$CREATED") +recorded" 10 "the Events tab lists the created user's CREATE"
keys f
wait_for "◆ pending only \(f F · Esc\)" 10 "f filters the events by status"
wait_for "No pending events" 30 "no event is pending without a sink"
keys Escape
wait_for "CONFIRM +$(re "$PENDING")" 30 "Esc shows every event again"
passed "tab 8 lists the CONFIRM and CREATE events, and f filters them"

# 4f. Custom data in a real vi: the dashboard hands the terminal over and takes it back.
keys 2
wait_for "› ● $(re "$CREATED")" 30 "the Confirmed tab selects the created user"
keys e
wait_for "custom-data-$CREATED_ID\.json" 30 "e opens vi on the custom data"
wait_for "^\{\}" 10 "vi shows the (empty) custom data"
keys : && literally "%d" && keys Enter
keys i && literally '{"plan": "pro"}' && keys Escape
sleep 0.5
keys : && literally "wq" && keys Enter
wait_for "✔ Custom data of $(re "$CREATED") saved \(14 bytes\)" 30 "saving in vi saves the custom data"
wait_for "\[2 Confirmed\]" 10 "the dashboard is back"
details="$(curl -sG -H "authorization: Bearer $ADMIN_KEY" --data-urlencode \
  "input={\"userId\":\"$CREATED_ID\"}" "$URL/admin/trpc/users.get")"
[[ "$details" == *'"customData":{"plan":"pro"}'* ]] || fail "the admin API does not see the custom data: $details"
passed "e edited the custom data of $CREATED in vi (the admin API reports {\"plan\":\"pro\"})"

# 4g. Quit.
keys q
deadline=$((SECONDS + 20))
until [[ -s "$WORK/tui.status" ]]; do
  ((SECONDS < deadline)) || fail "q did not quit the dashboard"
  sleep 0.2
done
exit_status="$(cat "$WORK/tui.status")"
[[ "$exit_status" == 0 ]] || fail "npm run tui exited with status $exit_status"
passed "q quits (exit status 0)"

echo "✔ dashboard check passed"
