// `hcbench record`: a transparent TCP proxy the user points a real client at. It forwards to the
// real server and records each connection's turns (sizes and times; bytes only with --payload
// full) until Ctrl-C, --run-ms or a bound of the recording, then writes the trace atomically.
// Live progress on a TTY only. CLI wiring; the proxy is src/record/.

import { type Command, InvalidArgumentError, Option } from 'commander';
import { ExitCode, UsageError } from '../../errors.js';
import { writeOutputFile } from '../../fs/write-output.js';
import { DEFAULT_RECORD_LIMITS, startRecordProxy, type RecordStats } from '../../record/record-proxy.js';
import { renderTrace } from '../../trace/render.js';
import { renderTraceSummary, summarizeTrace } from '../../trace/summary.js';
import type { CliIo } from '../io.js';
import { parseHostPort, untilStopped } from './tunnel.js';

interface RecordFlags {
  listen: { host: string; port: number };
  target: { host: string; port: number };
  out: string;
  payload: 'sizes' | 'full';
  runMs?: number;
  maxConnections?: number;
  maxTurns?: number;
  maxBytes?: number;
  summary?: boolean;
  json?: boolean;
}

function parseMs(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`must be a whole number of milliseconds >= 1, got ${JSON.stringify(value)}`);
  return Number(value);
}

function parseCount(value: string): number {
  if (!/^\d{1,12}$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`must be a whole number >= 1, got ${JSON.stringify(value)}`);
  return Number(value);
}

function progressLine(s: RecordStats): string {
  const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
  return `record: ${s.connectionsOpen} open, ${s.connectionsTotal} connections, ${s.turns} turns done, ${kib(s.bytesFromClient)} sent, ${kib(s.bytesFromServer)} received`;
}

export function registerRecord(program: Command, io: CliIo, setExit: (code: ExitCode) => void): void {
  program
    .command('record')
    .description('record a real client\'s traffic through a transparent TCP proxy into a trace (until Ctrl-C)')
    .requiredOption('--listen <host:port>', 'where the proxy accepts your client (point the client here)', parseHostPort)
    .requiredOption('--target <host:port>', 'the real server the proxy forwards to', parseHostPort)
    .requiredOption('--out <file>', 'the trace file to write')
    .addOption(new Option('--payload <mode>', 'sizes: store sizes and times only; full: also the bytes (credentials and data included!)').choices(['sizes', 'full']).default('sizes'))
    .option('--run-ms <ms>', 'stop after this long (default: until Ctrl-C)', parseMs)
    .option('--max-connections <n>', `stop when a connection past this many arrives (default ${DEFAULT_RECORD_LIMITS.connections})`, parseCount)
    .option('--max-turns <n>', `stop at this many turns (default ${DEFAULT_RECORD_LIMITS.turns})`, parseCount)
    .option('--max-bytes <n>', `stop once the trace file would reach this many bytes (default ${DEFAULT_RECORD_LIMITS.fileBytes})`, parseCount)
    .option('--summary', 'print the trace summary (as `hcbench replay-summary`) after writing')
    .option('--json', 'print JSON lines (listening address, then the written trace and counters) to stdout')
    .action(async (flags: RecordFlags) => {
      if (!['127.0.0.1', 'localhost', '::1'].includes(flags.listen.host)) {
        io.stderr.write(`warning: listening on ${flags.listen.host}: anyone who can reach it can use your server through the proxy\n`);
      }
      if (flags.payload === 'full') {
        io.stderr.write('warning: --payload full stores every byte the client and server exchange (passwords, data); keep the trace private\n');
      }
      let limitReason: string | undefined;
      const stopOnLimit = new AbortController();
      const proxy = await startRecordProxy({
        listen: flags.listen,
        target: flags.target,
        payload: flags.payload,
        limits: {
          ...(flags.maxConnections === undefined ? {} : { connections: flags.maxConnections }),
          ...(flags.maxTurns === undefined ? {} : { turns: flags.maxTurns }),
          ...(flags.maxBytes === undefined ? {} : { fileBytes: flags.maxBytes }),
        },
        onLimit: (reason) => {
          limitReason = reason;
          stopOnLimit.abort();
        },
      }).catch((cause: unknown) => {
        const code = (cause as NodeJS.ErrnoException).code ?? 'error';
        throw new UsageError(`cannot listen on ${flags.listen.host}:${flags.listen.port} (${code})`, { cause: code });
      });
      const { host, port } = proxy.address;
      io.stderr.write(`record: listening on ${host}:${port}, forwarding to ${flags.target.host}:${flags.target.port}; point your client at ${host}:${port}, Ctrl-C to finish\n`);
      if (flags.json === true) io.stdout.write(`${JSON.stringify({ event: 'listening', host, port })}\n`);
      const isTTY = io.stderr.isTTY === true;
      const timer = isTTY ? setInterval(() => io.stderr.write(`\r\x1b[2K${progressLine(proxy.stats())}`), 250) : undefined;
      timer?.unref();
      await untilStopped(AbortSignal.any([io.signal, stopOnLimit.signal]), flags.runMs);
      clearInterval(timer);
      if (isTTY) io.stderr.write('\r\x1b[2K');
      if (limitReason !== undefined) io.stderr.write(`record: stopping: ${limitReason}\n`);
      const trace = await proxy.finish();
      const written = await writeOutputFile(io.cwd, flags.out, renderTrace(trace));
      const stats = proxy.stats();
      io.stderr.write(`${progressLine(stats)}; ${stats.connectFailures} could not reach the target${stats.refused > 0 ? `; ${stats.refused} refused past --max-connections` : ''}\n`);
      io.stderr.write(`record: wrote ${written}; next: hcbench init --from-trace ${flags.out} scenarios/my-replay.yaml\n`);
      if (flags.json === true) io.stdout.write(`${JSON.stringify({ event: 'written', file: written, ...stats })}\n`);
      if (flags.summary === true) io.stdout.write(renderTraceSummary(summarizeTrace(trace), flags.out));
      setExit(ExitCode.Ok);
    });
}
