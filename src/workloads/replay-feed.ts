// Hands a replay its conversations one at a time, in the trace's start order, cycling through the
// trace as long as asked: the file is read as it goes (a version 2 trace is streamed), so a trace
// of any length replays with the memory of a few lines. Conversations without turns are skipped.

import { WorkloadError } from '../errors.js';
import type { TraceConversation } from '../trace/format.js';
import type { TraceSource } from '../trace/open-trace.js';

/** One conversation, and which pass over the trace it came from (0 for the first). */
export interface FedConversation {
  conversation: TraceConversation;
  cycle: number;
}

/** A cycling, file-backed queue of a trace's replayable conversations (one reader, calls served in order). */
export class ConversationFeed {
  private iterator: AsyncGenerator<TraceConversation> | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private cycle = 0;

  constructor(private readonly source: TraceSource) {}

  /** The next conversation with a turn (calls are served in order). */
  next(): Promise<FedConversation> {
    const pulled = this.chain.then(() => this.pull());
    this.chain = pulled.catch(() => undefined);
    return pulled;
  }

  /** Stops reading the file. */
  async close(): Promise<void> {
    await this.chain;
    await this.iterator?.return(undefined);
    this.iterator = undefined;
  }

  private async pull(): Promise<FedConversation> {
    // Two tries: the rest of this pass, then one whole pass from the start.
    for (let attempt = 0; attempt < 2; attempt++) {
      this.iterator ??= this.source.conversations();
      for (;;) {
        const step = await this.iterator.next();
        if (step.done === true) break;
        if (step.value.turns.length > 0) return { conversation: step.value, cycle: this.cycle };
      }
      this.iterator = undefined;
      this.cycle += 1;
    }
    throw new WorkloadError(`replay: ${this.source.file} has no conversation with a turn; nothing to replay`);
  }
}
