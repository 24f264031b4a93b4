#!/usr/bin/env bash
# bench-load: how the portal holds a traffic spike, measured over loopback.
#
# 1. Builds gongkai, starts `gongkai serve --demo` on a loopback port with a
#    temporary data directory and waits for /readyz.
# 2. Fetches one page of each kind (home, unit, column, entry, search,
#    dataset page), has nginx serve the same bytes from files on another
#    loopback port, and runs wrk against both: req/s and the ratio to
#    nginx, with the targets (every page >= 0.5x, the entry page >= 0.8x);
#    and against Go's net/http alone serving the same bytes from memory
#    (scripts/staticserve), the ceiling of a Go server here.
# 3. 200 concurrent connections for 60 s on a weighted mix of home, entry,
#    search, column pages and a CSV download (the download's connections
#    in a wrk of their own, so that each has its own histogram): req/s,
#    p50/p99, statuses.
#
# Sends only to 127.0.0.1; every run is bounded in time; the server and
# nginx are stopped on exit, whatever happens. Needs wrk and nginx
# (Debian: apt-get install wrk nginx-light), python3 and curl.
# Knobs: BENCH_SECONDS (per page and server, default 5), BENCH_ROUNDS (of
# each page on the three servers in turn, default 3; the median counts),
# BENCH_MIX_SECONDS
# (default 60), BENCH_CONNS (pages, default 50), BENCH_MIX_CONNS (200),
# BENCH_READY_TIMEOUT (seconds to wait for the demo and index, 1200),
# BENCH_IDLE_TIMEOUT (seconds to wait for the start's background work, 600).
set -euo pipefail

PAGE_SECS=${BENCH_SECONDS:-5}
ROUNDS=${BENCH_ROUNDS:-3}
MIX_SECS=${BENCH_MIX_SECONDS:-60}
CONNS=${BENCH_CONNS:-50}
MIX_CONNS=${BENCH_MIX_CONNS:-200}
READY_TIMEOUT=${BENCH_READY_TIMEOUT:-1200}
GO=${GO:-go}

