#!/usr/bin/env bash
# The agent's remote-write sender through a real TLS front (nginx) with basic
# auth and bearer tokens, in front of VictoriaMetrics: good credentials
# deliver, a 401 is dropped and counted (not retried), an untrusted
# certificate is retried and never sent, insecure_skip_verify delivers.
#   remote_write_tls_auth_test.sh CISTERN
source "$(dirname "$0")/lib.sh"

for bin in nginx victoria-metrics openssl; do
  if ! command -v "$bin" >/dev/null && ! [ -x "/usr/sbin/$bin" ]; then
    echo "SKIP: $bin not installed (scripts/setup installs it)"; exit 0
  fi
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

VPORT=$(free_port)
NPORT=$(free_port)
APORT=$(free_port)

# A throwaway CA and a server certificate for 127.0.0.1 / localhost signed by it.
mkdir -p "$TMP/tls"
make_certs() {
  local d=$TMP/tls
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj "/CN=cistern test CA" -keyout "$d/ca.key" -out "$d/ca.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" &&
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
      -subj "/CN=localhost" -keyout "$d/server.key" -out "$d/server.csr" &&
    printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "basicConstraints=CA:FALSE" \
      "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" >"$d/server.ext" &&
    openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
      -days 2 -extfile "$d/server.ext" -out "$d/server.pem" &&
    openssl verify -CAfile "$d/ca.pem" "$d/server.pem"
} >>"$TMP/openssl.log" 2>&1
check "openssl makes a CA and a server certificate for 127.0.0.1" make_certs

# Secrets: the htpasswd file for nginx and the agent's password and token files.
printf 'agent:%s\n' "$(openssl passwd -apr1 'right-pw')" >"$TMP/htpasswd"
printf 'right-pw\n' >"$TMP/password"
printf 'wrong-pw\n' >"$TMP/wrong-password"
printf 's3cret\n' >"$TMP/token"

victoria-metrics -storageDataPath="$TMP/vm" -httpListenAddr="127.0.0.1:$VPORT" -retentionPeriod=100y \
  >>"$TMP/vm.log" 2>&1 &
VM_PID=$!; PIDS+=("$VM_PID")
check "victoria-metrics starts" wait_for "http://127.0.0.1:$VPORT/health" 60

mkdir -p "$TMP/nginx-tmp"
cat >"$TMP/nginx.conf" <<NGINX
daemon off;
master_process off;
pid $TMP/nginx.pid;
error_log $TMP/nginx-error.log info;
events { worker_connections 64; }
http {
  access_log $TMP/nginx-access.log;
  client_body_temp_path $TMP/nginx-tmp/body;
  proxy_temp_path $TMP/nginx-tmp/proxy;
  fastcgi_temp_path $TMP/nginx-tmp/fastcgi;
  uwsgi_temp_path $TMP/nginx-tmp/uwsgi;
  scgi_temp_path $TMP/nginx-tmp/scgi;
  client_max_body_size 64m;
  server {
    listen 127.0.0.1:$NPORT ssl;
    ssl_certificate $TMP/tls/server.pem;
    ssl_certificate_key $TMP/tls/server.key;
    location /basic/ {
      auth_basic "cistern";
      auth_basic_user_file $TMP/htpasswd;
      proxy_pass http://127.0.0.1:$VPORT/api/v1/write;
    }
    location /bearer/ {
      if (\$http_authorization != "Bearer s3cret") { return 401; }
      proxy_pass http://127.0.0.1:$VPORT/api/v1/write;
    }
    location = /ping { return 200 "ok\n"; }
  }
}
NGINX
# master_process off: one process, so lib.sh's kill -9 leaves no orphaned worker.
"$NGINX" -e "$TMP/nginx-error.log" -c "$TMP/nginx.conf" -p "$TMP/" >>"$TMP/nginx.log" 2>&1 &
NGINX_PID=$!; PIDS+=("$NGINX_PID")
nginx_ready() {
  local i
  for ((i = 0; i < 100; i++)); do
    curl -fsS -o /dev/null --cacert "$TMP/tls/ca.pem" "https://127.0.0.1:$NPORT/ping" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
check "nginx serves TLS with the test CA" nginx_ready
check "nginx refuses /basic/ without credentials (401)" \
  test "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$TMP/tls/ca.pem" "https://127.0.0.1:$NPORT/basic/")" = 401
check "nginx refuses /bearer/ with a wrong token (401)" \
  test "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$TMP/tls/ca.pem" -H 'Authorization: Bearer nope' \
    "https://127.0.0.1:$NPORT/bearer/")" = 401

QUEUE='queue = { batch_send_deadline = "100ms", min_backoff = "20ms", max_backoff = "500ms" }'
cat >"$TMP/agent.toml" <<TOML
[global]
data_dir = "$TMP/data"
interval = "250ms"
external_labels = { agent = "tls" }
[http]
listen = "127.0.0.1:$APORT"

[[remote_write]]
name = "good-basic"
url = "https://127.0.0.1:$NPORT/basic/"
tls = { ca_file = "$TMP/tls/ca.pem" }
basic_auth = { username = "agent", password_file = "$TMP/password" }
$QUEUE

