#!/bin/bash
# The peer of bench/serve-big.mjs measured with curl: go tool pprof -http on the big profile,
# polled until /ui/top answers, then /ui/flamegraph; VmRSS and VmHWM logged every 5 s; stopped
# after LIMIT seconds (default 900). In one run serve-big.mjs's fetch loop stalled (no connection
# attempt while pprof listened): this is the measurement docs/PERFORMANCE.md records.
#   bench/serve-big-peer.sh bench/out/serve-300mb.pb bench/out/peer.log   # needs bench/out/pprof (bench/serve.mjs builds it)
# Watch the machine's free memory while it runs: pprof passed 20 GB here.
file=$1; log=$2; LIMIT=${LIMIT:-900}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
: > $log
PPROF_TMPDIR=$(dirname $file) PPROF_BINARY_PATH=/nonexistent bench/out/pprof -http=127.0.0.1:$port -no_browser $file > /dev/null 2>&1 &
pid=$!
t0=$(date +%s.%N)
el() { python3 -c "import time; print(f'{time.time()-$t0:.1f}')"; }
( while kill -0 $pid 2>/dev/null; do echo "$(el) s $(grep -E 'VmRSS|VmHWM' /proc/$pid/status 2>/dev/null | tr -s ' \t\n' ' ') cpu $(ps -o time= -p $pid) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $log; sleep 5; done ) &
watcher=$!
( sleep $LIMIT; echo "$(el) s LIMIT reached: stopping" >> $log; grep VmHWM /proc/$pid/status >> $log; kill $pid ) &
limiter=$!
until curl -s -o /dev/null -w "%{http_code}" --max-time $LIMIT "http://127.0.0.1:$port/ui/top?n=1" > /tmp/pprof-top.code 2>/dev/null; do
  kill -0 $pid 2>/dev/null || break
  sleep 0.5
done
echo "$(el) s /ui/top answered $(cat /tmp/pprof-top.code)" >> $log
curl -s -o /tmp/pprof-flame.html -w "%{http_code} %{size_download} bytes" --max-time $LIMIT "http://127.0.0.1:$port/ui/flamegraph" > /tmp/pprof-flame.code 2>/dev/null
echo "$(el) s /ui/flamegraph answered $(cat /tmp/pprof-flame.code)" >> $log
echo "peak: $(grep VmHWM /proc/$pid/status)" >> $log
kill $limiter 2>/dev/null
kill $pid 2>/dev/null
wait $pid 2>/dev/null
kill $watcher 2>/dev/null
echo done >> $log
