#!/usr/bin/env bash
# SIGKILL to the whole process group of `go test` (and to the watchdog), 10 times:
# how long until nothing of the session is left. Needs Docker, bc and setsid.
# Usage: docs/cleanup-kill.sh   (RUNS=n for another number of runs)
set -u
tmp=$(mktemp -d)
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export TESTCONTAINERS_HOST_OVERRIDE=localhost TESTCONTAINERS_RYUK_DISABLED=true FIXTURES_REAPED_CHILD=1
for i in $(seq 1 ${RUNS:-10}); do
  log="$tmp/run$i.log"
  setsid go test -count=1 -run '^TestHelperProcessReaped$' -v ./fixtures/ >"$log" 2>&1 &
  pg=$!
  for _ in $(seq 1 600); do grep -q '^SESSION' "$log" && break; sleep 0.1; done
  read -r _ session _ wd _ net < <(grep '^SESSION' "$log")
  kill -9 -- -"$pg"; kill -9 "$wd" 2>/dev/null
  t0=$(date +%s.%N)
  n0=$( { docker ps -aq --filter label=io.go-resilience.fixtures.session=$session; docker network ls -q --filter label=io.go-resilience.fixtures.session=$session; docker volume ls -q --filter label=io.go-resilience.fixtures.session=$session; docker ps -aq --filter label=io.go-resilience.fixtures.reaper=$session; } | wc -l)
  while :; do
    n=$( { docker ps -aq --filter label=io.go-resilience.fixtures.session=$session; docker network ls -q --filter label=io.go-resilience.fixtures.session=$session; docker volume ls -q --filter label=io.go-resilience.fixtures.session=$session; docker ps -aq --filter label=io.go-resilience.fixtures.reaper=$session; } | wc -l)
    el=$(echo "$(date +%s.%N) - $t0" | bc)
    if [ "$n" -eq 0 ]; then echo "run $i: session $session: $n0 objects right after the kill, 0 after ${el} s"; break; fi
    if (( $(echo "$el > 15" | bc) )); then echo "run $i: session $session: $n LEFT after 15 s"; break; fi
    sleep 0.2
  done
  wait "$pg" 2>/dev/null
done
