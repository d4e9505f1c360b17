# The server image: Node 20 on Debian bookworm (the uWS build we use has Node 20 binaries
# for glibc 2.36). Point DATABASE_URL and REDIS_URL at real servers in production;
# without them it runs on the embedded database under /data.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production DATA_DIR=/data PORT=2567
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 2567
STOPSIGNAL SIGTERM
# A 64 MiB young generation: the bet path allocates per message; measured in BENCHMARKS.md.
CMD ["node", "--max-semi-space-size=64", "--import", "tsx", "server.ts"]
