import { CONTRACT_VERSION, operations, type NodeMetadata } from '@bridge/contract';
import { certificateSha256, nodeFingerprint, publicJwks } from '@bridge/crypto';
import type { NodeConfig } from '../config.ts';

/** What `/.well-known/bridge.json` says about this node. */
export function nodeMetadata(config: Pick<NodeConfig, 'nodeId' | 'name' | 'jurisdiction' | 'publicUrl' | 'tls'>): NodeMetadata {
  const certificates = tlsCertificates(config);
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
    ...(certificates.length ? { tlsCertificates: certificates } : {}),
  };
}

/**
 * SHA-256 of each certificate the federation listener may present. Published even while plain
 * HTTP is enabled, so the fingerprint `bridge init` printed stays the node's fingerprint.
 */
export function tlsCertificates(config: Pick<NodeConfig, 'tls'>): string[] {
  return (config.tls ?? []).map((c) => certificateSha256(c.certificate));
}

/** This node's own fingerprint, as its operator reads it out to a peer's operator. */
export function ownFingerprint(config: Pick<NodeConfig, 'nodeId' | 'name' | 'jurisdiction' | 'publicUrl' | 'keys' | 'tls'>): Promise<string> {
  return nodeFingerprint(nodeMetadata(config), publicJwks(config.keys));
}
