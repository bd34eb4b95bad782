// What the tunnel endpoints would send to a real Azure Relay namespace (no Azure access here):
// URIs, SAS tokens and connection strings checked against the documented formats and against what
// the unmodified hyco-ws helpers build; secret sources and redaction.

import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';
import { resolveConnectionString } from '../../src/azure/connection-source.js';
import { connectUri, listenUri, parseConnectionString, tokenAudience, tokenProvider } from '../../src/azure/connection-string.js';
import { parseSasToken, redactSecrets, signSas } from '../../src/azure/sas-token.js';
import { UsageError } from '../../src/errors.js';
import { startTunnelRelay } from '../helpers/tunnel-path.js';
import { roundTripPayload, startEchoServer } from '../helpers/tunnel-targets.js';

interface HycoHelpers {
  createRelayListenUri(ns: string, path: string): string;
  createRelaySendUri(ns: string, path: string): string;
  createRelayToken(uri: string, keyName: string, key: string, expirationSeconds?: number): string;
}
const hyco = createRequire(import.meta.url)('hyco-ws') as HycoHelpers;

const KEY = 'b3NlY3JldC1rZXktdGV4dC1hcy1pbi10aGUtcG9ydGFsPT0=';
const AZURE = `Endpoint=sb://contoso.servicebus.windows.net/;SharedAccessKeyName=defaultListener;SharedAccessKey=${KEY};EntityPath=hc1`;

describe('real Azure Relay formats', () => {
  test('sb:// connection string gives the documented wss://<ns>:443/$hc/<hc> URIs, identical to hyco-ws helpers', () => {
    const connection = parseConnectionString(AZURE);

    expect(listenUri(connection)).toBe('wss://contoso.servicebus.windows.net:443/$hc/hc1?sb-hc-action=listen');
    expect(connectUri(connection)).toBe('wss://contoso.servicebus.windows.net:443/$hc/hc1?sb-hc-action=connect');
    expect(listenUri(connection)).toBe(hyco.createRelayListenUri('contoso.servicebus.windows.net', 'hc1'));
    expect(connectUri(connection)).toBe(hyco.createRelaySendUri('contoso.servicebus.windows.net', 'hc1'));
    expect(tokenAudience(connection)).toBe('http://contoso.servicebus.windows.net/hc1');
  });

  test('a wss:// endpoint (namespace host given as a WebSocket URL) gives the same hosts and audience', () => {
    const connection = parseConnectionString(AZURE.replace('sb://', 'wss://'));

    expect(listenUri(connection)).toBe('wss://contoso.servicebus.windows.net/$hc/hc1?sb-hc-action=listen');
    expect(tokenAudience(connection)).toBe('http://contoso.servicebus.windows.net/hc1');
  });

  test('keys are case-insensitive, values split at the first = (base64 padding kept), whitespace ignored', () => {
    const text = ` endpoint=sb://Contoso.servicebus.windows.net/ ; sharedaccesskeyname=defaultSender;SHAREDACCESSKEY=${KEY} ;entitypath=hc1;`;

    expect(parseConnectionString(text)).toMatchObject({ keyName: 'defaultSender', key: KEY, entityPath: 'hc1' });
  });

  test('tokens: SharedAccessSignature sr=<enc audience>&sig=<HMAC-SHA256 over sr\\nse>&se=<now+ttl>&skn=<rule>', () => {
    const nowMs = 1_800_000_000_000;
    const token = tokenProvider(parseConnectionString(AZURE), 7200, () => nowMs)();

    expect(token.startsWith('SharedAccessSignature sr=')).toBe(true);
    const fields = parseSasToken(token);
    expect(fields).toEqual({
      sr: encodeURIComponent('http://contoso.servicebus.windows.net/hc1'),
      sig: encodeURIComponent(signSas(fields?.sr ?? '', String(nowMs / 1000 + 7200), KEY)),
      se: String(nowMs / 1000 + 7200),
      skn: 'defaultListener',
    });
  });

  test('a token signs exactly like hyco-ws createRelayToken for the same audience and expiry', () => {
    const connection = parseConnectionString(AZURE);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const ours = tokenProvider(connection, 3600)();
      const theirs = hyco.createRelayToken(tokenAudience(connection), 'defaultListener', KEY, 3600);
      // Both read the wall clock; equal whenever they fall in the same second.
      if (parseSasToken(ours)?.se === parseSasToken(theirs)?.se) return expect(ours).toBe(theirs);
    }
    throw new Error('could not create both tokens within one second');
  });

  test('a SharedAccessSignature connection string uses that token as is', () => {
    const sas = 'SharedAccessSignature sr=http%3A%2F%2Fcontoso.servicebus.windows.net%2Fhc1&sig=abc%3D&se=1900000000&skn=send';
    const connection = parseConnectionString(`Endpoint=sb://contoso.servicebus.windows.net/;SharedAccessSignature=${sas};EntityPath=hc1`);

    expect(tokenProvider(connection)()).toBe(sas);
  });

  test('redactSecrets hides keys, signatures and sb-hc-token values', () => {
    const token = tokenProvider(parseConnectionString(AZURE))();
    const text = `${AZURE} ${token} wss://x/$hc/hc1?sb-hc-action=connect&sb-hc-token=${encodeURIComponent(token)}`;

    const redacted = redactSecrets(text);

    expect(redacted).not.toContain(KEY);
    expect(redacted).not.toContain(parseSasToken(token)?.sig ?? 'missing');
    expect(redacted).toContain('SharedAccessKey=<redacted>');
  });
});

