// `hcbench relay`: runs the relay emulator standalone until Ctrl-C, printing its endpoint and one
// connection string per hybrid connection. Only wires flags onto src/relay's API.

import { InvalidArgumentError, type Command } from 'commander';
import { once } from 'node:events';
import { readInputFile } from '../../fs/read-input.js';
import { findDeepBlockNesting, findDeepFlowNesting, MAX_NESTING_DEPTH } from '../../scenario/nesting.js';
import { ExitCode, ScenarioError, UsageError } from '../../errors.js';
import type { LegShape } from '../../relay/delay.js';
import { createDefaultNamespace, type NamespaceConfig } from '../../relay/namespace.js';
import { parseNamespaceFile } from '../../relay/namespace-file.js';
import { startRelay } from '../../relay/relay-server.js';
import { createTestCertificateAuthority, type TestCertificateAuthority } from '../../relay/tls.js';
import { AZURE_WSS_PORT, createRehearsalNamespace, isNamespaceHost, rehearsalConnectionStrings } from '../../relay/rehearsal.js';
import type { CliIo } from '../io.js';
import { type RehearsalBanner, rehearsalJson, rehearsalLines } from '../rehearsal-lines.js';
import { parseMs } from './run.js';

interface RelayFlags {
  hc: string[];
  namespaceFile?: string;
  host: string;
  port: number;
  tls?: boolean;
  senderDelayMs?: number;
  listenerDelayMs?: number;
  jitterMs?: number;
  bandwidthBytesPerSec?: number;
  handshakeRoundTrips: number;
  rendezvousTimeoutMs?: number;
  httpTimeoutMs?: number;
  refuseListeners?: boolean;
  refuseAccepts?: boolean;
  acceptDelayMs?: number;
  faultEndpoint?: boolean;
  json?: boolean;
  as?: string;
  asPort?: number;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) throw new InvalidArgumentError(`must be a port from 0 to 65535, got ${JSON.stringify(value)}`);
  return port;
}

function parseNonNegative(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0) throw new InvalidArgumentError(`must be a number >= 0, got ${JSON.stringify(value)}`);
  return number;
}

function parseRoundTrips(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number > 8) throw new InvalidArgumentError(`must be a whole number from 0 to 8, got ${JSON.stringify(value)}`);
  return number;
}

function legShape(delayMs: number | undefined, flags: RelayFlags): LegShape | undefined {
  if (delayMs === undefined && flags.jitterMs === undefined && flags.bandwidthBytesPerSec === undefined) return undefined;
  return {
    oneWayDelayMs: delayMs ?? 0,
    ...(flags.jitterMs === undefined ? {} : { jitterMs: flags.jitterMs }),
    ...(flags.bandwidthBytesPerSec === undefined ? {} : { bandwidthBytesPerSec: flags.bandwidthBytesPerSec }),
  };
}

async function loadNamespace(flags: RelayFlags): Promise<NamespaceConfig> {
  if (flags.namespaceFile === undefined) {
    const namespace = createDefaultNamespace(flags.hc[0] ?? 'hcbench');
    namespace.hybridConnections = flags.hc.map((name) => ({ name }));
    return namespace;
  }
  const read = await readInputFile(flags.namespaceFile, 'namespace');
  if (!read.ok) throw new UsageError(`cannot read namespace file ${flags.namespaceFile}: ${read.reason}`);
  const text = read.bytes.toString('utf8');
  const deep = findDeepFlowNesting(text) ?? findDeepBlockNesting(text);
  if (deep !== undefined) {
    throw new ScenarioError(flags.namespaceFile, [{ path: '', message: `nests deeper than ${MAX_NESTING_DEPTH} levels`, line: deep.line, column: deep.column }]);
  }
  const result = parseNamespaceFile(text);
  if (!result.ok) throw new ScenarioError(flags.namespaceFile, result.issues);
  return result.namespace;
}

/** The `--as` host, checked: needs --tls, a DNS name, and no --namespace-file (it builds its own rules). */
function checkRehearsalFlags(flags: RelayFlags): string | undefined {
  if (flags.as === undefined) return undefined;
  if (!isNamespaceHost(flags.as)) throw new UsageError(`--as ${flags.as}: not a DNS name such as contoso-hc.servicebus.windows.net`);
  if (flags.tls !== true) throw new UsageError('--as needs --tls: Azure Relay is reached over wss:// only');
  if (flags.namespaceFile !== undefined) throw new UsageError('--as builds its own namespace (Listen, Send and Manage rules): leave out --namespace-file');
  return flags.as.toLowerCase();
}

