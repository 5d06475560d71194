# One Bridge node. Node 24 LTS; the data directory (keys, config) lives in the /data volume.
FROM node:24-bookworm-slim

RUN npm install -g pnpm@10.34.9
WORKDIR /app
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml tsconfig.base.json .npmrc ./
COPY packages/contract/package.json packages/contract/
COPY packages/crypto/package.json packages/crypto/
COPY packages/client/package.json packages/client/
COPY services/node/package.json services/node/
# The console is built by its postinstall script, so its sources come before the install.
COPY apps/console apps/console
RUN pnpm install --frozen-lockfile --prod
COPY openapi openapi
COPY migrations migrations
COPY packages packages
COPY services services
RUN mkdir /data && chown node:node /data

USER node
# Peers reach the federation listener (4100), the only one published. The private listener (4200:
# integration and admin API, /metrics, /readyz) stays on the container's loopback unless
# BRIDGE_PRIVATE_HOST says otherwise; the health check runs inside the container, so it reaches it.
ENV BRIDGE_FEDERATION_HOST=0.0.0.0 BRIDGE_FEDERATION_PORT=4100 BRIDGE_PRIVATE_HOST=127.0.0.1 BRIDGE_PRIVATE_PORT=4200
VOLUME /data
EXPOSE 4100
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:4200/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/app/services/node/docker-entrypoint.sh"]
