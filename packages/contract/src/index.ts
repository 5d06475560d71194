/**
 * @bridge/contract: the Bridge contract v1. The OpenAPI document (openapi/bridge.v1.yaml) is the only
 * definition of the wire format; this package exposes its generated types, the operation table and
 * zod validators checked against those types.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { DisclosureProfiles, ProblemCode } from './schemas.ts';

export * from './schemas.ts';
export { codeLists, codeListTables, LABEL_LANGUAGES } from './code-lists.ts';
export { isStorableText, storableText, unstorableTextPath, UNSTORABLE_TEXT_MESSAGE } from './text.ts';
export type { components, paths } from './generated/openapi.ts';
/** Value: the operation table; type: openapi-typescript's operation types. */
export { operations, type OperationId } from './generated/operations.ts';

/** Major version of the contract, as listed in NodeMetadata.contractVersions. */
export const CONTRACT_VERSION = '1';

/** Absolute path of the OpenAPI document. */
export const contractDocumentPath = fileURLToPath(new URL('../../../openapi/bridge.v1.yaml', import.meta.url));

/** The OpenAPI document, parsed (a fresh object on every call). */
export function loadContractDocument(): Record<string, unknown> {
  return parse(readFileSync(contractDocumentPath, 'utf8')) as Record<string, unknown>;
}

/** Every stable problem code, in contract order. */
export const problemCodes = ProblemCode.options;

/**
 * The disclosure profiles of this contract version: the `x-bridge-disclosure-profiles` extension of the
 * OpenAPI document, checked against the DisclosureProfiles schema once, when the package loads.
 */
export const disclosureProfiles: DisclosureProfiles = DisclosureProfiles.parse(loadContractDocument()['x-bridge-disclosure-profiles']);
