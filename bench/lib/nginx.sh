# shellcheck shell=bash
# A private nginx (Debian's nginx-light) for the HTTP-ceiling baseline:
# its own prefix, config, pid and logs in a temp directory, listening on
# 127.0.0.1 only, answering every request with a static 200 "success" (the
# body the gateway gives WeChat) and discarding the request body. Sourced
# after lib/gateway.sh (for die/log). Globals: nginx_dir, nginx_pid.
#
#   start_nginx PORT WORKERS   # sets nginx_dir, nginx_pid; waits until it answers
#   stop_nginx                 # safe to call twice

nginx_dir="" nginx_pid=""

start_nginx() {
  local port="$1" workers="$2" user_line=""
  command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || die "nginx not found (deploy/setup.sh installs nginx-light)"
  local bin
  bin="$(command -v nginx || echo /usr/sbin/nginx)"
  nginx_dir="$(mktemp -d /tmp/omnigate-nginx.XXXXXX)"
  mkdir -p "$nginx_dir/logs" "$nginx_dir/tmp"
  # As root the workers would switch to "nobody"; keep them as the current user.
  (( EUID != 0 )) || user_line="user $(id -un) $(id -gn);"
  cat >"$nginx_dir/nginx.conf" <<EOF
$user_line
worker_processes $workers;
daemon off;
pid $nginx_dir/nginx.pid;
error_log $nginx_dir/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $nginx_dir/tmp/body;
  proxy_temp_path $nginx_dir/tmp/proxy;
  fastcgi_temp_path $nginx_dir/tmp/fastcgi;
  uwsgi_temp_path $nginx_dir/tmp/uwsgi;
  scgi_temp_path $nginx_dir/tmp/scgi;
  keepalive_requests 10000000;
  keepalive_timeout 60s;
  server_tokens off;
  server {
    listen 127.0.0.1:$port;
    location / {
      default_type "text/plain; charset=utf-8";
      return 200 "success";
    }
  }
}
EOF
  "$bin" -p "$nginx_dir" -c "$nginx_dir/nginx.conf" -e "$nginx_dir/logs/error.log" \
    >"$nginx_dir/logs/stdout.log" 2>&1 &
  nginx_pid=$!
  local up=""
  for _ in $(seq 1 50); do
    kill -0 "$nginx_pid" 2>/dev/null || { cat "$nginx_dir/logs/"*.log >&2; die "nginx exited during start-up"; }
    if [[ "$(curl -fsS "http://127.0.0.1:$port/" 2>/dev/null)" == success ]]; then up=1; break; fi
    sleep 0.1
  done
  [[ -n "$up" ]] || die "nginx did not answer on 127.0.0.1:$port"
}

stop_nginx() {
  [[ -n "$nginx_pid" ]] || return 0
  local pid="$nginx_pid"
  nginx_pid=""
  kill -QUIT "$pid" 2>/dev/null || true  # graceful: workers finish, master exits
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
  [[ -z "$nginx_dir" ]] || rm -rf "$nginx_dir"
  nginx_dir=""
}