for tool in wrk nginx curl python3; do
	command -v "$tool" >/dev/null || { echo "bench-load: $tool is not installed (apt-get install wrk nginx-light curl python3)" >&2; exit 2; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gongkai-bench-load.XXXXXX")
server_pid="" nginx_pid="" static_pid=""
cleanup() {
	[ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
	[ -n "$static_pid" ] && kill "$static_pid" 2>/dev/null && wait "$static_pid" 2>/dev/null
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
GK_PORT=$(free_port)
NG_PORT=$(free_port)
GK="http://127.0.0.1:$GK_PORT"
NG="http://127.0.0.1:$NG_PORT"
GS_PORT=$(free_port)
GS="http://127.0.0.1:$GS_PORT"

echo "== building"
$GO build -o "$tmp/gongkai" ./cmd/gongkai
$GO build -o "$tmp/staticserve" ./scripts/staticserve

echo "== starting gongkai serve --demo on $GK (data in $tmp/data)"
# Rate limits off for the bench's single client address; the 429 path is
# covered by the portal's tests. Request logs go to a file.
GONGKAI_RATE_SEARCH=off GONGKAI_RATE_ROWS=off GONGKAI_RATE_DOWNLOADS=off GONGKAI_MAX_IN_FLIGHT=4096 \
	"$tmp/gongkai" serve --demo --addr "127.0.0.1:$GK_PORT" --data "$tmp/data" >"$tmp/serve.out" 2>"$tmp/serve.log" &
server_pid=$!
start=$(date +%s)
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$GK/readyz")" = 200 ]; do
	kill -0 "$server_pid" 2>/dev/null || { echo "bench-load: the server stopped:" >&2; tail -20 "$tmp/serve.log" >&2; exit 1; }
	if [ $(( $(date +%s) - start )) -gt "$READY_TIMEOUT" ]; then echo "bench-load: not ready after ${READY_TIMEOUT}s" >&2; exit 1; fi
	sleep 2
done
echo "   ready after $(( $(date +%s) - start )) s"
# Ready is not idle: the column-fit model trains and the index merges its
# segments in the background after a start. A spike meets a server that
# has been up for a while, so wait until the server's CPU time stands
# still (under 5% of a core in each of three 2 s windows), at most
# BENCH_IDLE_TIMEOUT seconds.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
hz=$(getconf CLK_TCK)
idle_start=$(date +%s)
prev=$(cpu_ticks)
quiet=0
while :; do
	sleep 2
	now=$(cpu_ticks)
	if [ $(( (now - prev) * 100 )) -lt $(( 2 * hz * 5 )) ]; then quiet=$((quiet + 1)); else quiet=0; fi
	prev=$now
	# Three quiet windows in a row: work that starts a little after
	# /readyz (the column-fit training) is not mistaken for done.
	[ "$quiet" -lt 3 ] || break
	if [ $(( $(date +%s) - idle_start )) -gt "${BENCH_IDLE_TIMEOUT:-600}" ]; then echo "   (still busy after ${BENCH_IDLE_TIMEOUT:-600} s: measuring anyway)"; break; fi
done
echo "   idle after another $(( $(date +%s) - idle_start )) s"

# One URL of each kind, found through the API.
python3 - "$GK" >"$tmp/urls" <<'PY'
import json, sys, urllib.parse, urllib.request
base = sys.argv[1]
def get(p): return json.load(urllib.request.urlopen(base + p))
units = [u for u in get("/api/v1/units")["units"] if u["entry_count"] > 0]
unit = max(units, key=lambda u: u["entry_count"])["code"]
cols = [c for c in get(f"/api/v1/units/{unit}/columns")["columns"] if c["leaf"] and c["entry_count"] > 0]
col = max(cols, key=lambda c: c["entry_count"])["code"]
q = "通知"
hits = get("/api/v1/search?size=20&q=" + urllib.parse.quote(q))["hits"]
ds = get("/opendata/api/datasets?size=100")
items = ds.get("datasets") or ds.get("results") or ds.get("items") or []
small = min(items, key=lambda d: d.get("record_count") or d.get("rows") or 10**9)
print("home /")
print(f"unit /units/{unit}")
print(f"column /units/{unit}/columns/{col}")
print(f"entry /entries/{urllib.parse.quote(hits[0]['id'])}")
print(f"search /search?q={urllib.parse.quote(q)}")
print(f"dataset /opendata/datasets/{urllib.parse.quote(items[0]['id'])}")
# The mix: several entries and queries, the small dataset's CSV.
for h in hits:
    print(f"mix-entry /entries/{urllib.parse.quote(h['id'])}")
for w in ["通知", "公告", "规划", "招聘", "环境", "交通"]:
    print(f"mix-search /search?q={urllib.parse.quote(w)}")
print(f"mix-csv /opendata/datasets/{urllib.parse.quote(small['id'])}.csv")
PY

mkdir -p "$tmp/www" "$tmp/nginx/logs"
# nginx's worker runs as an unprivileged user when started as root.
chmod 755 "$tmp" "$tmp/www"
while read -r kind path; do
	case $kind in mix-*) continue ;; esac
	curl -sf -o "$tmp/www/$kind.html" "$GK$path"
	chmod 644 "$tmp/www/$kind.html"
done <"$tmp/urls"
cat >"$tmp/nginx/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
error_log $tmp/nginx/logs/error.log warn;
pid $tmp/nginx/nginx.pid;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path $tmp/nginx/body;
	proxy_temp_path $tmp/nginx/proxy;
	fastcgi_temp_path $tmp/nginx/fastcgi;
	uwsgi_temp_path $tmp/nginx/uwsgi;
	scgi_temp_path $tmp/nginx/scgi;
	default_type text/html;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 1000000;
	server {
		listen 127.0.0.1:$NG_PORT;
		root $tmp/www;
	}
}
NGINX
nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" &
nginx_pid=$!
tries=0
until curl -sf -o /dev/null "$NG/home.html"; do
	tries=$((tries + 1))
	[ "$tries" -lt 50 ] || { echo "bench-load: nginx does not serve the pages:" >&2; cat "$tmp/nginx/logs/error.log" >&2; exit 1; }
	kill -0 "$nginx_pid" 2>/dev/null || { echo "bench-load: nginx did not start" >&2; cat "$tmp/nginx/logs/error.log" >&2; exit 1; }
	sleep 0.2
done

# Go's net/http alone serving the same bytes from memory: the ceiling of
# any Go server here, so that the gap to nginx splits into what net/http
# costs and what gongkai adds.
"$tmp/staticserve" -addr "127.0.0.1:$GS_PORT" -dir "$tmp/www" 2>"$tmp/staticserve.log" &
static_pid=$!
tries=0
until curl -sf -o /dev/null "$GS/home.html"; do
	tries=$((tries + 1))
	[ "$tries" -lt 50 ] || { echo "bench-load: staticserve does not serve the pages:" >&2; cat "$tmp/staticserve.log" >&2; exit 1; }
	sleep 0.2
done

rps() { wrk -t1 -c"$CONNS" -d"${PAGE_SECS}s" "$1" | awk '/^Requests\/sec:/ {print $2} /Non-2xx/ {print "non2xx " $4 > "/dev/stderr"}'; }

