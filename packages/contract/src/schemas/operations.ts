import { z } from 'zod';

/** An OpenAPI 3.1 document: only the members every document has are checked; the rest pass through. */
export const OpenApiDocument = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});
export type OpenApiDocument = z.infer<typeof OpenApiDocument>;

/** A self-contained HTML page. */
export const ApiDocsHtml = z.string();
export type ApiDocsHtml = z.infer<typeof ApiDocsHtml>;
