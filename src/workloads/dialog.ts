// Driver of the dialog workload: a scripted exchange (send / expect steps) for real protocols
// such as Redis, SMTP or a legacy line protocol, over persistent or per-transaction connections,
// under the closed or open load model. Each expect closes a round trip timed from the latest
// send; the whole script is one transaction. Failures are counted by kind, never thrown.

import { StepRecorder, type OptionalLatencyMetric, type Phase } from '../metrics/recorder.js';
import { WorkloadError } from '../errors.js';
import { compileSteps, type CompiledStep } from './dialog-script.js';
import { DialogReader } from './dialog-reader.js';
import { runLoad, type Dispatch, type ExecuteResult } from './load-loop.js';
import { createRunWindow, createStopper, measuredDurationMs } from './run-window.js';
import { TcpConnector, type TcpConnection } from './tcp-connector.js';
import { describeTiming } from './timing.js';
import type { Clock, DialogParams, Workload, WorkloadOutcome, WorkloadRunOptions } from './types.js';

const DEFAULT_TIMEOUT_MS = 5000;

/** The dialog workload. */
export const dialog: Workload<DialogParams> = { kind: 'dialog', run: runDialog };

interface Session {
  connection: TcpConnection;
  reader: DialogReader;
}

async function runDialog(options: WorkloadRunOptions<DialogParams>): Promise<WorkloadOutcome> {
  const p = options.params;
  const { clock, signal } = options;
  const { steps, setup } = compile(p);
  const load = p.load ?? { model: 'closed' };
  const isPersistent = (p.connectionMode ?? 'persistent') === 'persistent';
  const timeoutMs = p.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const optional: OptionalLatencyMetric[] = ['firstByte'];
  if (load.model === 'open') optional.push('responseTime', 'serviceTime', 'dispatchLag', 'poolWait');
  const recorder = new StepRecorder(optional);
  recorder.setIntervalListener(options.onInterval);
  recorder.setOutcomeListener(options.onOutcome);
  const stopper = createStopper(signal);
  const connector = new TcpConnector({
    address: options.dialAddress,
    clock,
    recorder,
    stop: stopper.signal,
    connectTimeoutMs: p.connectTimeoutMs ?? DEFAULT_TIMEOUT_MS,
    responseTimeoutMs: timeoutMs,
    retry: p.retry,
  });
  const sessions: (Session | undefined)[] = [];
  const ctx: ScriptContext = { clock, recorder, timeoutMs, stop: stopper.signal };

  const openSession = async (phase: Phase): Promise<Session | undefined> => {
    const connection = await connector.open(phase);
    if (connection === undefined) return undefined;
    connection.reader.dispose();
    const session = { connection, reader: new DialogReader(connection.socket, clock) };
    if (!(await runScript(ctx, session, setup, phase, false)).ok) {
      connector.destroy(connection);
      return undefined;
    }
    return session;
  };

  try {
    if (isPersistent) sessions.push(...(await Promise.all(Array.from({ length: p.connections }, () => openSession('measured')))));
    const window = createRunWindow(clock, options.warmupMs, options.durationMs, options.windowStartNs);
    recorder.startIntervals(window.warmupEndNs);
    const expects = steps.filter((s) => 'expect' in s).length;
    stopper.armDeadline(options.warmupMs + options.durationMs + timeoutMs * Math.max(1, expects) + 1000);
    const execute = async (d: Dispatch): Promise<ExecuteResult> => {
      let session = sessions[d.slot];
      if (session === undefined) {
        session = await openSession(d.phase);
        if (session === undefined) return { ok: false };
        sessions[d.slot] = session;
      }
      const result = await runScript(ctx, session, steps, d.phase, true);
      if (!result.ok || !isPersistent) sessions[d.slot] = undefined;
      if (!result.ok) {
        connector.destroy(session.connection);
        return { ok: false };
      }
      if (!isPersistent) await connector.close(session.connection, d.phase);
      return result;
    };
    await runLoad({ load, slots: p.connections, window, clock, stop: stopper.signal, recorder, execute });
    const isAborted = signal.aborted;
    const metrics = recorder.snapshot({ durationMs: measuredDurationMs(window, options.durationMs, isAborted, clock.nowNs()), warmupMs: options.warmupMs });
    metrics.timing = describeTiming(load);
    return { metrics, isAborted };
  } finally {
    stopper.dispose();
    connector.destroyAll();
    recorder.destroy();
  }
}

interface ScriptContext {
  clock: Clock;
  recorder: StepRecorder;
  timeoutMs: number;
  stop: AbortSignal;
}

/** Runs steps once; records round trips (and the transaction when `isTransaction`). */
async function runScript(ctx: ScriptContext, session: Session, steps: readonly CompiledStep[], phase: Phase, isTransaction: boolean): Promise<ExecuteResult> {
  const { clock, recorder } = ctx;
  const startNs = clock.nowNs();
  let lastSendNs: bigint | undefined;
  let endNs = startNs;
  for (const step of steps) {
    if ('send' in step) {
      lastSendNs = clock.nowNs();
      session.connection.socket.write(step.send);
      recorder.addBytesSent(phase, step.send.length);
      continue;
    }
    const outcome = await session.reader.expect(step.expect, step.timeoutMs ?? ctx.timeoutMs);
    if (!outcome.ok) {
      if (!ctx.stop.aborted) recorder.countError(phase, outcome.kind);
      return { ok: false };
    }
    recorder.addBytesReceived(phase, outcome.bytes);
    endNs = outcome.endNs;
    if (!session.connection.hasResponded) {
      session.connection.hasResponded = true;
      recorder.recordNs(phase, 'firstByte', outcome.endNs - session.connection.connectStartNs);
    }
    if (lastSendNs !== undefined && isTransaction) {
      recorder.countRoundTrip(phase);
      recorder.recordNs(phase, 'roundTrip', outcome.endNs - lastSendNs, outcome.endNs);
    }
    lastSendNs = undefined;
  }
  if (isTransaction) {
    recorder.countTransaction(phase);
    recorder.recordNs(phase, 'transaction', endNs - startNs);
  }
  return { ok: true, endNs };
}

function compile(p: DialogParams): { steps: CompiledStep[]; setup: CompiledStep[] } {
  const problems: string[] = [];
  if (!Number.isInteger(p.connections) || p.connections < 1) problems.push(`\`connections\` must be an integer >= 1, got ${p.connections}`);
  if (!p.steps.some((s) => 'expect' in s)) problems.push('`steps` must contain at least one `expect`');
  let steps: CompiledStep[] = [];
  let setup: CompiledStep[] = [];
  try {
    steps = compileSteps(p.steps);
    setup = compileSteps(p.setup ?? []);
  } catch (error) {
    problems.push(`\`steps\`: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (problems.length > 0) throw new WorkloadError(`dialog: ${problems.join('; ')}`);
  return { steps, setup };
}
