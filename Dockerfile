# syntax=docker/dockerfile:1
# One image for every agentq process; docker-compose.yml picks the command
# (npm run migrate | start:api | start:worker). Configuration comes from the environment only.

ARG NODE_IMAGE=node:24-bookworm-slim

# --- deps: every dependency, for the build -------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV SCARF_ANALYTICS=false NPM_CONFIG_UPDATE_NOTIFIER=false
COPY package.json package-lock.json ./
# No install scripts: none is needed to compile, and the image never runs embedded PostgreSQL.
RUN npm ci --ignore-scripts --no-audit --no-fund

# --- build: TypeScript to dist/ -----------------------------------------------------------
FROM deps AS build
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
COPY migrations ./migrations
RUN npm run build

# --- prod-deps: production dependencies only ---------------------------------------------
# --omit=optional leaves out the embedded PostgreSQL binaries (used by `npm start` alone)
# and native accelerators that have pure JavaScript fallbacks.
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
ENV SCARF_ANALYTICS=false NPM_CONFIG_UPDATE_NOTIFIER=false
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund \
  && npm cache clean --force

# --- runtime ------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
# npm runs scripts through `sh -c`; Debian's dash stays between npm and node, so the SIGTERM
# npm forwards on `docker stop` would never reach node. bash execs the command instead, and a
# stopping worker gets to drain its jobs.
ENV NODE_ENV=production \
    LOG_FORMAT=json \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    npm_config_script_shell=/bin/bash
# Code and dependencies stay owned by root: the app cannot rewrite them.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
EXPOSE 3000
CMD ["npm", "run", "start:api"]
