import { z } from 'zod';

/** Any further members, kept as they are (an intersection, to match the generated type exactly). */
const anyMembers = z.record(z.string(), z.unknown());

/** An OpenAPI 3.1 document: only the members every document has are checked; the rest pass through. */
export const OpenApiDocument = z
  .object({
    openapi: z.string(),
    info: z.object({ title: z.string(), version: z.string() }).and(anyMembers),
    paths: anyMembers,
  })
  .and(anyMembers);
export type OpenApiDocument = z.infer<typeof OpenApiDocument>;

/** A self-contained HTML page. */
export const ApiDocsHtml = z.string();
export type ApiDocsHtml = z.infer<typeof ApiDocsHtml>;

/** Metrics in the Prometheus text exposition format, version 0.0.4. */
export const MetricsText = z.string();
export type MetricsText = z.infer<typeof MetricsText>;
