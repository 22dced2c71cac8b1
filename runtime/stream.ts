/**
 * A bounded async queue: the run pushes events, a consumer iterates them. When the
 * buffer is full, `push` waits until the consumer takes one, so a slow consumer slows
 * the run instead of making it buffer without bound (`runtime.md` §6). A consumer that
 * stops iterating (`break`) calls `onCancel`, which aborts the run.
 *
 * Producers wait in two FIFO queues: those waiting for room to add, and those that
 * filled the buffer and wait for the consumer to take something. A take releases every
 * filler and one producer waiting for room (never all of them: a wide fan-out has
 * thousands of producers, and waking all of them per event would cost O(producers)).
 */
const DONE: Promise<void> = Promise.resolve();

export class BoundedStream<T> implements AsyncIterable<T> {
  private readonly buffer: T[] = [];
  /** Index of the next item to take in `buffer` (a head pointer instead of `shift()`). */
  private head = 0;
  private readonly waitingConsumers: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void }[] = [];
  private readonly roomWaiters: (() => void)[] = [];
  private readonly drainWaiters: (() => void)[] = [];
  private closed = false;
  private error: unknown = undefined;
  private hasError = false;

  /** @param capacity events held before `push` waits (≥ 1). */
  constructor(
    private readonly capacity: number,
    private readonly onCancel: () => void = () => {},
  ) {}

  /** Number of buffered events (never above `capacity`). */
  get size(): number {
    return this.buffer.length - this.head;
  }

  /**
   * Adds an event. When the buffer is full the call first waits for room (so any number
   * of concurrent producers never grow it past `capacity`), and the producer that fills
   * it waits until the consumer takes an event.
   */
  push(value: T): Promise<void> {
    // The common case settles at once without an async frame (one per event adds up: every
    // superstep emits): nothing to wait for, the event is handed over or buffered.
    if (this.closed) return DONE;
    if (this.size >= this.capacity) return this.pushWaiting(value);
    this.add(value);
    return this.size >= this.capacity ? new Promise<void>((resolve) => this.drainWaiters.push(resolve)) : DONE;
  }

  /** `push` when the buffer is full: waits for room first. */
  private async pushWaiting(value: T): Promise<void> {
    while (this.size >= this.capacity && !this.closed) await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    if (this.closed) return;
    this.add(value);
    if (this.size >= this.capacity) await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
  }

  /** Hands `value` to a waiting consumer, or buffers it. */
  private add(value: T): void {
    const consumer = this.waitingConsumers.shift();
    if (consumer) consumer.resolve({ value, done: false });
    else this.buffer.push(value);
  }

  /** The consumer took an event (or is waiting for one): release fillers and one producer waiting for room. */
  private tookOne(): void {
    if (this.drainWaiters.length) for (const d of this.drainWaiters.splice(0)) d();
    this.roomWaiters.shift()?.();
  }

  private take(): T {
    const value = this.buffer[this.head];
    this.buffer[this.head] = undefined as T;
    this.head++;
    if (this.head === this.buffer.length) {
      this.buffer.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.buffer.length) {
      this.buffer.splice(0, this.head);
      this.head = 0;
    }
    return value;
  }

  /** Ends the stream after the buffered events. */
  close(): void {
    this.closed = true;
    this.releaseAll();
  }

  /** Ends the stream with an error, raised after the buffered events. */
  fail(error: unknown): void {
    this.error = error;
    this.hasError = true;
    this.closed = true;
    this.releaseAll();
  }

  /** Once closed: ends waiting consumers (when nothing is buffered) and releases every producer. */
  private releaseAll(): void {
    if (this.size === 0) {
      for (const c of this.waitingConsumers.splice(0)) {
        if (this.hasError) c.reject(this.error);
        else c.resolve({ value: undefined, done: true });
      }
    }
    for (const w of this.roomWaiters.splice(0)) w();
    for (const d of this.drainWaiters.splice(0)) d();
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        if (this.size) {
          const value = this.take();
          this.tookOne();
          return Promise.resolve({ value, done: false });
        }
        if (this.closed) return this.hasError ? Promise.reject(this.error) : Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => {
          this.waitingConsumers.push({ resolve, reject });
          this.tookOne();
        });
      },
      return: () => {
        if (!this.closed) {
          this.closed = true;
          this.buffer.length = 0;
          this.head = 0;
          this.releaseAll();
          this.onCancel();
        }
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
