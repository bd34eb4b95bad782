// A throwaway certificate authority and a server certificate for the emulator's wss:// mode,
// made with the system `openssl` (no extra npm dependency). Writes only inside its own temp folder.
//
// Trusting it: hyco-ws/hyco-https pass no TLS options to their sockets, so the only way to make
// them trust this CA is `NODE_EXTRA_CA_CERTS=<caCertPath>` in the environment of the process that
// runs them, set before that process starts (Node reads it once at start-up). ws 8 clients can
// pass `{ ca: caCertPem }` instead.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PathSetupError } from '../errors.js';

const run = promisify(execFile);

/** A generated CA and a server certificate signed by it, valid for 2 days. */
export interface TestCertificateAuthority {
  /** The CA certificate (PEM): what clients must trust. */
  caCertPem: string;
  /** Path of the CA certificate file, for `NODE_EXTRA_CA_CERTS`. Removed by `dispose()`. */
  caCertPath: string;
  /** Server certificate (PEM) for the relay, with the requested host names as subjectAltName. */
  certPem: string;
  /** Server private key (PEM, unencrypted ECDSA P-256). Never log it. */
  keyPem: string;
  /** Deletes the temp folder with all files. */
  dispose(): Promise<void>;
}

export interface CreateCaOptions {
  /** Names the server certificate is valid for (IPs and DNS names). Default `127.0.0.1`, `localhost`, `::1`. */
  hostNames?: string[];
  /** The openssl binary. Default `openssl` from PATH. */
  opensslPath?: string;
}

const ipPattern = /^(\d{1,3}\.){3}\d{1,3}$|:/;

/** Generates the CA and server certificate with ECDSA P-256 keys (cheap handshakes). */
export async function createTestCertificateAuthority(options: CreateCaOptions = {}): Promise<TestCertificateAuthority> {
  const openssl = options.opensslPath ?? 'openssl';
  const hostNames = options.hostNames ?? ['127.0.0.1', 'localhost', '::1'];
  const dir = await mkdtemp(join(tmpdir(), 'hcbench-relay-ca-'));
  const file = (name: string): string => join(dir, name);
  const curve = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const altNames = hostNames.map((name) => (ipPattern.test(name) ? `IP:${name}` : `DNS:${name}`)).join(',');
  try {
    await run(openssl, ['req', '-x509', ...curve, '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '2',
      '-subj', '/CN=hcbench relay emulator test CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    await run(openssl, ['req', ...curve, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', `/CN=${hostNames[0] ?? 'localhost'}`]);
    await writeFile(file('server.ext'), [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      `subjectAltName=${altNames}`,
      '',
    ].join('\n'));
    await run(openssl, ['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'),
      '-CAcreateserial', '-out', file('server.pem'), '-days', '2', '-extfile', file('server.ext')]);
    const [caCertPem, certPem, keyPem] = await Promise.all(['ca.pem', 'server.pem', 'server.key'].map((name) => readFile(file(name), 'utf8')));
    await rm(file('ca.key'));
    return {
      caCertPem: caCertPem ?? '',
      caCertPath: file('ca.pem'),
      certPem: certPem ?? '',
      keyPem: keyPem ?? '',
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (cause) {
    await rm(dir, { recursive: true, force: true });
    throw new PathSetupError('could not generate a test CA for the relay emulator with openssl', {
      cause,
      hint: 'install openssl, or run the relay without TLS (ws://)',
    });
  }
}
