// Test fixture for relay tests: starts the emulator on 127.0.0.1:0 with a namespace, hands out
// URIs and tokens, tracks hyco listeners and sockets and closes them (listeners first) at test end.

import { onTestFinished } from 'vitest';
import { connectUri, listenUri, parseConnectionString, tokenAudience, tokenProvider } from '../../src/azure/connection-string.js';
import { createSasToken } from '../../src/azure/sas-token.js';
import { createDefaultNamespace, type NamespaceConfig } from '../../src/relay/namespace.js';
import { startRelay, type RelayOptions, type RelayServer } from '../../src/relay/relay-server.js';
import { startHycoListener, type HycoListener, type HycoSocket } from './relay-hyco.js';

export interface RelayFixture {
  relay: RelayServer;
  namespace: NamespaceConfig;
  hcName: string;
  listenUri: string;
  connectUri: string;
  /** A fresh token of the default Manage rule for the hc audience (`http://127.0.0.1:<port>/<hc>`). */
  token(): string;
  /** A token for `keyName`/`key`, valid `ttlSec` from now, for `audience` (default: the hc audience). */
  tokenFor(keyName: string, key: string, options?: { ttlSec?: number; audience?: string; expiresAtSec?: number }): string;
  /** Listen and connect URIs and a fresh Manage token for another hybrid connection of the namespace. */
  endpointsFor(hcName: string): { listenUri: string; connectUri: string; token: () => string };
  /** Starts a hyco-ws listener, closed before the relay at test end. */
  listen(
    onOpenConnection?: (ws: HycoSocket) => void,
    token?: string | (() => string),
    options?: { listenUri?: string; shouldRetry?: boolean },
  ): Promise<HycoListener>;
  /** Registers anything with a close() or terminate() to be closed before the relay. */
  track(resource: { close(): unknown } | { terminate(): unknown }): void;
}

/** Starts a relay for the current test; everything is closed when the test finishes. */
export async function startRelayFixture(
  options: Partial<RelayOptions> & { hcName?: string } = {},
): Promise<RelayFixture> {
  const hcName = options.hcName ?? 'hc1';
  const namespace = options.namespace ?? createDefaultNamespace(hcName);
  const relay = await startRelay({ ...options, namespace });
  const listeners: HycoListener[] = [];
  const resources: ({ close(): unknown } | { terminate(): unknown })[] = [];
  onTestFinished(async () => {
    await Promise.all(listeners.map((listener) => listener.close()));
    for (const resource of resources) {
      try {
        if ('terminate' in resource) resource.terminate();
        else await resource.close();
      } catch {
        // already closed
      }
    }
    await relay.close();
  });
  const rule = namespace.rules[0];
  const connection = parseConnectionString(relay.connectionString(hcName));
  const defaultToken = rule === undefined ? () => '' : tokenProvider(connection);
  return {
    relay,
    namespace,
    hcName,
    listenUri: listenUri(connection),
    connectUri: connectUri(connection),
    token: defaultToken,
    tokenFor(keyName, key, tokenOptions = {}) {
      return createSasToken({
        resourceUri: tokenOptions.audience ?? tokenAudience(connection),
        keyName,
        key,
        expiresAtSec: tokenOptions.expiresAtSec ?? Math.floor(Date.now() / 1000) + (tokenOptions.ttlSec ?? 3600),
      });
    },
    endpointsFor(otherHc) {
      const other = parseConnectionString(relay.connectionString(otherHc));
      return { listenUri: listenUri(other), connectUri: connectUri(other), token: tokenProvider(other) };
    },
    async listen(onOpenConnection, token, listenOptions = {}) {
      const listener = await startHycoListener(
        listenOptions.listenUri ?? listenUri(connection),
        token ?? defaultToken,
        onOpenConnection,
        { shouldRetry: listenOptions.shouldRetry ?? false, onCreated: (created) => listeners.push(created) },
      );
      return listener;
    },
    track(resource) {
      resources.push(resource);
    },
  };
}
