import { defaultAudit } from '../config.ts';
import type { NodeContext } from '../context.ts';
import { errorSummary } from '../log-safe.ts';
import { syncLog } from './sequencer.ts';
import { witnessRound } from './witness.ts';

/** Runs the sequencer and cross-witnessing periodically; each run is skipped while the previous one is busy. */
export class AuditService {
  private timers: NodeJS.Timeout[] = [];
  private running = new Set<Promise<unknown>>();

  constructor(private readonly ctx: NodeContext) {}

  start(): void {
    const config = this.ctx.config.audit ?? defaultAudit;
    this.every(config.sequenceIntervalMs, 'sequence', () => syncLog(this.ctx));
    if (config.witnessIntervalMs > 0) this.every(config.witnessIntervalMs, 'witness', () => witnessRound(this.ctx));
  }

  private every(ms: number, name: string, run: () => Promise<unknown>): void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      const p = run()
        .catch((err: unknown) => this.ctx.logger.error({ task: name, ...errorSummary(err) }, 'audit task failed'))
        .finally(() => {
          busy = false;
          this.running.delete(p);
        });
      this.running.add(p);
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await Promise.allSettled([...this.running]);
  }
}
