// An in-process relay emulator answering as a production-shaped namespace (TLS certificate for that
// name, advertised wss port 443) with this process's resolve override mapping the name to its
// bound port on 127.0.0.1, plus the portal-shaped connection strings of one hybrid connection.

import type { RelayOptions } from '../../src/relay/relay-server.js';
import { parseResolveOverride } from '../../src/azure/resolve-override.js';
import { AZURE_WSS_PORT, createRehearsalNamespace, rehearsalConnectionStrings } from '../../src/relay/rehearsal.js';
import { startRelay, type RelayServer } from '../../src/relay/relay-server.js';
import { createTestCertificateAuthority, type TestCertificateAuthority } from '../../src/relay/tls.js';
import { installResolveOverrides } from '../../src/tunnel/resolve-agent.js';

/** A running rehearsal; `close()` stops the relay and removes the CA files. */
export interface RehearsalRelay {
  relay: RelayServer;
  ca: TestCertificateAuthority;
  /** Listen-only, Send-only and Manage connection strings of `hc`. */
  strings: ReturnType<typeof rehearsalConnectionStrings>;
  close(): Promise<void>;
}

/** Starts the emulator as `namespaceHost` with one hybrid connection `hc` and installs the name mapping. */
export async function startRehearsalRelay(namespaceHost: string, hc: string, options: Pick<RelayOptions, 'tokenExpiry'> = {}): Promise<RehearsalRelay> {
  const ca = await createTestCertificateAuthority({ hostNames: [namespaceHost] });
  const namespace = createRehearsalNamespace(namespaceHost, [hc]);
  const relay = await startRelay({
    namespace,
    tls: { certPem: ca.certPem, keyPem: ca.keyPem },
    advertise: { host: namespaceHost, port: AZURE_WSS_PORT },
    ...options,
  });
  // The certificate names only the namespace: every socket must dial it (mapped to the bound port) to verify.
  installResolveOverrides([parseResolveOverride(`${namespaceHost}:443:127.0.0.1:${relay.port}`)], ca.caCertPem);
  return {
    relay,
    ca,
    strings: rehearsalConnectionStrings(namespace, namespaceHost, hc),
    close: async () => {
      await relay.close();
      await ca.dispose();
    },
  };
}