describe('resolveConnectionString', () => {
  const files: Record<string, string> = { '/s/cs.txt': `# relay\n\n  ${AZURE}  \n`, '/s/empty.txt': '\n# only a comment\n' };
  const readFile = async (path: string): Promise<string> => {
    const text = files[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return text;
  };

  test.each([
    ['a flag value', { value: AZURE }, {}],
    ['a named environment variable', { envVar: 'MY_CS' }, { MY_CS: AZURE }],
    ['HCBENCH_CONNECTION_STRING by default', {}, { HCBENCH_CONNECTION_STRING: ` ${AZURE}\n` }],
    ['a file (comments and blank lines skipped)', { file: '/s/cs.txt' }, {}],
  ])('reads it from %s', async (_name, source, env) => {
    await expect(resolveConnectionString(source, env, readFile)).resolves.toBe(AZURE);
  });

  test.each([
    ['two sources', { value: AZURE, file: '/s/cs.txt' }, {}, 'one way only'],
    ['an unset variable', { envVar: 'NOPE' }, {}, 'NOPE is not set'],
    ['a missing file', { file: '/s/missing.txt' }, {}, 'cannot read'],
    ['an empty file', { file: '/s/empty.txt' }, {}, 'no connection string in the file'],
  ])('rejects %s with a UsageError that does not contain the secret', async (_name, source, env, message) => {
    const error = await resolveConnectionString(source, env, readFile).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain(message);
    expect(JSON.stringify({ message: (error as Error).message, cause: (error as Error).cause })).not.toContain(KEY);
  });
});

describe('no secret in tunnel logs', () => {
  test('forwarder and agent logs (including 401 refusals) never contain the key or a signature', async () => {
    const target = await startEchoServer();
    const path = await startTunnelRelay();
    await path.agent(target.address);
    const good = await path.forwarder();
    const bad = await path.forwarder({ connection: { ...path.connection, key: 'wrong' } });

    await roundTripPayload(good.address.port, Buffer.from('ok'));
    await roundTripPayload(bad.address.port, Buffer.from('refused'));
    await expect.poll(() => bad.stats().errors['relay-401']).toBe(1);

    const text = JSON.stringify(path.logs);
    expect(path.logs.length).toBeGreaterThan(0);
    expect(text).not.toContain(path.connection.key ?? 'missing-key');
    expect(text).not.toMatch(/sig=(?!<redacted>)/);
  });
});
