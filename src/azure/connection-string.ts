// Azure Relay connection strings: parse them and derive the WebSocket URIs and SAS audiences
// that the forwarder (sender) and agent (listener) use. Pure; never logs the key.

import { createSasToken } from './sas-token.js';

/** A parsed `Endpoint=...;SharedAccessKeyName=...;SharedAccessKey=...;EntityPath=...` string. */
export interface RelayConnection {
  /**
   * Base URL of the namespace for WebSockets: `wss://<ns>:443` for `sb://` endpoints (real Azure),
   * or the emulator's own `ws://127.0.0.1:<port>` / `wss://127.0.0.1:<port>` as given.
   */
  baseUrl: string;
  /** Host (and port, if not the default) used as the SAS audience host. */
  host: string;
  /** Hybrid connection name (`EntityPath`). */
  entityPath: string;
  keyName?: string;
  key?: string;
  /** A ready-made token (`SharedAccessSignature=` key) used instead of a key. */
  sharedAccessSignature?: string;
}

/**
 * A connection string could not be parsed. The message names parts by position and keys by their
 * known names only: it never contains any text of the string (a misplaced `;` can put a piece of
 * the key anywhere, even where a key name is expected).
 */
export class ConnectionStringError extends Error {}

/** Keys a Relay connection string may hold (RelayConnectionStringBuilder); others are refused. */
const KNOWN_KEYS = ['endpoint', 'sharedaccesskeyname', 'sharedaccesskey', 'sharedaccesssignature', 'entitypath', 'operationtimeout', 'authentication'];
const KNOWN_KEY_NAMES = 'Endpoint, SharedAccessKeyName, SharedAccessKey, SharedAccessSignature, EntityPath, OperationTimeout, Authentication';
const HIDDEN = '(its text is not shown: it may hold the key)';

/** Parses a connection string; keys are case-insensitive, values split at the first `=`. */
export function parseConnectionString(text: string, entityPathOverride?: string): RelayConnection {
  const fields = new Map<string, string>();
  const parts = text.split(';');
  for (const [index, part] of parts.entries()) {
    const trimmed = part.trim();
    if (trimmed === '') continue;
    const eq = trimmed.indexOf('=');
    const where = `connection string part ${index + 1} of ${parts.length}`;
    if (eq <= 0) throw new ConnectionStringError(`${where} is not key=value ${HIDDEN}; a key containing ';' must not be split`);
    const key = trimmed.slice(0, eq).trim().toLowerCase();
    if (!KNOWN_KEYS.includes(key)) throw new ConnectionStringError(`${where} has an unknown key ${HIDDEN}; known keys: ${KNOWN_KEY_NAMES}`);
    if (fields.has(key)) throw new ConnectionStringError(`${where} repeats a key already given ${HIDDEN}`);
    fields.set(key, trimmed.slice(eq + 1).trim());
  }
  const endpoint = fields.get('endpoint');
  if (endpoint === undefined) throw new ConnectionStringError('connection string has no Endpoint');
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ConnectionStringError(`connection string Endpoint is not a URL ${HIDDEN}`);
  }
  let baseUrl: string;
  if (url.protocol === 'sb:' || url.protocol === 'https:') {
    baseUrl = `wss://${url.hostname}:${url.port === '' ? '443' : url.port}`;
  } else if (url.protocol === 'ws:' || url.protocol === 'wss:') {
    baseUrl = `${url.protocol}//${url.host}`;
  } else {
    throw new ConnectionStringError(`connection string Endpoint must start with sb://, ws:// or wss:// ${HIDDEN}`);
  }
  const entityPath = entityPathOverride ?? fields.get('entitypath');
  if (entityPath === undefined || entityPath === '') {
    throw new ConnectionStringError('connection string has no EntityPath (the hybrid connection name)');
  }
  const keyName = fields.get('sharedaccesskeyname');
  const key = fields.get('sharedaccesskey');
  const sharedAccessSignature = fields.get('sharedaccesssignature');
  if (sharedAccessSignature === undefined && (keyName === undefined || key === undefined)) {
    throw new ConnectionStringError('connection string needs SharedAccessKeyName and SharedAccessKey, or SharedAccessSignature');
  }
  // Keys and signatures never contain white space; one that does was pasted broken (line wrap).
  if ((key !== undefined && /[\s\x00-\x1f]/.test(key)) || (sharedAccessSignature !== undefined && /[\x00-\x1f]/.test(sharedAccessSignature))) {
    throw new ConnectionStringError(`connection string SharedAccessKey or SharedAccessSignature contains a line break or other white space ${HIDDEN}`);
  }
  return {
    baseUrl,
    host: url.host,
    entityPath,
    ...(keyName === undefined ? {} : { keyName }),
    ...(key === undefined ? {} : { key }),
    ...(sharedAccessSignature === undefined ? {} : { sharedAccessSignature }),
  };
}

/** Builds a connection string (the emulator prints one; tests build them). */
export function formatConnectionString(parts: {
  endpoint: string;
  keyName: string;
  key: string;
  entityPath: string;
}): string {
  return `Endpoint=${parts.endpoint};SharedAccessKeyName=${parts.keyName};SharedAccessKey=${parts.key};EntityPath=${parts.entityPath}`;
}

/** `<base>/$hc/<entity>?sb-hc-action=listen` — the listener's control-channel URI. */
export function listenUri(connection: RelayConnection): string {
  return `${connection.baseUrl}/$hc/${connection.entityPath}?sb-hc-action=listen`;
}

/** `<base>/$hc/<entity>?sb-hc-action=connect` — a sender's URI. */
export function connectUri(connection: RelayConnection): string {
  return `${connection.baseUrl}/$hc/${connection.entityPath}?sb-hc-action=connect`;
}

/** The SAS audience for the hybrid connection: `http://<host>/<entity>`. */
export function tokenAudience(connection: RelayConnection): string {
  return `http://${connection.host}/${connection.entityPath}`;
}

/**
 * Returns a function that makes a fresh token valid for `ttlSec` from `nowMs()`, or the fixed
 * `SharedAccessSignature` of the connection string.
 */
export function tokenProvider(
  connection: RelayConnection,
  ttlSec = 3600,
  nowMs: () => number = Date.now,
): () => string {
  const fixed = connection.sharedAccessSignature;
  if (fixed !== undefined) return () => fixed;
  const { keyName, key } = connection;
  if (keyName === undefined || key === undefined) throw new ConnectionStringError('no key to sign tokens with');
  return () =>
    createSasToken({
      resourceUri: tokenAudience(connection),
      keyName,
      key,
      expiresAtSec: Math.floor(nowMs() / 1000) + ttlSec,
    });
}
