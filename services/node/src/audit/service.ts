import { defaultAudit } from '../config.ts';
import type { NodeContext } from '../context.ts';
import { errorSummary } from '../log-safe.ts';
import { sequenceAll, syncLog } from './sequencer.ts';
import { witnessRound } from './witness.ts';

const SEQUENCE_STEPS = 10;
const SEQUENCE_STEP_MIN_MS = 100;

/** Runs the sequencer, checkpoints and cross-witnessing periodically; each run is skipped while the previous one is busy. */
export class AuditService {
  private timers: NodeJS.Timeout[] = [];
  private running = new Set<Promise<unknown>>();

  constructor(private readonly ctx: NodeContext) {}

  start(): void {
    const config = this.ctx.config.audit ?? defaultAudit;
    // Sequenced in small steps, checkpointed at the interval: hashing and storing a whole
    // interval's events at once (4 000 leaves per 5 s at 200 referrals/s) stalled every request
    // and delivery behind it, the p99 spikes of the delivery bench every 5 s.
    this.every(Math.max(SEQUENCE_STEP_MIN_MS, Math.floor(config.sequenceIntervalMs / SEQUENCE_STEPS)), 'sequence', () => sequenceAll(this.ctx.db));
    this.every(config.sequenceIntervalMs, 'checkpoint', () => syncLog(this.ctx));
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
