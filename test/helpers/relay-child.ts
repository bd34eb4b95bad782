// Runs unmodified hyco-ws peers in a child `node` process, for what needs a fresh process
// environment (NODE_EXTRA_CA_CERTS is read at start-up). Killed by PID on timeout. Test-only.

import { spawn } from 'node:child_process';
import { once } from 'node:events';

/** What the child reported: the echoed text, or the first error it saw. */
export type HycoChildOutcome = { echoed: string } | { error: string };

const echoScript = `
const hyco = require('hyco-ws');
const { L: listenUri, C: connectUri, T: token } = process.env;
let done = false;
const finish = (outcome, code) => {
  if (done) return;
  done = true;
  process.stdout.write(JSON.stringify(outcome) + '\\n');
  try { server.close(() => {}); } catch {}
  setTimeout(() => process.exit(code), 20);
};
const server = hyco.createRelayedServer({ server: listenUri, token }, (ws) => {
  ws.on('error', () => {});
  ws.on('message', (data, flags) => ws.send(data, { binary: Boolean(flags && flags.binary) }));
});
server.on('error', (e) => finish({ error: String((e && e.message) || e) }, 1));
server.on('listening', () => {
  const sender = hyco.relayedConnect(connectUri, token);
  sender.on('error', (e) => finish({ error: String((e && e.message) || e) }, 1));
  sender.on('open', () => sender.send('over tls'));
  sender.on('message', (data) => { sender.close(); finish({ echoed: String(data) }, 0); });
});
setTimeout(() => finish({ error: 'timeout in child' }, 2), 10000);
`;

/**
 * Starts a child with a hyco-ws listener on `listenUri` and a hyco-ws sender on `connectUri`
 * (both with `token`), echoes one message and reports. `env` is added to the child's environment.
 */
export async function runHycoEchoChild(
  uris: { listenUri: string; connectUri: string; token: string },
  env: Record<string, string> = {},
  timeoutMs = 20_000,
): Promise<HycoChildOutcome> {
  const child = spawn(process.execPath, ['-e', echoScript], {
    cwd: process.cwd(),
    env: { ...process.env, NODE_EXTRA_CA_CERTS: '', ...env, L: uris.listenUri, C: uris.connectUri, T: uris.token },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await once(child, 'exit');
  clearTimeout(killer);
  const line = output.split('\n').find((candidate) => candidate.startsWith('{'));
  return line === undefined ? { error: 'child printed nothing' } : (JSON.parse(line) as HycoChildOutcome);
}
