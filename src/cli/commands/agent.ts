// `hcbench agent`: runs the on-prem agent (the Hybrid Connection Manager role) that forwards every
// relayed connection to --target, until Ctrl-C or --run-ms. CLI wiring only.

import type { Command } from 'commander';
import { ExitCode, PathSetupError } from '../../errors.js';
import { INTERRUPT_BUDGET_MS, WRITE_RESERVE_MS, bounded } from '../../bounded.js';
import { startAgent } from '../../tunnel/agent.js';
import type { CliIo } from '../io.js';
import {
  type TunnelEndpointFlags,
  addEndpointOptions,
  connectionFromFlags,
  parseHostPort,
  stderrLog,
  stoppedReport,
  timingLine,
  untilStopped,
} from './tunnel.js';
import { JAVASCRIPT_MASKING_WARNING, hycoWsFrameMasking } from '../../net/frame-masking.js';

/** Aborts on Ctrl-C or once `runMs` (if given) has passed since now. */
function stopSignal(interrupt: AbortSignal, runMs: number | undefined): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const timer = runMs === undefined ? undefined : setTimeout(() => controller.abort(), runMs);
  const onInterrupt = (): void => controller.abort();
  if (interrupt.aborted) controller.abort();
  else interrupt.addEventListener('abort', onInterrupt, { once: true });
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      interrupt.removeEventListener('abort', onInterrupt);
    },
  };
}

/** Adds `hcbench agent` to the program; sets exit 0 when stopped by Ctrl-C or --run-ms. */
export function registerAgent(program: Command, io: CliIo, setExit: (code: ExitCode) => void): void {
  const command = program
    .command('agent')
    .description('on-prem side: listen on the hybrid connection and forward each connection to a TCP target (until Ctrl-C)')
    .requiredOption('--target <host:port>', 'the TCP service to forward to', parseHostPort);
  addEndpointOptions(command).action(async (flags: TunnelEndpointFlags & { target: { host: string; port: number } }) => {
    const isVerbose = program.opts<{ verbose?: boolean }>().verbose === true;
    const connection = await connectionFromFlags(flags, io);
    // --run-ms counts from the start, also while the agent cannot register (it retries, as the HCM does).
    const stop = stopSignal(io.signal, flags.runMs);
    let agent;
    try {
      agent = await startAgent({
        connection,
        target: flags.target,
        clientStack: flags.clientStack,
        halfClose: flags.halfClose,
        signal: stop.signal,
        startTimeoutMs: 0,
        failFastMs: 0,
        log: stderrLog(io, 'agent', isVerbose),
        ...(flags.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: flags.idleTimeoutMs }),
      });
    } catch (error) {
      stop.dispose();
      const why = io.signal.aborted ? 'Ctrl-C' : `--run-ms ${flags.runMs ?? ''}`;
      if (stop.signal.aborted && error instanceof PathSetupError) throw new PathSetupError(`agent: stopped by ${why}: ${error.message}`);
      throw error;
    }
    const target = `${flags.target.host}:${flags.target.port}`;
    io.stderr.write(`agent: listening on ${connection.entityPath}, forwarding to ${target} (${flags.clientStack}); Ctrl-C to stop\n`);
    if (flags.clientStack === 'hyco-ws' && hycoWsFrameMasking() === 'javascript') io.stderr.write(`agent: warning: ${JAVASCRIPT_MASKING_WARNING}\n`);
    if (flags.json === true) io.stdout.write(`${JSON.stringify({ event: 'listening', hybridConnection: connection.entityPath, target })}\n`);
    await untilStopped(stop.signal, undefined);
    stop.dispose();
    // Unregistering waits for the relay; after Ctrl-C it gets the interrupt budget, then we go.
    await bounded(agent.close(), { what: 'agent: unregistering from the relay', timeoutMs: INTERRUPT_BUDGET_MS - WRITE_RESERVE_MS }).catch((error: unknown) =>
      io.stderr.write(`${error instanceof Error ? error.message : String(error)}; closing anyway\n`),
    );
    const stats = agent.stats();
    if (flags.json === true) io.stdout.write(`${JSON.stringify(stoppedReport(stats))}\n`);
    else io.stderr.write(`agent: stopped; ${stats.connectionsAccepted} connections, ${stats.connectionsFailed} failed; ${timingLine(stats)}\n`);
    setExit(ExitCode.Ok);
  });
}