echo
echo "== each page against nginx serving the same bytes (wrk -t1 -c$CONNS -d${PAGE_SECS}s, median of $ROUNDS rounds)"
printf '%-8s %8s %12s %12s %7s %7s  %-3s %12s %9s\n' kind bytes gongkai/s nginx/s ratio target ok net/http/s "its ratio"
misses=0
while read -r kind path; do
	case $kind in mix-*) continue ;; esac
	bytes=$(stat -c %s "$tmp/www/$kind.html")
	# The three servers in turn, ROUNDS times, and the median of each:
	# a noisy neighbour then spoils one round of all three, not one server.
	o=() n=() p=()
	for _ in $(seq "$ROUNDS"); do
		o+=("$(rps "$GK$path")")
		n+=("$(rps "$NG/$kind.html")")
		p+=("$(rps "$GS/$kind.html")")
	done
	median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
	ours=$(median "${o[@]}")
	theirs=$(median "${n[@]}")
	plain=$(median "${p[@]}")
	target=0.5
	[ "$kind" = entry ] && target=0.8
	read -r ratio ok < <(python3 -c "r=$ours/$theirs; print(f'{r:.2f}', 'yes' if r >= $target else 'NO')")
	[ "$ok" = yes ] || misses=$((misses + 1))
	pratio=$(python3 -c "print(f'{$plain/$theirs:.2f}')")
	printf '%-8s %8s %12.0f %12.0f %6sx %6sx  %-3s %12.0f %8sx\n' "$kind" "$bytes" "$ours" "$theirs" "$ratio" "$target" "$ok" "$plain" "$pratio"
done <"$tmp/urls"

# The mix: weights home 30, entry 30, search 15, column 15, CSV 10. The
# pages and the CSV downloads go through two wrk processes at once, with
# the connections split by weight (wrk keeps one latency histogram per
# process), so that the pages' p99 is read apart from the downloads'.
python3 - "$tmp/urls" "$tmp" <<'PY'
import sys
rows = [l.split(None, 1) for l in open(sys.argv[1]) if l.strip()]
by = {}
for kind, path in rows:
    by.setdefault(kind, []).append(path.strip())
mixes = {"pages": [("home", by["home"], 30), ("entry", by["mix-entry"], 30), ("search", by["mix-search"], 15),
                   ("column", by["column"], 15)],
         "csv": [("csv", by["mix-csv"], 10)]}
for name, weights in mixes.items():
    with open(f"{sys.argv[2]}/mix-{name}.lua", "w") as out:
        out.write("local paths = {}\n")
        for kind, paths, w in weights:
            for i in range(w):
                out.write(f'table.insert(paths, "{paths[i % len(paths)]}")\n')
        out.write(r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
request = function() return wrk.format("GET", paths[math.random(#paths)]) end
response = function(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for s, n in pairs(t:get("statuses")) do total[s] = (total[s] or 0) + n end
  end
  local errors = 0
  for s, n in pairs(total) do
    io.write(string.format("   status %d: %d\n", s, n))
    if s >= 400 and s ~= 429 then errors = errors + n end
  end
  errors = errors + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("   req/s %.0f  p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  max %.1f ms\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("   p99_ms %.1f\n", latency:percentile(99) / 1000))
  io.write(string.format("   errors (other than 429): %d (socket: connect %d, read %d, write %d, timeout %d)\n", errors,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
end
""")
PY

csv_conns=$(( MIX_CONNS / 10 ))
[ "$csv_conns" -ge 1 ] || csv_conns=1
page_conns=$(( MIX_CONNS - csv_conns ))
echo
echo "== mix: $MIX_CONNS connections for ${MIX_SECS}s: $page_conns on pages (home 30, entry 30, search 15, column 15), $csv_conns on the CSV download, at once"
wrk -t1 -c"$csv_conns" -d"${MIX_SECS}s" --timeout 10s -s "$tmp/mix-csv.lua" "$GK" >"$tmp/mix-csv.out" &
csv_pid=$!
wrk -t1 -c"$page_conns" -d"${MIX_SECS}s" --timeout 10s -s "$tmp/mix-pages.lua" "$GK" >"$tmp/mix-pages.out"
wait "$csv_pid"
for part in pages csv; do
	echo "  $part:"
	sed -n '/status\|req\/s\|errors/p' "$tmp/mix-$part.out"
done
pages_p99=$(awk '/p99_ms/ {print $2}' "$tmp/mix-pages.out")
mix_errors=$(awk '/errors \(other than 429\)/ {n += $5} END {print n + 0}' "$tmp/mix-pages.out" "$tmp/mix-csv.out")
read -r p99ok < <(python3 -c "print('yes' if $pages_p99 < 200 else 'NO')")
echo
echo "pages' p99 under 200 ms: $p99ok ($pages_p99 ms); errors other than 429: $mix_errors"
echo "pages below target: $misses"
