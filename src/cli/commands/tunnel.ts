// `hcbench tunnel`: runs the app-side forwarder (a local TCP port -> the hybrid connection) until
// Ctrl-C or --run-ms. Also holds the option wiring shared with `hcbench agent`. CLI wiring only.

import { type Command, InvalidArgumentError, Option } from 'commander';
import { resolveConnectionString } from '../../azure/connection-source.js';
import { type RelayConnection, parseConnectionString } from '../../azure/connection-string.js';
import { redactSecrets } from '../../azure/sas-token.js';
import { ExitCode, UsageError } from '../../errors.js';
import { type ClientStack, clientStacks } from '../../tunnel/client-stack.js';
import { startForwarder } from '../../tunnel/forwarder.js';
import type { TunnelLog, TunnelStats } from '../../tunnel/types.js';
import type { CliIo } from '../io.js';
import { applyResolveFlags } from '../resolve-flags.js';
import { skipBufferDeprecationCheck } from '../buffer-deprecation-check.js';
import { poolRandomBytes } from '../pooled-random-bytes.js';
import { INTERRUPT_BUDGET_MS, WRITE_RESERVE_MS, bounded } from '../../bounded.js';
import { JAVASCRIPT_MASKING_WARNING, hycoWsFrameMasking } from '../../net/frame-masking.js';

/** Flags shared by `hcbench agent` and `hcbench tunnel`. */
export interface TunnelEndpointFlags {
  connectionString?: string;
  connectionStringEnv?: string;
  connectionStringFile?: string;
  hybridConnection?: string;
  clientStack: ClientStack;
  idleTimeoutMs?: number;
  runMs?: number;
  json?: boolean;
  halfClose: boolean;
  resolve?: string[];
}

/** commander parser for `host:port` (IPv6 as `[::1]:port`); port 0..65535. */
export function parseHostPort(value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value.trim());
  const port = Number(match?.[3]);
  if (match === null || port > 65535) throw new InvalidArgumentError(`must be host:port, got ${JSON.stringify(value)}`);
  return { host: match[1] ?? match[2] ?? '', port };
}

