// The dress rehearsal for real Azure: the emulator's namespace as the portal shows one, answering
// as `<ns>.servicebus.windows.net`. Production-shaped rules (App Service's `defaultListener` and
// `defaultSender` on each hybrid connection, the namespace's `RootManageSharedAccessKey`) and the
// `sb://` connection strings a portal lists for them. Pure: no sockets, no files, no printing.

import { formatConnectionString } from '../azure/connection-string.js';
import { createRandomKey, defaultRuleName, type NamespaceConfig } from './namespace.js';

/** Entity rule App Service creates for the Hybrid Connection Manager (Listen only). */
export const LISTEN_RULE = 'defaultListener';
/** Entity rule App Service creates for the app side (Send only). */
export const SEND_RULE = 'defaultSender';

/** Port the rehearsal advertises (Azure's wss port); the emulator is reached there through a resolve override. */
export const AZURE_WSS_PORT = 443;

/** The three connection strings of one hybrid connection, as a portal lists them. They carry keys. */
export interface RehearsalConnectionStrings {
  /** `defaultListener` (Listen): for the agent. */
  listen: string;
  /** `defaultSender` (Send): for the tunnel / forwarder. */
  send: string;
  /** `RootManageSharedAccessKey` (Manage, namespace level). */
  manage: string;
}

/** True for a plausible DNS name (letters, digits, `-`, dots; no port, no scheme). */
export function isNamespaceHost(name: string): boolean {
  return /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/.test(name);
}

/**
 * A namespace answering as `host` (token audiences for it are accepted) with Manage at namespace
 * level and Listen-only / Send-only rules on every hybrid connection, all with fresh random keys.
 */
export function createRehearsalNamespace(host: string, hybridConnectionNames: readonly string[]): NamespaceConfig {
  return {
    rules: [{ name: defaultRuleName, primaryKey: createRandomKey(), secondaryKey: createRandomKey(), rights: ['Manage'] }],
    hybridConnections: hybridConnectionNames.map((name) => ({
      name,
      rules: [
        { name: LISTEN_RULE, primaryKey: createRandomKey(), secondaryKey: createRandomKey(), rights: ['Listen'] },
        { name: SEND_RULE, primaryKey: createRandomKey(), secondaryKey: createRandomKey(), rights: ['Send'] },
      ],
    })),
    audienceHosts: [host.toLowerCase()],
  };
}

/** The portal's `Endpoint=sb://<host>/;...;EntityPath=<hc>` strings for one hybrid connection. */
export function rehearsalConnectionStrings(namespace: NamespaceConfig, host: string, hybridConnectionName: string): RehearsalConnectionStrings {
  const hc = namespace.hybridConnections.find((h) => h.name === hybridConnectionName);
  const rule = (name: string) => [...(hc?.rules ?? []), ...namespace.rules].find((r) => r.name === name);
  const build = (name: string): string => {
    const found = rule(name);
    if (found === undefined) throw new Error(`rehearsal namespace has no rule ${name} for ${hybridConnectionName}`);
    return formatConnectionString({ endpoint: `sb://${host}/`, keyName: found.name, key: found.primaryKey, entityPath: hybridConnectionName });
  };
  return { listen: build(LISTEN_RULE), send: build(SEND_RULE), manage: build(defaultRuleName) };
}
