/** Zod schemas for the code lists served at `GET /v1/code-lists`. See ../schemas.ts. */
import { z } from 'zod';

export const Labels = z.strictObject({
  en: z.string(),
  'sr-Latn': z.string(),
  'sr-Cyrl': z.string(),
  sq: z.string(),
});
export type Labels = z.infer<typeof Labels>;

export const CodeListEntry = z.strictObject({ code: z.string(), labels: Labels });
export type CodeListEntry = z.infer<typeof CodeListEntry>;

export const CodeLists = z.strictObject({
  services: z.array(CodeListEntry),
  personCategories: z.array(CodeListEntry),
  phases: z.array(CodeListEntry),
  urgencies: z.array(CodeListEntry),
  rejectionReasons: z.array(CodeListEntry),
  outcomes: z.array(CodeListEntry),
  riskThreats: z.array(CodeListEntry),
  riskLevels: z.array(CodeListEntry),
  dataCategories: z.array(CodeListEntry),
});
export type CodeLists = z.infer<typeof CodeLists>;
