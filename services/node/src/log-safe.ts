/**
 * What may be logged about an unexpected error: its class, codes and stack frames. Never the
 * message: driver and ORM messages quote queries and parameters, i.e. personal data.
 */
export function errorSummary(err: unknown): Record<string, string | undefined> {
  const e = err as { name?: string; code?: unknown; stack?: string; cause?: { name?: string; code?: unknown; routine?: unknown; constraint?: unknown } };
  const frames = (e?.stack ?? '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 8)
    .join('\n');
  return {
    errName: e?.name,
    errCode: typeof e?.code === 'string' ? e.code : undefined,
    causeName: e?.cause?.name,
    // SQLSTATE, the server routine and the constraint name say what failed without quoting data.
    causeCode: typeof e?.cause?.code === 'string' ? e.cause.code : undefined,
    causeRoutine: typeof e?.cause?.routine === 'string' ? e.cause.routine : undefined,
    causeConstraint: typeof e?.cause?.constraint === 'string' ? e.cause.constraint : undefined,
    frames,
  };
}
