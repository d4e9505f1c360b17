# The server image: Node 20 on Debian bookworm (the uWS build we use has Node 20 binaries
# for glibc 2.36). Point DATABASE_URL and REDIS_URL at real servers in production;
# without them it runs on the embedded database under /data.
#
# Built in one stage (TypeScript needs the dev dependencies), run from another that has
# only the dependencies: the server runs compiled (dist/), as `npm start` runs it.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` builds the web clients, whose sources are not copied yet.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
RUN npm run build

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production DATA_DIR=/data PORT=2567
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts
# The sources stay for the CLIs (npm run verify, ledger:check), which run on tsx.
COPY . .
COPY --from=build /app/dist ./dist
# The web clients, built by Vite in the first stage (a devDependency): static files only.
COPY --from=build /app/web/dist ./web/dist
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 2567
STOPSIGNAL SIGTERM
# /healthz answers 200 while serving and 503 once draining (SIGTERM): the orchestrator stops
# sending players here before the process exits. Node's own fetch: the slim image has no curl.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 2567) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# A 64 MiB young generation: the bet path allocates per message; measured in BENCHMARKS.md.
CMD ["node", "--max-semi-space-size=64", "dist/server.js"]
