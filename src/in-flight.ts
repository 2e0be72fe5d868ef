/**
 * Work under way that a graceful shutdown lets finish before it closes what that work depends on:
 * a registration whose client went away is still a saga half-way through its steps.
 */
export class InFlight {
  private readonly running = new Set<Promise<unknown>>();

  get size(): number {
    return this.running.size;
  }

  track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    const done = () => this.running.delete(work);
    work.then(done, done);
    return work;
  }

  /** Resolves true once nothing is running, or false after `timeoutMs` with work still running. */
  async settled(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      while (this.running.size > 0) {
        const drained = await Promise.race([Promise.allSettled([...this.running]).then(() => true as const), timedOut]);
        if (!drained) return false;
      }
      return true;
    } finally {
      clearTimeout(timer);
    }
  }
}
