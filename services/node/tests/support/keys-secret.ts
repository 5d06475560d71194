import type { KeysSecret } from '../../src/config.ts';

/** The keys secret of every data directory the tests create: never one of a real node. */
export const TEST_KEYS_SECRET: KeysSecret = { value: 'bridge test keys secret, not for any real node', source: 'BRIDGE_KEYS_SECRET' };

/** The environment a `bridge` process of the tests needs to open those directories. */
export const TEST_KEYS_ENV = { BRIDGE_KEYS_SECRET: TEST_KEYS_SECRET.value };
