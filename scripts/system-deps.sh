#!/usr/bin/env bash
# Installs the Debian packages the test suite and the benchmarks need (chromium, postgresql,
# redis-server, wrk, nginx) when they are missing.
# As root it uses apt-get; otherwise it says what to install and stops.
set -euo pipefail
missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
# wrk: the serving benchmark's requests per second (bench/serving.py; skipped without it).
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
# nginx: the scale-out benchmark puts two processes behind it (bench/scale_out.py).
[[ -x /usr/sbin/nginx ]] || missing+=(nginx)
((${#missing[@]})) || exit 0
if [[ $(id -u) -eq 0 ]]; then
  echo "Installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The Debian postgresql package starts a cluster of its own; the tests start their own server.
  if command -v pg_ctlcluster >/dev/null 2>&1; then service postgresql stop >/dev/null 2>&1 || true; fi
  # Likewise nginx: the benchmark starts its own on a loopback port.
  if [[ -x /usr/sbin/nginx ]]; then service nginx stop >/dev/null 2>&1 || true; fi
else
  echo "The test suite needs these Debian packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
