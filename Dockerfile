# syntax=docker/dockerfile:1
# The image of the controller and the webhook (one image, two programs):
#   docker build -t kubevirt-migration:0.1.0 .
# The chart runs `/app/controller/main.js` or `/app/webhook/main.js` with the image's Node, and
# `/app/webhook/check.js` for `helm test`.
# deploy/src/image.cluster.spec.ts runs the same /app folder read-only, as a non-root user, and
# checks that both programs serve (no Docker engine is needed for that test).

# The runtime image. Release builds pin its digest (this machine cannot reach the registry to read it):
#   --build-arg RUNTIME=gcr.io/distroless/nodejs24-debian12:nonroot@sha256:<digest>
ARG RUNTIME=gcr.io/distroless/nodejs24-debian12:nonroot

# Build on Node 24 (the version the project pins in package.json).
FROM docker.io/library/node:24.21.0-bookworm-slim AS build
WORKDIR /src
COPY . .
# the lock file decides every version; no install script of a dependency runs
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && node tools/bundle.mjs controller webhook \
 && node tools/runtime-folder.mjs /out/app

# Run on distroless Node 24 as the nonroot user (65532): no shell, no package manager.
FROM ${RUNTIME}
COPY --from=build --chown=0:0 --chmod=0555 /out/app /app
USER 65532:65532
WORKDIR /app
# SIGTERM reaches Node directly (no shell in between); both programs stop gracefully on it
ENTRYPOINT ["/nodejs/bin/node"]
CMD ["/app/webhook/main.js", "--help"]