export function registerRelay(program: Command, io: CliIo, setExit: (code: ExitCode) => void): void {
  program
    .command('relay')
    .description('run the Azure Relay Hybrid Connections emulator standalone until Ctrl-C')
    .option('--hc <names...>', 'hybrid connection names (ignored with --namespace-file)', ['hcbench'])
    .option('--namespace-file <file>', 'JSON/YAML namespace: rules, hybridConnections, audienceHosts')
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--port <port>', 'port to bind (0 = any free port)', parsePort, 0)
    .option('--tls', 'serve wss:// with a generated CA (its path is printed, for NODE_EXTRA_CA_CERTS)')
    .option('--sender-delay-ms <ms>', 'one-way delay of the sender<->relay leg', parseNonNegative)
    .option('--listener-delay-ms <ms>', 'one-way delay of the relay<->listener leg', parseNonNegative)
    .option('--jitter-ms <ms>', 'extra uniform random delay per message on each shaped leg', parseNonNegative)
    .option('--bandwidth-bytes-per-sec <n>', 'bandwidth cap of each shaped leg, per direction', parseNonNegative)
    .option(
      '--handshake-round-trips <n>',
      'round trips of its leg each new WebSocket or HTTP sender connection pays first: the TCP and TLS handshakes clients complete on loopback (2 = TCP + TLS 1.3; 0 = none)',
      parseRoundTrips,
      2,
    )
    .option('--rendezvous-timeout-ms <ms>', 'how long a sender waits for the listener to accept', parseMs)
    .option('--http-timeout-ms <ms>', 'HTTP mode: how long a sender waits for the response before 504', parseMs)
    .option('--refuse-listeners', 'fault: answer every listen with 503')
    .option('--refuse-accepts', 'fault: answer every connect with 404 although listeners are connected')
    .option('--accept-delay-ms <ms>', 'fault: delay every accept sent to a listener', parseMs)
    .option('--fault-endpoint', 'accept POST /$faults/<name> on the relay port (disconnect-listeners, cut-connections, expire-tokens, restart, ...)')
    .option('--json', 'print the endpoint as one JSON line')
    .option('--as <namespace-host>', 'rehearsal: answer as <ns>.servicebus.windows.net (certificate, token audience, sb:// connection strings for Listen/Send/Manage); needs --tls')
    .option('--as-port <port>', 'rehearsal: the port clients dial the name on, mapped to the real one with --resolve', parsePort, 443)
    .action(async (flags: RelayFlags, command: Command) => {
      const isVerbose = command.optsWithGlobals<{ verbose?: boolean }>().verbose === true;
      const rehearsal = checkRehearsalFlags(flags);
      const namespace = rehearsal === undefined ? await loadNamespace(flags) : createRehearsalNamespace(rehearsal, flags.hc);
      let ca: TestCertificateAuthority | undefined;
      if (flags.tls === true) ca = await createTestCertificateAuthority(rehearsal === undefined ? {} : { hostNames: [rehearsal, '127.0.0.1', 'localhost'] });
      const senderLeg = legShape(flags.senderDelayMs, flags);
      const listenerLeg = legShape(flags.listenerDelayMs, flags);
      const relay = await startRelay({
        namespace,
        host: flags.host,
        port: flags.port,
        ...(flags.rendezvousTimeoutMs === undefined ? {} : { rendezvousTimeoutMs: flags.rendezvousTimeoutMs }),
        ...(flags.httpTimeoutMs === undefined ? {} : { httpResponseTimeoutMs: flags.httpTimeoutMs }),
        delays: { ...(senderLeg === undefined ? {} : { senderLeg }), ...(listenerLeg === undefined ? {} : { listenerLeg }), handshakeRoundTrips: flags.handshakeRoundTrips },
        ...(ca === undefined ? {} : { tls: { certPem: ca.certPem, keyPem: ca.keyPem } }),
        isFaultEndpointEnabled: flags.faultEndpoint === true,
        ...(rehearsal === undefined ? {} : { advertise: { host: rehearsal, port: flags.asPort ?? AZURE_WSS_PORT } }),
        ...(isVerbose ? { log: (event) => io.stderr.write(`relay ${JSON.stringify(event)}\n`) } : {}),
      });
      if (flags.refuseListeners === true) relay.faults.refuseListeners(true);
      if (flags.refuseAccepts === true) relay.faults.refuseAccepts(true);
      if (flags.acceptDelayMs !== undefined) relay.faults.delayAccepts(flags.acceptDelayMs);
      if (rehearsal !== undefined && ca !== undefined) {
        const banner: RehearsalBanner = {
          host: rehearsal,
          bound: { host: relay.host, port: relay.port },
          resolve: { host: rehearsal, port: flags.asPort ?? AZURE_WSS_PORT, address: relay.host, toPort: relay.port },
          caCertPath: ca.caCertPath,
          connectionStrings: Object.fromEntries(namespace.hybridConnections.map((hc) => [hc.name, rehearsalConnectionStrings(namespace, rehearsal, hc.name)])),
        };
        if (flags.json === true) io.stdout.write(rehearsalJson({ ...banner, url: relay.url, statsUrl: relay.statsUrl }));
        else for (const line of rehearsalLines(banner)) io.stdout.write(line);
      }
      const connectionStrings = Object.fromEntries(namespace.hybridConnections.map((hc) => [hc.name, relay.connectionString(hc.name)]));
      if (rehearsal !== undefined) {
        if (flags.json !== true) io.stderr.write('press Ctrl-C to stop\n');
      } else if (flags.json === true) {
        io.stdout.write(`${JSON.stringify({ url: relay.url, statsUrl: relay.statsUrl, connectionStrings, caCertPath: ca?.caCertPath })}\n`);
      } else {
        io.stdout.write(`relay emulator listening on ${relay.url}  (stats: ${relay.statsUrl})\n`);
        for (const [name, text] of Object.entries(connectionStrings)) io.stdout.write(`${name}: ${text}\n`);
        if (ca !== undefined) io.stdout.write(`TLS: trust ${ca.caCertPath} (e.g. NODE_EXTRA_CA_CERTS=${ca.caCertPath} for hyco-ws/hyco-https processes)\n`);
        io.stderr.write('press Ctrl-C to stop\n');
      }
      if (!io.signal.aborted) await once(io.signal, 'abort');
      io.stderr.write(`relay stats ${JSON.stringify(relay.stats())}\n`);
      await relay.close();
      await ca?.dispose();
      setExit(ExitCode.Ok);
    });
}