[[remote_write]]
name = "good-bearer"
url = "https://localhost:$NPORT/bearer/"
tls = { ca_file = "$TMP/tls/ca.pem" }
bearer_token_file = "$TMP/token"
$QUEUE

[[remote_write]]
name = "bad-password"
url = "https://127.0.0.1:$NPORT/basic/"
tls = { ca_file = "$TMP/tls/ca.pem" }
basic_auth = { username = "agent", password_file = "$TMP/wrong-password" }
$QUEUE

[[remote_write]]
name = "untrusted"
url = "https://127.0.0.1:$NPORT/basic/"
basic_auth = { username = "agent", password_file = "$TMP/password" }
$QUEUE

[[remote_write]]
name = "insecure"
url = "https://127.0.0.1:$NPORT/basic/"
tls = { insecure_skip_verify = true }
basic_auth = { username = "agent", password_file = "$TMP/password" }
$QUEUE
TOML
out=$("$CISTERN" check config "$TMP/agent.toml" 2>&1)
check "check config says ok ($out)" grep -q ': ok (.*5 remote_write endpoint' <<<"$out"

"$CISTERN" --config "$TMP/agent.toml" agent 2>"$TMP/agent.log" &
AGENT=$!; PIDS+=("$AGENT")
check "agent ready" wait_for "http://127.0.0.1:$APORT/-/ready"

METRICS=""
scrape() { METRICS=$(curl -fsS "http://127.0.0.1:$APORT/metrics" 2>/dev/null); }
# metric NAME REMOTE [REASON]: the value from the last scrape as an integer, 0 if absent.
metric() {
  local sel="{remote=\"$2\"}"
  [ -n "${3:-}" ] && sel="{remote=\"$2\",reason=\"$3\"}"
  awk -v m="$1$sel" '$1 == m {v = $2} END {printf "%d\n", v + 0}' <<<"$METRICS"
}
count_samples() {
  curl -fsS "http://127.0.0.1:$VPORT/internal/force_flush" >/dev/null &&
    curl -sS "http://127.0.0.1:$VPORT/api/v1/export" --data-urlencode 'match[]={agent="tls"}' |
    python3 -c 'import json,sys; print(sum(len(json.loads(l)["values"]) for l in sys.stdin if l.strip()))'
}
all_seen() {
  [ "$(metric cistern_remote_samples_sent_total good-basic)" -gt 0 ] &&
    [ "$(metric cistern_remote_samples_sent_total good-bearer)" -gt 0 ] &&
    [ "$(metric cistern_remote_samples_sent_total insecure)" -gt 0 ] &&
    [ "$(metric cistern_remote_samples_dropped_total bad-password http_401)" -gt 0 ] &&
    [ "$(metric cistern_remote_samples_retried_total untrusted)" -gt 0 ]
}
for i in $(seq 1 100); do scrape; all_seen && break; sleep 0.2; done
samples=0
for i in $(seq 1 50); do samples=$(count_samples 2>/dev/null || echo 0); [ "${samples:-0}" -gt 0 ] && break; sleep 0.2; done
scrape

check "good-basic: samples reach VictoriaMetrics through TLS + basic auth (export: $samples)" \
  test "${samples:-0}" -gt 0
n=$(metric cistern_remote_samples_sent_total good-basic)
check "good-basic: sent_total > 0 ($n)" test "$n" -gt 0
n=$(metric cistern_remote_samples_sent_total good-bearer)
check "good-bearer: sent_total > 0 ($n)" test "$n" -gt 0
n=$(metric cistern_remote_samples_dropped_total bad-password http_401)
check "bad-password: dropped_total{reason=\"http_401\"} > 0 ($n)" test "$n" -gt 0
n=$(metric cistern_remote_samples_sent_total bad-password)
check "bad-password: nothing sent ($n)" test "$n" = 0
n=$(metric cistern_remote_samples_retried_total bad-password)
check "bad-password: a 401 is not retried (retried: $n)" test "$n" = 0
check "bad-password: the agent log names the 401" grep -q 'bad-password: .*HTTP 401' "$TMP/agent.log"
n=$(metric cistern_remote_samples_retried_total untrusted)
check "untrusted: TLS verification failure is retried ($n)" test "$n" -gt 0
n=$(metric cistern_remote_samples_sent_total untrusted)
check "untrusted: nothing sent ($n)" test "$n" = 0
check "untrusted: the agent log names the certificate problem" grep -qi 'untrusted: .*certificate' "$TMP/agent.log"
n=$(metric cistern_remote_samples_sent_total insecure)
check "insecure: insecure_skip_verify delivers ($n)" test "$n" -gt 0

kill -TERM "$AGENT"
wait_exit "$AGENT" 30
check "agent stops cleanly on SIGTERM (exit $EXIT_CODE)" test "$EXIT_CODE" = 0
# Stop the peers quietly; lib.sh's kill -9 is the fallback.
kill -TERM "$NGINX_PID" "$VM_PID" 2>/dev/null
wait_exit "$NGINX_PID" 10; wait_exit "$VM_PID" 10
if [ "$FAILED" -gt 0 ]; then
  echo "--- agent log (tail)"; tail -n 30 "$TMP/agent.log"
  echo "--- nginx error log (tail)"; tail -n 10 "$TMP/nginx-error.log" 2>/dev/null
fi
finish
