/**
 * Coalesces the messages of one turn into one post. Posting across tabs or to a worker costs a
 * structured clone and a task on the other side per message, so a burst of sends (or of a
 * lease's inbound messages and acknowledgements) goes as one envelope at the end of the turn.
 * Any other message flushes what waits first, so the order between them holds.
 */
export class Batcher<M> {
  #queue: M[] = []

  constructor(
    readonly out: { post(message: M): void },
    /** Whether `message` may wait for the end of the turn (the others go at once, after what waits). */
    readonly batchable: (message: M) => boolean,
    /** The envelope of several messages. */
    readonly envelope: (messages: M[]) => M,
  ) {}

  post(message: M): void {
    if (this.batchable(message)) {
      if (this.#queue.push(message) === 1) queueMicrotask(() => this.flush())
      return
    }
    this.flush()
    this.out.post(message)
  }

  flush(): void {
    const queue = this.#queue
    if (queue.length === 0) return
    this.#queue = []
    this.out.post(queue.length === 1 ? queue[0] : this.envelope(queue))
  }
}
