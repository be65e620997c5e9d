# Sourced by the benchmarks (tools/bench.sh, tools/bench-cli.sh), whose HTTP baseline is nginx
# on loopback.
#
# write_nginx_conf DIR PORT LINES: writes DIR/nginx.conf for nginx in the foreground with 2
# workers, its logs and temporary files under DIR, and one server on 127.0.0.1:PORT whose body
# is LINES.
write_nginx_conf() {
  local ng=$1 port=$2 lines=$3
  mkdir -p "$ng/tmp"
  cat >"$ng/nginx.conf" <<CONF
daemon off;
worker_processes 2;
pid $ng/nginx.pid;
error_log $ng/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $ng/tmp/body;
  proxy_temp_path $ng/tmp/proxy;
  fastcgi_temp_path $ng/tmp/fastcgi;
  uwsgi_temp_path $ng/tmp/uwsgi;
  scgi_temp_path $ng/tmp/scgi;
  server {
    listen 127.0.0.1:$port;
$lines
  }
}
CONF
}
