import { CONTRACT_VERSION, operations, type NodeMetadata } from '@bridge/contract';
import { nodeFingerprint, publicJwks } from '@bridge/crypto';
import type { NodeConfig } from '../config.ts';

/** What `/.well-known/bridge.json` says about this node. */
export function nodeMetadata(config: Pick<NodeConfig, 'nodeId' | 'name' | 'jurisdiction' | 'publicUrl'>): NodeMetadata {
  return {
    nodeId: config.nodeId,
    name: config.name,
    jurisdiction: config.jurisdiction,
    contractVersions: [CONTRACT_VERSION],
    urls: {
      api: config.publicUrl,
      messages: `${config.publicUrl}${operations.receiveMessage.path}`,
      jwks: `${config.publicUrl}${operations.getJwks.path}`,
    },
  };
}

/** This node's own fingerprint, as its operator reads it out to a peer's operator. */
export function ownFingerprint(config: Pick<NodeConfig, 'nodeId' | 'name' | 'jurisdiction' | 'publicUrl' | 'keys'>): Promise<string> {
  return nodeFingerprint(nodeMetadata(config), publicJwks(config.keys));
}
