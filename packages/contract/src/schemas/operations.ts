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

/** The console's single HTML page. */
export const ConsoleHtml = z.string();
export type ConsoleHtml = z.infer<typeof ConsoleHtml>;

/** A file of the console build. */
export const ConsoleAsset = z.string();
export type ConsoleAsset = z.infer<typeof ConsoleAsset>;

/** A page of the console (`/console/{page}`): lowercase words joined by hyphens, or empty for the start page. */
export const ConsolePageParams = z.strictObject({ page: z.string().regex(/^([a-z][a-z0-9-]{0,63})?$/) });
export type ConsolePageParams = z.infer<typeof ConsolePageParams>;

/** A file of the console build (`/console/assets/{asset}`): a plain file name, never a path. */
export const ConsoleAssetParams = z.strictObject({ asset: z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.(js|css|svg|png|woff2)$/) });
export type ConsoleAssetParams = z.infer<typeof ConsoleAssetParams>;

/** Metrics in the Prometheus text exposition format, version 0.0.4. */
export const MetricsText = z.string();
export type MetricsText = z.infer<typeof MetricsText>;
