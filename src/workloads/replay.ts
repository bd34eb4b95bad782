// Driver of the replay workload: replays the conversations of a trace written by `hcbench record`
// (each on its own connection, turn by turn: replay-conversation.ts) under one of three load
// models: as recorded (each conversation starts at its recorded offset divided by `speed`, the
// trace repeating until the window ends; timed from the intended start), closed (N conversations
// back to back) or open (conversations per second). Conversations are taken in trace order,
// round-robin. Results: round trip = turn, transaction = conversation, plus `metrics.replay`.

import { basename } from 'node:path';
import { StepRecorder, type OptionalLatencyMetric } from '../metrics/recorder.js';
import { WorkloadError } from '../errors.js';
import { openTrace } from '../trace/open-trace.js';
import type { TraceConversation } from '../trace/format.js';
import { ConversationFeed } from './replay-feed.js';
import { runLoad, type Dispatch, type ExecuteResult } from './load-loop.js';
import { replayConversation, type ConversationContext } from './replay-conversation.js';
import { runAsRecorded } from './replay-as-recorded.js';
import { ReplayTally } from './replay-tally.js';
import { createRunWindow, createStopper, measuredDurationMs } from './run-window.js';
import { TcpConnector } from './tcp-connector.js';
import { describeTiming } from './timing.js';
import type { ReplayParams, Workload, WorkloadOutcome, WorkloadRunOptions } from './types.js';

const DEFAULT_TIMEOUT_MS = 5000;
/** Most conversations in flight at once, whatever the trace's peak. */
export const MAX_REPLAY_CONNECTIONS = 10_000;

/** The replay workload. */
export const replay: Workload<ReplayParams> = { kind: 'replay', run: runReplay };

async function runReplay(options: WorkloadRunOptions<ReplayParams>): Promise<WorkloadOutcome> {
  const p = options.params;
  const { clock, signal } = options;
  // Checked whole in one streamed pass; the conversations are then read again as they are replayed.
  const trace = await openTrace(p.trace);
  const isBuiltIn = p.target === 'built-in';
  if (!isBuiltIn && trace.info.payload !== 'full') {
    throw new WorkloadError(`replay: ${p.trace} was recorded with --payload sizes; target: recorded needs the bytes (record with --payload full, or use target: built-in)`);
  }
  if (trace.stats.replayable === 0) throw new WorkloadError(`replay: ${p.trace} has no conversation with a turn; nothing to replay`);
  const speed = p.speed ?? 1;
  const load = p.load ?? { model: 'as-recorded' };
  // As recorded, arrivals do not wait for responses (an open schedule): unless `connections` caps
  // them, a slower path holds more conversations at once, as it would for the real client.
  // Closed and open default to the trace's peak.
  const peak = Math.max(1, trace.info.peakConcurrency);
  const slots = Math.min(MAX_REPLAY_CONNECTIONS, p.connections === 'as-recorded' ? peak : (p.connections ?? (load.model === 'as-recorded' ? MAX_REPLAY_CONNECTIONS : peak)));
  const timeoutMs = p.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const optional: OptionalLatencyMetric[] = ['firstByte', 'close'];
  if (load.model !== 'closed') optional.push('responseTime', 'serviceTime', 'dispatchLag', 'poolWait');
  const recorder = new StepRecorder(optional);
  recorder.setIntervalListener(options.onInterval);
  recorder.setOutcomeListener(options.onOutcome);
  const tally = new ReplayTally(basename(p.trace), p.target, trace.stats.replayable);
  const feed = new ConversationFeed(trace);
  const stopper = createStopper(signal);
  const connector = new TcpConnector({
    address: options.dialAddress,
    clock,
    recorder,
    stop: stopper.signal,
    connectTimeoutMs: p.connectTimeoutMs ?? DEFAULT_TIMEOUT_MS,
    responseTimeoutMs: timeoutMs,
  });
  const ctx: ConversationContext = { connector, recorder, clock, stop: stopper.signal, isBuiltIn, speed };
  const execute = async (d: Dispatch, conversation?: TraceConversation): Promise<ExecuteResult> => {
    const c = conversation ?? (await feed.next()).conversation;
    const result = await replayConversation(ctx, c, d.phase);
    if (result.ok) {
      if (d.phase === 'measured') tally.add(result.done);
      return { ok: true, endNs: result.endNs };
    }
    // Failures after a stop (abort, hard deadline) are our own doing, not the target's.
    if (stopper.signal.aborted) recorder.add(d.phase, 'stoppedInFlight');
    else if (result.kind !== undefined) recorder.countError(d.phase, result.kind);
    return { ok: false };
  };
  try {
    const window = createRunWindow(clock, options.warmupMs, options.durationMs, options.windowStartNs);
    recorder.startIntervals(window.warmupEndNs);
    // Hard deadline: the window plus the longest conversation (as recorded, at this speed) and a timeout of grace.
    // The step watchdog is told, so a conversation recorded longer than its grace is not cut short.
    const longestMs = trace.stats.longestUs / 1000 / speed;
    const hardDeadlineMs = options.warmupMs + options.durationMs + longestMs + timeoutMs + 1000;
    stopper.armDeadline(hardDeadlineMs);
    options.extendDeadline?.(hardDeadlineMs);
    if (load.model === 'as-recorded') {
      const { firstStartUs, lastStartUs } = trace.stats;
      await runAsRecorded({ feed, firstStartUs, lastStartUs, durationUs: trace.info.durationUs, speed, slots, window, clock, stop: stopper.signal, recorder, execute });
    } else {
      await runLoad({ load, slots, window, clock, stop: stopper.signal, recorder, execute });
    }
    const isAborted = signal.aborted;
    const metrics = recorder.snapshot({ durationMs: measuredDurationMs(window, options.durationMs, isAborted, clock.nowNs()), warmupMs: options.warmupMs });
    metrics.timing =
      load.model === 'as-recorded' ? { model: 'open', latencyFrom: 'intended', coordinatedOmissionCorrection: 'none' } : describeTiming(load);
    metrics.replay = tally.snapshot();
    const padded = metrics.replay.paddedTurns;
    if (padded > 0) {
      (metrics.notes ??= []).push(`${padded} turns were shorter than the built-in target's 12-byte timed header and were padded (${metrics.replay.paddedBytes} bytes added)`);
    }
    return { metrics, isAborted };
  } finally {
    await feed.close();
    stopper.dispose();
    connector.destroyAll();
    recorder.destroy();
    tally.destroy();
  }
}
