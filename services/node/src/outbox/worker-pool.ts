/**
 * Up to `concurrency` workers running `step` until it finds nothing to do; a wake-up while every
 * worker is busy makes the next one to run dry look once more. Polling covers lost wake-ups.
 */
export class WorkerPool {
  private timer: NodeJS.Timeout | undefined;
  private active = 0;
  private again = false;
  private idleWaiters: Array<() => void> = [];
  private stopped = false;

  constructor(
    private readonly options: { concurrency: number; pollIntervalMs: number },
    /** Does one unit of work; false when there was nothing to do. */
    private readonly step: () => Promise<boolean>,
    private readonly onError: (err: unknown) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.wake(), this.options.pollIntervalMs);
    this.timer.unref();
    this.wake();
  }

  wake(): void {
    if (this.stopped) return;
    if (this.active < this.options.concurrency) this.spawn();
    else this.again = true;
  }

  /** Runs every worker until nothing is due; tests use it to drain. */
  async processAll(): Promise<void> {
    while (this.active < this.options.concurrency && !this.stopped) this.spawn();
    await this.idle();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.idle();
  }

  private idle(): Promise<void> {
    return this.active === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private spawn(): void {
    this.active++;
    void this.run()
      .catch(this.onError)
      .finally(() => {
        this.active--;
        if (this.active === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
      });
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (await this.step()) continue;
      if (!this.again) return;
      this.again = false;
    }
  }
}