function parseNonNegativeMs(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`must be a whole number of milliseconds, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** Adds the connection-string, client-stack and lifetime options to a command. */
export function addEndpointOptions(command: Command): Command {
  return command
    .option('--connection-string <value>', 'Azure Relay connection string (visible in ps; prefer the env or file forms)')
    .option('--connection-string-env <name>', 'environment variable holding the connection string (default HCBENCH_CONNECTION_STRING)')
    .option('--connection-string-file <path>', 'file holding the connection string')
    .option('--hybrid-connection <name>', 'hybrid connection name (overrides EntityPath)')
    .addOption(new Option('--client-stack <stack>', 'WebSocket client library').choices(clientStacks).default('hyco-ws'))
    .option('--idle-timeout-ms <ms>', 'close connections idle this long (0 = never)', parseNonNegativeMs)
    .option('--run-ms <ms>', 'stop after this long (default: run until Ctrl-C)', parseNonNegativeMs)
    .option('--no-half-close', 'end the relayed connection on a TCP FIN instead of sending an empty-message FIN marker (for far ends that do not know it)')
    .option('--json', 'print JSON lines (listening address, final stats) to stdout')
    .option('--resolve <host:port:address[:port]>', 'map a name for every socket this process opens, like curl (rehearsal: <ns>.servicebus.windows.net:443:127.0.0.1:<port>); repeatable', collect, []);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Reads the connection string from the one source given (flag, env var, file) and parses it. */
export async function connectionFromFlags(flags: TunnelEndpointFlags, io: CliIo): Promise<RelayConnection> {
  // Both endpoint commands come here first; they run hyco-ws (see buffer-deprecation-check.ts and
  // pooled-random-bytes.ts).
  skipBufferDeprecationCheck();
  poolRandomBytes();
  const text = await resolveConnectionString(
    {
      ...(flags.connectionString === undefined ? {} : { value: flags.connectionString }),
      ...(flags.connectionStringEnv === undefined ? {} : { envVar: flags.connectionStringEnv }),
      ...(flags.connectionStringFile === undefined ? {} : { file: flags.connectionStringFile }),
    },
    io.env,
    undefined,
    (note) => io.stderr.write(`warning: ${note}\n`),
  );
  applyResolveFlags(flags.resolve ?? [], io);
  try {
    return parseConnectionString(text, flags.hybridConnection);
  } catch (error) {
    throw new UsageError(`invalid connection string: ${redactSecrets(error instanceof Error ? error.message : String(error))}`);
  }
}

/** Log sink writing `[role] level event: message` lines to stderr; debug lines only with --verbose. */
export function stderrLog(io: CliIo, role: string, isVerbose: boolean): TunnelLog {
  return (event) => {
    if (event.level === 'debug' && !isVerbose) return;
    io.stderr.write(`[${role}] ${event.level} ${event.event}: ${redactSecrets(event.message)}\n`);
  };
}

/** The stopped-line JSON: counters plus timing summaries (µs; the encoded histograms and per-connection setup stamps are left out). */
export function stoppedReport(all: TunnelStats & { setupStamps?: unknown }): Record<string, unknown> {
  const { timing, setupStamps: _perConnection, ...stats } = all;
  const summaries =
    timing === undefined
      ? undefined
      : { toRelayHop: timing.toRelayHop.summary, fromRelayHop: timing.fromRelayHop.summary, setup: timing.setup.summary };
  return { event: 'stopped', stats, timingUs: summaries };
}

/** One human line: per-message hop p50/p99 and setup p50, in µs. */
export function timingLine(all: TunnelStats): string {
  const t = all.timing;
  if (t === undefined) return '';
  const hop = (h: { summary: { p50Us: number; p99Us: number } }): string => `p50 ${h.summary.p50Us} / p99 ${h.summary.p99Us} µs`;
  return `to relay ${hop(t.toRelayHop)}, from relay ${hop(t.fromRelayHop)}, setup p50 ${t.setup.summary.p50Us} µs`;
}

/** Resolves when `signal` aborts or `runMs` elapses (if given). */
export function untilStopped(signal: AbortSignal, runMs: number | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = runMs === undefined ? undefined : setTimeout(finish, runMs);
    signal.addEventListener('abort', finish, { once: true });
    function finish(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      resolve();
    }
  });
}

/** Adds `hcbench tunnel` to the program; sets exit 0 when stopped by Ctrl-C or --run-ms. */
export function registerTunnel(program: Command, io: CliIo, setExit: (code: ExitCode) => void): void {
  const command = program
    .command('tunnel')
    .description('app side: forward a local TCP port through the hybrid connection (until Ctrl-C)')
    .option('--listen <host:port>', 'local address to accept connections on', parseHostPort, { host: '127.0.0.1', port: 0 });
  addEndpointOptions(command).action(async (flags: TunnelEndpointFlags & { listen: { host: string; port: number } }) => {
    const isVerbose = program.opts<{ verbose?: boolean }>().verbose === true;
    const forwarder = await startForwarder({
      connection: await connectionFromFlags(flags, io),
      host: flags.listen.host,
      port: flags.listen.port,
      clientStack: flags.clientStack,
      halfClose: flags.halfClose,
      log: stderrLog(io, 'tunnel', isVerbose),
      ...(flags.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: flags.idleTimeoutMs }),
    });
    const { host, port } = forwarder.address;
    io.stderr.write(`tunnel: listening on ${host}:${port} (${flags.clientStack}); Ctrl-C to stop\n`);
    if (flags.clientStack === 'hyco-ws' && hycoWsFrameMasking() === 'javascript') io.stderr.write(`tunnel: warning: ${JAVASCRIPT_MASKING_WARNING}\n`);
    if (flags.json === true) io.stdout.write(`${JSON.stringify({ event: 'listening', host, port })}\n`);
    await untilStopped(io.signal, flags.runMs);
    await bounded(forwarder.close(), { what: 'tunnel: closing its connections', timeoutMs: INTERRUPT_BUDGET_MS - WRITE_RESERVE_MS }).catch((error: unknown) =>
      io.stderr.write(`${error instanceof Error ? error.message : String(error)}; closing anyway\n`),
    );
    const stats = forwarder.stats();
    if (flags.json === true) io.stdout.write(`${JSON.stringify(stoppedReport(stats))}\n`);
    else io.stderr.write(`tunnel: stopped; ${stats.connectionsAccepted} connections, ${stats.connectionsFailed} failed; ${timingLine(stats)}\n`);
    setExit(ExitCode.Ok);
  });
}
