# Pulsecity application image: one image for every `pulse` command (worker, ingest, api, ...).
#
#   docker build -t pulsecity .
#   docker run --rm pulsecity --help
#
# Two stages: `build` installs npm dependencies (compiling native modules if no prebuilt binary can
# be downloaded), `runtime` carries only the shared libraries those modules need at run time.

############################################################################### build
FROM node:20-bookworm-slim AS build

# Needed only when @confluentinc/kafka-javascript cannot download its prebuilt binary and builds
# librdkafka from source (and for the other native modules' fallback builds). With
# CKJS_LINKING=dynamic that build links against these system libraries (see scripts/setup.sh).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      g++ make python3 pkg-config \
      zlib1g-dev libssl-dev libzstd-dev libsasl2-dev liblz4-dev libcurl4-openssl-dev \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Only the manifests, so this layer is rebuilt only when dependencies change.
COPY package.json package-lock.json ./
# CKJS_LINKING=dynamic only affects the fallback source build of librdkafka; a machine with
# internet access still gets the prebuilt binary. Dev dependencies (tsc, eslint, vitest, ...) are
# not needed to run: tsx (a runtime dependency) loads the TypeScript sources directly.
# npm_config_nodedir points node-gyp at the Node headers already in the image (/usr/local/include/node)
# instead of downloading them (rocksdb, for one, has no linux-arm64 prebuild and compiles there).
RUN CKJS_LINKING=dynamic npm_config_nodedir=/usr/local npm ci --omit=dev --no-audit --no-fund

############################################################################### runtime
FROM node:20-bookworm-slim AS runtime

# Shared libraries a dynamically linked librdkafka needs (harmless with the prebuilt binary), and CA
# certificates for librdkafka's TLS connections to brokers.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libssl3 zlib1g libzstd1 libsasl2-2 liblz4-1 libcurl4 ca-certificates \
 && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production \
    PULSE_STATE_DIR=/var/lib/pulse/state

WORKDIR /app

# Application files stay owned by root (read-only for the `node` user); only the state directory
# is writable.
COPY --from=build /app/node_modules ./node_modules
COPY . .

RUN mkdir -p /var/lib/pulse/state \
 && chown node:node /var/lib/pulse/state

USER node

# Local state stores (RocksDB/LevelDB) live here; mount a volume to keep them across restarts.
VOLUME ["/var/lib/pulse/state"]

# 8080 api, 8081 ingest, 9464 metrics and health (/readyz).
EXPOSE 8080 8081 9464

ENTRYPOINT ["node", "/app/cli/bin/pulse.js"]
CMD ["--help"]
