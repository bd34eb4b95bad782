// The cloud role's side of a rehearsal path (scenario `relay-azure` with `rehearsal`): the emulator
// answering as <ns>.servicebus.windows.net with a generated CA for that name, advertising port 443,
// and what the endpoints need to reach it by name. The endpoints' side: {@link applyEndpointResolve}.

import { formatResolveOverride, parseResolveOverrides } from '../azure/resolve-override.js';
import { startRelay, type RelayServer } from '../relay/relay-server.js';
import { AZURE_WSS_PORT, createRehearsalNamespace, rehearsalConnectionStrings } from '../relay/rehearsal.js';
import { createTestCertificateAuthority } from '../relay/tls.js';
import type { RelayLogEvent } from '../relay/log.js';
import type { StartRelayResult } from '../roles/role-protocol.js';
import { installResolveOverrides } from '../tunnel/resolve-agent.js';

/** A started rehearsal relay; `close` also deletes the CA files. */
export interface RehearsalRelay {
  relay: RelayServer;
  result: StartRelayResult;
  close(): Promise<void>;
}

/** Starts the emulator as `host` on 127.0.0.1:0 with TLS for that name; the result carries keys (keep off logs). */
export async function startRehearsalRelay(host: string, hybridConnectionName: string, log: (event: RelayLogEvent) => void): Promise<RehearsalRelay> {
  const ca = await createTestCertificateAuthority({ hostNames: [host] });
  const namespace = createRehearsalNamespace(host, [hybridConnectionName]);
  let relay: RelayServer;
  try {
    relay = await startRelay({ namespace, tls: { certPem: ca.certPem, keyPem: ca.keyPem }, advertise: { host, port: AZURE_WSS_PORT }, log });
  } catch (error) {
    await ca.dispose();
    throw error;
  }
  const strings = rehearsalConnectionStrings(namespace, host, hybridConnectionName);
  const resolve = formatResolveOverride({ host, port: AZURE_WSS_PORT, address: relay.host, toPort: relay.port });
  return {
    relay,
    result: {
      url: relay.url,
      connectionString: strings.manage,
      rehearsal: { host, listenConnectionString: strings.listen, sendConnectionString: strings.send, resolve, caCertPem: ca.caCertPem },
    },
    close: async () => {
      await relay.close();
      await ca.dispose();
    },
  };
}

/** Installs an endpoint's `resolve` mappings and extra trusted CA (agent/forwarder params) in this process. */
export function applyEndpointResolve(params: { resolve?: string[]; extraCaPem?: string }): void {
  installResolveOverrides(parseResolveOverrides(params.resolve ?? []), params.extraCaPem);
}
