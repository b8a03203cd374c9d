# riskdesk's image: built in one stage, run from another that holds the binary and
# the shared libraries it links (scripts/deps.sh --runtime) and nothing else, as
# a user without privileges. docs/deployment.md; tests/integration/test_deploy.sh
# checks this file against the build's output and the binary's libraries.
#
#   docker build -t riskdesk:1 .
#   docker run --rm riskdesk:1 riskdesk --version

# ---- build: the compiler and the -dev packages (scripts/deps.sh) ----
FROM debian:bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      cmake make gcc pkg-config libsqlite3-dev libjansson-dev libcmocka-dev \
      libcurl4-openssl-dev libssl-dev libmicrohttpd-dev libpq-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY include/ include/
COPY src/ src/
COPY scripts/ scripts/
COPY web/ web/
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DRD_WERROR=ON \
 && cmake --build build --target riskdesk-bin -j "$(nproc)" \
 && strip build/riskdesk \
 && ./build/riskdesk --version

# ---- runtime: the binary and its libraries ----
FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libsqlite3-0 libjansson4 libcurl4 libssl3 libmicrohttpd12 libpq5 ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 riskdesk \
 && useradd --system --uid 10001 --gid riskdesk --home-dir /var/lib/riskdesk \
      --shell /usr/sbin/nologin riskdesk \
 && install -d -o riskdesk -g riskdesk -m 0750 /var/lib/riskdesk /etc/riskdesk
COPY --from=build /src/build/riskdesk /usr/local/bin/riskdesk
USER 10001:10001
WORKDIR /var/lib/riskdesk
EXPOSE 8080
STOPSIGNAL SIGTERM
CMD ["riskdesk", "help"]
