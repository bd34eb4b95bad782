# The hcbench image: the CLI on PATH as `hcbench`, for sharded runs on Kubernetes (`hcbench k8s`),
# one shard per App Service instance, or any container host. docs/sharding.md shows how to use it.
#
#   docker build -t hcbench:0.1.0 .
#   docker run --rm hcbench:0.1.0 validate scenarios/quickstart.yaml
#
# Two stages: tsc needs the dev dependencies, the image does not. Base: Node 20 slim, pinned to the
# exact version the test suite runs on (bump it together with the machines' Node).

# --- build: full dependencies, compile src/ to dist/ ---------------------------------------------
FROM node:20.20.2-bookworm-slim AS build
WORKDIR /app
# stubs/ first: package.json's overrides point hyco-ws' bogus http/crypto/util/events deps there.
COPY package.json package-lock.json ./
COPY stubs ./stubs
# --ignore-scripts: `prepare` would build before src/ is copied (the build runs below).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- runtime: production dependencies and dist/ only --------------------------------------------
FROM node:20.20.2-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY stubs ./stubs
# --omit=dev: no tsc, vitest, playwright. --ignore-scripts: `prepare` (tsc) cannot run here, and no
# production dependency has an install script.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# data/: region round trips read at run time; scenarios/: the shipped scenarios and traces.
COPY data ./data
COPY scenarios ./scenarios
RUN ln -s /app/dist/cli/bin.js /usr/local/bin/hcbench
# The image's `node` user, by number: Kubernetes' runAsNonRoot can verify a numeric user only.
USER 1000:1000
# A batch command, not a service: nothing to probe between start and exit (Kubernetes Jobs and
# App Service WebJobs ignore Docker health checks anyway).
HEALTHCHECK NONE
ENTRYPOINT ["hcbench"]
CMD ["--help"]
