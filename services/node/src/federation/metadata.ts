import { CONTRACT_VERSION, operations, type NodeMetadata } from '@bridge/contract';
import { certificateSha256, nodeFingerprint, publicJwks } from '@bridge/crypto';
import type { NodeConfig } from '../config.ts';

/** What `/.well-known/bridge.json` says about this node. */
export function nodeMetadata(config: Pick<NodeConfig, 'nodeId' | 'name' | 'jurisdiction' | 'publicUrl' | 'tls' | 'federationPlainHttp'>): NodeMetadata {
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

/** SHA-256 of each certificate the federation listener may present: none when it speaks plain HTTP. */
export function tlsCertificates(config: Pick<NodeConfig, 'tls' | 'federationPlainHttp'>): string[] {
  if (config.federationPlainHttp || !config.tls) return [];
  return config.tls.map((c) => certificateSha256(c.certificate));
}

/** This node's own fingerprint, as its operator reads it out to a peer's operator. */
export function ownFingerprint(config: Pick<NodeConfig, 'nodeId' | 'name' | 'jurisdiction' | 'publicUrl' | 'keys' | 'tls' | 'federationPlainHttp'>): Promise<string> {
  return nodeFingerprint(nodeMetadata(config), publicJwks(config.keys));
}
