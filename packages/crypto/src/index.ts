export * from './errors.ts';
export * from './digest.ts';
export * from './keys.ts';
export * from './message.ts';
export * from './receipt.ts';
export * from './tokens.ts';
export * from './pseudonym.ts';
export * from './merkle.ts';
