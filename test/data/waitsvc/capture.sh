#!/bin/bash
# How test/data/waits-go126/ was captured (Go 1.26): run waitsvc with gctrace, take two
# goroutine?debug=2 dumps 125 s apart (the first after 75 s, so waits print minutes),
# then block, mutex, heap?debug=1 and a 2 s CPU profile with curl. The fetch times go to
# waits-go126.json beside the folder (to check inferences against, never an input).
#   cd test/data/waitsvc && go build -o /tmp/waitsvc . && ./capture.sh /tmp/waitsvc ../waits-go126
set -e
bin=$(realpath "$1")
out=$(realpath -m "$2")
rm -rf "$out" && mkdir -p "$out"
cd "$out"
ms() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ; }
start=$(ms)
GODEBUG=gctrace=1 "$bin" > app.log 2>&1 &
pid=$!
sleep 1
port=$(grep -o 'listening on 127.0.0.1:[0-9]*' app.log | sed 's/.*://')
u=http://127.0.0.1:$port/debug/pprof
sleep 74
t1=$(ms); curl -sS "$u/goroutine?debug=2" > g1.txt
sleep 125
t2=$(ms); curl -sS "$u/goroutine?debug=2" > g2.txt
t3=$(ms); curl -sS "$u/block" > block
t4=$(ms); curl -sS "$u/mutex" > mutex
t5=$(ms); curl -sS "$u/heap?debug=1" > heap.txt
t6=$(ms); curl -sS "$u/profile?seconds=2" > cpu.prof
kill $pid; wait $pid || true
cat > "$out.json" <<J
{"processStartedAt":"$start","files":{"g1.txt":"$t1","g2.txt":"$t2","block":"$t3","mutex":"$t4","heap.txt":"$t5","cpu.prof":"$t6"}}
J
