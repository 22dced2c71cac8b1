/**
 * A bounded async queue: the run pushes events, a consumer iterates them. When the
 * buffer is full, `push` waits until the consumer takes one, so a slow consumer slows
 * the run instead of making it buffer without bound (`runtime.md` §6). A consumer that
 * stops iterating (`break`) calls `onCancel`, which aborts the run.
 */
export class BoundedStream<T> implements AsyncIterable<T> {
  private readonly buffer: T[] = [];
  private readonly waitingConsumers: ((r: IteratorResult<T>) => void)[] = [];
  private readonly waitingConsumerErrors: ((e: unknown) => void)[] = [];
  private readonly waitingProducers: (() => void)[] = [];
  private closed = false;
  private error: unknown = undefined;
  private hasError = false;

  /** @param capacity events held before `push` waits (≥ 1). */
  constructor(
    private readonly capacity: number,
    private readonly onCancel: () => void = () => {},
  ) {}

  /**
   * Adds an event. When the buffer is full the call first waits for room (so any number
   * of concurrent producers never grow it past `capacity`), and the producer that fills
   * it waits until the consumer takes an event.
   */
  async push(value: T): Promise<void> {
    if (this.closed) return;
    while (this.buffer.length >= this.capacity && !this.closed) await this.waitForRoom();
    if (this.closed) return;
    const consumer = this.waitingConsumers.shift();
    if (consumer) {
      this.waitingConsumerErrors.shift();
      consumer({ value, done: false });
      return;
    }
    this.buffer.push(value);
    if (this.buffer.length >= this.capacity) await this.waitForRoom();
  }

  private waitForRoom(): Promise<void> {
    return new Promise((resolve) => this.waitingProducers.push(resolve));
  }

  /** Room appeared: every waiting producer re-checks (one check-and-add runs at a time). */
  private wakeProducers(): void {
    for (const p of this.waitingProducers.splice(0)) p();
  }

  /** Number of buffered events (never above `capacity` plus concurrent pushers). */
  get size(): number {
    return this.buffer.length;
  }

  /** Ends the stream after the buffered events. */
  close(): void {
    this.closed = true;
    this.drainWaiters();
  }

  /** Ends the stream with an error, raised after the buffered events. */
  fail(error: unknown): void {
    this.error = error;
    this.hasError = true;
    this.closed = true;
    this.drainWaiters();
  }

  private drainWaiters(): void {
    if (this.buffer.length) return;
    while (this.waitingConsumers.length) {
      const resolve = this.waitingConsumers.shift()!;
      const reject = this.waitingConsumerErrors.shift()!;
      if (this.hasError) reject(this.error);
      else resolve({ value: undefined, done: true });
    }
    this.wakeProducers();
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        if (this.buffer.length) {
          const value = this.buffer.shift()!;
          this.wakeProducers();
          return Promise.resolve({ value, done: false });
        }
        if (this.closed) return this.hasError ? Promise.reject(this.error) : Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => {
          this.waitingConsumers.push(resolve);
          this.waitingConsumerErrors.push(reject);
          this.wakeProducers();
        });
      },
      return: () => {
        if (!this.closed) {
          this.closed = true;
          this.buffer.length = 0;
          this.wakeProducers();
          this.onCancel();
        }
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
