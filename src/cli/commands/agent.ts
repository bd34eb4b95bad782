// `hcbench agent`: runs the on-prem agent (the Hybrid Connection Manager role) that forwards every
// relayed connection to --target, until Ctrl-C or --run-ms. CLI wiring only.

import type { Command } from 'commander';
import { ExitCode } from '../../errors.js';
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

/** Adds `hcbench agent` to the program; sets exit 0 when stopped by Ctrl-C or --run-ms. */
export function registerAgent(program: Command, io: CliIo, setExit: (code: ExitCode) => void): void {
  const command = program
    .command('agent')
    .description('on-prem side: listen on the hybrid connection and forward each connection to a TCP target (until Ctrl-C)')
    .requiredOption('--target <host:port>', 'the TCP service to forward to', parseHostPort);
  addEndpointOptions(command).action(async (flags: TunnelEndpointFlags & { target: { host: string; port: number } }) => {
    const isVerbose = program.opts<{ verbose?: boolean }>().verbose === true;
    const connection = await connectionFromFlags(flags, io);
    const agent = await startAgent({
      connection,
      target: flags.target,
      clientStack: flags.clientStack,
      halfClose: flags.halfClose,
      signal: io.signal,
      startTimeoutMs: 0,
      log: stderrLog(io, 'agent', isVerbose),
      ...(flags.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: flags.idleTimeoutMs }),
    });
    const target = `${flags.target.host}:${flags.target.port}`;
    io.stderr.write(`agent: listening on ${connection.entityPath}, forwarding to ${target} (${flags.clientStack}); Ctrl-C to stop\n`);
    if (flags.json === true) io.stdout.write(`${JSON.stringify({ event: 'listening', hybridConnection: connection.entityPath, target })}\n`);
    await untilStopped(io.signal, flags.runMs);
    await agent.close();
    const stats = agent.stats();
    if (flags.json === true) io.stdout.write(`${JSON.stringify(stoppedReport(stats))}\n`);
    else io.stderr.write(`agent: stopped; ${stats.connectionsAccepted} connections, ${stats.connectionsFailed} failed; ${timingLine(stats)}\n`);
    setExit(ExitCode.Ok);
  });
}
