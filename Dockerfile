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
ENV BRIDGE_HOST=0.0.0.0
VOLUME /data
EXPOSE 4100
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:4100/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/app/services/node/docker-entrypoint.sh"]
