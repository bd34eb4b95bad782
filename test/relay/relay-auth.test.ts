// SAS verification and namespace files as the emulator applies them: exact HMAC over the raw `sr`,
// lenient audience (scheme, port, case, trailing slash), prefixes, expiry, key names, rights.

import { describe, expect, test } from 'vitest';
import { verifySasToken, type VerifySasOptions } from '../../src/azure/sas-verify.js';
import { createSasToken, signSas } from '../../src/azure/sas-token.js';
import { parseNamespaceFile } from '../../src/relay/namespace-file.js';

const nowSec = 1_800_000_000;
const rules = [{ name: 'root', primaryKey: 'primary-key', secondaryKey: 'secondary-key', rights: ['Manage'] }];
const options: VerifySasOptions = { ruleSets: [[], rules], audienceHosts: ['127.0.0.1', 'ns.servicebus.windows.net'], targetPath: 'hc1/sub', nowSec };

function token(resourceUri: string, key = 'primary-key', keyName = 'root', expiresAtSec = nowSec + 60): string {
  return createSasToken({ resourceUri, keyName, key, expiresAtSec });
}

describe('verifySasToken', () => {
  test.each([
    ['hyco listener form with :443', 'http://ns.servicebus.windows.net:443/hc1'],
    ['emulator audience with port', 'http://127.0.0.1:5555/hc1'],
    ['.NET normalized, trailing slash', 'http://ns.servicebus.windows.net/hc1/'],
    ['sb:// scheme', 'sb://ns.servicebus.windows.net/hc1'],
    ['upper-case host and path', 'HTTP://NS.SERVICEBUS.WINDOWS.NET/HC1'],
    ['namespace-wide', 'http://ns.servicebus.windows.net/'],
    ['the full path', 'http://127.0.0.1/hc1/sub'],
    ['$hc infix kept', 'https://ns.servicebus.windows.net/$hc/hc1'],
  ])('accepts the audience %s', (_name, audience) => {
    expect(verifySasToken(token(audience), options)).toMatchObject({ ok: true, ruleName: 'root' });
  });

  test.each([
    ['another entity', 'http://ns.servicebus.windows.net/hc2', 'forbidden'],
    ['a partial segment', 'http://ns.servicebus.windows.net/hc', 'forbidden'],
    ['a deeper path', 'http://ns.servicebus.windows.net/hc1/sub/deeper', 'forbidden'],
    ['another namespace', 'http://other.servicebus.windows.net/hc1', 'unauthorized'],
  ])('refuses the audience %s', (_name, audience, kind) => {
    expect(verifySasToken(token(audience), options)).toMatchObject({ ok: false, kind });
  });

  test('accepts the secondary key, refuses an unknown key, rule or expired token', () => {
    const audience = 'http://127.0.0.1/hc1';

    expect(verifySasToken(token(audience, 'secondary-key'), options).ok).toBe(true);
    expect(verifySasToken(token(audience, 'other-key'), options)).toMatchObject({ ok: false, kind: 'unauthorized', message: expect.stringContaining('invalid signature') });
    expect(verifySasToken(token(audience, 'primary-key', 'nobody'), options)).toMatchObject({ ok: false, kind: 'unauthorized' });
    expect(verifySasToken(token(audience, 'primary-key', 'root', nowSec), options)).toMatchObject({ ok: false, message: expect.stringMatching(/^ExpiredToken/) });
    expect(verifySasToken('SharedAccessSignature sr=x&sig=y', options)).toMatchObject({ ok: false, message: expect.stringMatching(/^MalformedToken/) });
  });

  test('signs the raw sr text, so a lower-case percent-encoding (PHP style) verifies too', () => {
    const rawSr = 'http%3a%2f%2f127.0.0.1%2fhc1';
    const se = String(nowSec + 60);
    const sig = encodeURIComponent(signSas(rawSr, se, 'primary-key'));

    const verdict = verifySasToken(`SharedAccessSignature sig=${sig}&se=${se}&skn=root&sr=${rawSr}`, options);

    expect(verdict.ok).toBe(true);
  });

  test('finds entity rules before namespace rules with the same name', () => {
    const entityRule = { name: 'root', primaryKey: 'entity-key', rights: ['Listen'] };

    const verdict = verifySasToken(token('http://127.0.0.1/hc1', 'entity-key'), { ...options, ruleSets: [[entityRule], rules] });

    expect(verdict).toMatchObject({ ok: true, rights: ['Listen'] });
  });
});

describe('parseNamespaceFile', () => {
  test('reads a YAML namespace with entity rules', () => {
    const result = parseNamespaceFile(
      'rules:\n  - { name: root, primaryKey: k, rights: [Manage] }\nhybridConnections:\n  - name: hc1\n    requiresClientAuthorization: false\n    rules: [{ name: sender, primaryKey: s, rights: [Send] }]\n',
    );

    expect(result).toMatchObject({ ok: true, namespace: { hybridConnections: [{ name: 'hc1', requiresClientAuthorization: false }] } });
  });

  test('reports every issue with its path: unknown key, bad right, hc nobody can listen on', () => {
    const result = parseNamespaceFile(JSON.stringify({ rules: [{ name: 's', primaryKey: 'k', rights: ['Send'] }], hybridConnections: [{ name: 'hc1' }], extra: 1 }));
    const listenless = parseNamespaceFile(JSON.stringify({ rules: [{ name: 's', primaryKey: 'k', rights: ['Send'] }], hybridConnections: [{ name: 'hc1' }] }));

    expect(result.ok ? [] : result.issues.map((issue) => issue.path)).toEqual(['']);
    expect(listenless).toMatchObject({ ok: false, issues: [{ path: 'hybridConnections[0]' }] });
  });
});
