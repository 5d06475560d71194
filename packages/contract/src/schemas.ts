/**
 * Runtime validators for the Bridge contract v1 (openapi/bridge.v1.yaml): one zod schema per
 * component schema, with the same name and constraints, and the inferred type of the same name.
 * `schemas.typecheck.ts` proves at compile time that each matches the type generated from the
 * contract; the contract tests parse every example of the contract with them.
 */
export * from './schemas/referral.ts';
export * from './schemas/federation.ts';
export * from './schemas/admin.ts';
export * from './schemas/operations.ts';
export * from './schemas/code-lists.ts';
export * from './schemas/events.ts';
export * from './schemas/audit.ts';
export * from './schemas/accounts.ts';
