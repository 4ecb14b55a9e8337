#!/bin/sh
# One-time (and idempotent) setup: native build prerequisites and `npm ci`.
#
# `@confluentinc/kafka-javascript` first tries to download a prebuilt librdkafka binary. Where that
# is impossible (no internet beyond the package registries) it builds librdkafka from source, which
# only works when linked dynamically against the system's zlib, OpenSSL, zstd, lz4, SASL and curl.
# So we always set CKJS_LINKING=dynamic (it only affects the fallback build) and, when the headers
# are missing and we may install Debian packages, install them first. A machine with internet still
# gets the prebuilt binary.
set -eu
cd "$(dirname "$0")/.."

stamp=node_modules/.pulse-setup-stamp
lock_sum=$(sha256sum package-lock.json 2>/dev/null | cut -d' ' -f1 || true)
if [ -n "$lock_sum" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_sum" ] \
  && [ -f node_modules/@confluentinc/kafka-javascript/build/Release/confluent-kafka-javascript.node ]; then
  exit 0
fi

need_pkgs=""
if command -v dpkg-query >/dev/null 2>&1; then
  for p in zlib1g-dev libssl-dev libzstd-dev libsasl2-dev liblz4-dev libcurl4-openssl-dev pkg-config g++ make python3; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need_pkgs="$need_pkgs $p"
  done
fi
if [ -n "$need_pkgs" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing build prerequisites for librdkafka:$need_pkgs"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need_pkgs >/dev/null
  else
    echo "setup: warning: missing Debian packages:$need_pkgs (needed only if the prebuilt Kafka client binary cannot be downloaded; run as root or install them)" >&2
  fi
fi

export CKJS_LINKING=dynamic
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then
  export npm_config_nodedir=/usr
fi

echo "setup: installing npm dependencies (first run builds native modules; this can take a few minutes)"
if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund
else
  npm install --no-audit --no-fund
fi
sha256sum package-lock.json | cut -d' ' -f1 > "$stamp"
