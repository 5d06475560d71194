export { createNode, type BridgeNode, type NodeOptions } from './node.ts';
export type { NodeConfig } from './config.ts';
export { defaultDelivery } from './config.ts';
