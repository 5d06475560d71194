#!/bin/sh
# Initialise the node's data directory on first start (keys never leave the volume), then serve.
set -eu
if [ ! -f /data/config.json ]; then
  node /app/services/node/bin/bridge.mjs init --data-dir /data \
    --node-id "${BRIDGE_NODE_ID:?set BRIDGE_NODE_ID}" \
    --public-url "${BRIDGE_PUBLIC_URL:?set BRIDGE_PUBLIC_URL}" \
    --name "${BRIDGE_NODE_NAME:-$BRIDGE_NODE_ID}" \
    --jurisdiction "${BRIDGE_JURISDICTION:-unspecified}"
fi
if [ "$#" -gt 0 ]; then exec node /app/services/node/bin/bridge.mjs "$@"; fi
# Listeners from BRIDGE_FEDERATION_* and BRIDGE_PRIVATE_* (see the Dockerfile).
exec node /app/services/node/bin/bridge.mjs serve --data-dir /data
