// A signed token whose `se` is out of range or not a decimal integer is refused with 401 (or 1008 on
// renewToken) and never takes the emulator down: the relay runs as a real `hcbench relay` child
// process, so an uncaught exception would kill it, and a hyco-ws listener keeps serving throughout.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { createInterface } from 'node:readline';
import { describe, expect, onTestFinished, test } from 'vitest';
import { connectUri, listenUri, parseConnectionString, tokenAudience, tokenProvider, type RelayConnection } from '../../src/azure/connection-string.js';
import { MAX_EXPIRY_SEC, parseExpirySec } from '../../src/azure/sas-verify.js';
import { signSas } from '../../src/azure/sas-token.js';
import { connectHycoSender, startHycoListener, type HycoMessageFlags, type HycoSocket } from '../helpers/relay-hyco.js';
import { sendHttp, startHycoHttpsListener } from '../helpers/relay-hyco-https.js';
import { openRawListener, openWs8 } from '../helpers/relay-raw.js';

const BAD_SE = ['-1e13', '1e20', '0xffffffffff', '1.5', '', ' 1', '-1', '99999999999999999999', '000000000000000000001', String(MAX_EXPIRY_SEC + 1), '１２３'];

/** A token correctly signed with the connection's key but carrying `se` verbatim. */
function tokenWithSe(connection: RelayConnection, se: string): string {
  const sr = encodeURIComponent(tokenAudience(connection));
  const sig = encodeURIComponent(signSas(sr, se, connection.key ?? ''));
  return `SharedAccessSignature sr=${sr}&sig=${sig}&se=${encodeURIComponent(se)}&skn=${connection.keyName ?? ''}`;
}

interface RelayChild {
  connections: Record<string, RelayConnection>;
  port: number;
  exited: () => boolean;
}

/** Starts `hcbench relay --hc ws http --json` from dist/ and kills it at test end. */
async function startRelayChild(): Promise<RelayChild> {
  const child = spawn(process.execPath, ['dist/cli/bin.js', 'relay', '--hc', 'ws', 'http', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let hasExited = false;
  const exit = once(child, 'exit').then(() => (hasExited = true));
  child.stderr.resume();
  onTestFinished(async () => {
    if (!hasExited) child.kill('SIGKILL');
    await exit;
  });
  const lines = createInterface({ input: child.stdout });
  const deadline = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const [first] = (await Promise.race([once(lines, 'line'), exit.then(() => [undefined])])) as [string | undefined];
  clearTimeout(deadline);
  if (first === undefined) throw new Error('relay child exited before printing its connection strings');
  const printed = JSON.parse(first) as { url: string; connectionStrings: Record<string, string> };
  const connections = Object.fromEntries(Object.entries(printed.connectionStrings).map(([hc, text]) => [hc, parseConnectionString(text)]));
  return { connections, port: Number(new URL(printed.url).port), exited: () => hasExited };
}

function httpStatus(port: number, path: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path, method: 'GET', headers: { ServiceBusAuthorization: token }, timeout: 5000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('timeout', () => request.destroy(new Error('no answer within 5 s')));
    request.on('error', reject);
    request.end();
  });
}

async function expectEcho(sender: HycoSocket, text: string): Promise<void> {
  const reply = new Promise<string>((resolve) => sender.once('message', (data: string | Buffer) => resolve(String(data))));
  sender.send(text);
  expect(await reply).toBe(text);
}

describe('token expiry (`se`) parsing', () => {
  test.each(BAD_SE)('refuses se %j as malformed', (se) => {
    expect(parseExpirySec(se)).toBeUndefined();
  });

  test('accepts decimal seconds up to 9999-12-31T23:59:59Z', () => {
    expect(parseExpirySec('0')).toBe(0);
    expect(parseExpirySec('1800000000')).toBe(1_800_000_000);
    expect(parseExpirySec('0001800000000')).toBe(1_800_000_000);
    expect(parseExpirySec(String(MAX_EXPIRY_SEC))).toBe(MAX_EXPIRY_SEC);
    expect(new Date(MAX_EXPIRY_SEC * 1000).toISOString()).toBe('9999-12-31T23:59:59.000Z');
  });
});

describe('relay emulator with out-of-range `se`', () => {
  test('answers 401 to listen, connect and HTTP senders and 1008 to renewToken, and keeps serving', async () => {
    const relay = await startRelayChild();
    const ws = relay.connections['ws']!;
    const http = relay.connections['http']!;
    const listener = await startHycoListener(listenUri(ws), tokenProvider(ws), (socket) =>
      socket.on('message', (data: string | Buffer, flags: HycoMessageFlags) => socket.send(data, { binary: flags.binary === true })),
    );
    onTestFinished(() => listener.close());
    const sender = await connectHycoSender(connectUri(ws), tokenProvider(ws)());
    onTestFinished(() => sender.terminate());
    await expectEcho(sender, 'before');
    const httpListener = await startHycoHttpsListener(listenUri(http), tokenProvider(http), (_request, response) => response.end('served'));
    onTestFinished(() => httpListener.close());
    const httpGet = async () => (await sendHttp(`http://127.0.0.1:${relay.port}/http/ok`, { headers: { ServiceBusAuthorization: tokenProvider(http)() } })).body.toString();
    expect(await httpGet()).toBe('served');

    const statuses: Record<string, unknown[]> = {};
    for (const se of [...BAD_SE, '1']) {
      const outcomes: unknown[] = [];
      for (const action of ['listen', 'connect']) {
        const outcome = await openWs8(`${ws.baseUrl}/$hc/ws?sb-hc-action=${action}`, { token: tokenWithSe(ws, se) });
        outcomes.push(outcome.kind === 'refused' ? outcome.status : outcome.kind);
        if (outcome.kind === 'open') outcome.ws.terminate();
      }
      outcomes.push(await httpStatus(relay.port, '/http/x', tokenWithSe(http, se)));
      const renewing = await openRawListener(listenUri(ws), tokenProvider(ws)());
      renewing.ws.send(JSON.stringify({ renewToken: { token: tokenWithSe(ws, se) } }));
      outcomes.push((await renewing.closed).code);
      statuses[se] = outcomes;
    }

    // Every bad `se` and an expired one ('1' = 1970) get the same defined refusals.
    expect(statuses).toEqual(Object.fromEntries([...BAD_SE, '1'].map((se) => [se, [401, 401, 401, 1008]])));
    expect(relay.exited()).toBe(false);
    await expectEcho(sender, 'after, same bridge');
    const fresh = await connectHycoSender(connectUri(ws), tokenProvider(ws)());
    onTestFinished(() => fresh.terminate());
    await expectEcho(fresh, 'after, new bridge');
    expect(await httpGet()).toBe('served');
    const farFuture = await openWs8(`${ws.baseUrl}/$hc/ws?sb-hc-action=connect`, { token: tokenWithSe(ws, String(MAX_EXPIRY_SEC)) });
    expect(farFuture.kind).toBe('open');
    if (farFuture.kind === 'open') farFuture.ws.terminate();
  });
});
