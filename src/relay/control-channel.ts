// Listener control channels: the registry per hybrid connection (≤ 25 each, random pick) and the
// handling of listener commands (`renewToken`; everything else ignored). Does no HTTP routing.

import type { RawData, WebSocket } from 'ws';
import type { AuthResult } from './auth.js';
import type { Shaper } from './delay.js';
import type { RelayLogSink } from './log.js';

/** One registered listener. */
export interface ControlChannel {
  ws: WebSocket;
  /** Configured name of the hybrid connection. */
  hcName: string;
  /** Expiry (Unix s) of the token that registered or last renewed it. */
  expiresAtSec: number;
  /** Listener-leg shaper for relay→listener control messages (keeps them in order). */
  toListener: Shaper;
}

/** Sends one JSON command to the listener through its leg's shaper. */
export function sendCommand(channel: ControlChannel, command: object): void {
  sendFrames(channel, [JSON.stringify(command)]);
}

/**
 * Sends messages back to back through the leg's shaper (strings as text, Buffers as binary). They
 * are submitted together, so nothing can come between a `request` and its body message.
 */
export function sendFrames(channel: ControlChannel, frames: readonly (string | Buffer)[]): void {
  for (const frame of frames) {
    const bytes = typeof frame === 'string' ? Buffer.byteLength(frame) : frame.length;
    channel.toListener.submit(bytes, () => {
      if (channel.ws.readyState === channel.ws.OPEN) channel.ws.send(frame, { binary: typeof frame !== 'string' });
    });
  }
}

/** Open control channels by hybrid connection name. */
export class ListenerRegistry {
  private readonly byHc = new Map<string, Set<ControlChannel>>();

  count(hcName: string): number {
    return this.byHc.get(hcName)?.size ?? 0;
  }

  add(channel: ControlChannel): void {
    let set = this.byHc.get(channel.hcName);
    if (set === undefined) {
      set = new Set();
      this.byHc.set(channel.hcName, set);
    }
    set.add(channel);
  }

  remove(channel: ControlChannel): void {
    this.byHc.get(channel.hcName)?.delete(channel);
  }

  /** A uniformly random open listener of the hc, or undefined when there is none. */
  pick(hcName: string, random: () => number = Math.random): ControlChannel | undefined {
    const open = [...(this.byHc.get(hcName) ?? [])].filter((channel) => channel.ws.readyState === channel.ws.OPEN);
    return open[Math.floor(random() * open.length)];
  }

  all(): ControlChannel[] {
    return [...this.byHc.values()].flatMap((set) => [...set]);
  }

  /** Listener counts per hc name, for stats (hcs without listeners show 0 once seen). */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.byHc].map(([name, set]) => [name, set.size]));
  }
}

export interface ControlChannelHooks {
  /** Verifies a renewal token for Listen on this channel's hc. */
  authorizeRenewal: (token: string) => AuthResult;
  onIgnoredMessage: () => void;
  onRenewed: () => void;
  /** A `response` command (HTTP mode); returns false if it matched no pending request. */
  onResponse: (value: unknown) => boolean;
  /** A binary message; returns false if no response body was expected. */
  onBinary: (data: RawData) => boolean;
  onClose: () => void;
  log: RelayLogSink;
}

function parseCommand(data: RawData): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(data.toString());
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Wires the listener's messages: `renewToken` swaps the expiry (or closes 1008), `response` and
 * its body go to the HTTP-mode reader; anything else (junk, unknown commands, stray binary) is ignored.
 */
export function serveControlChannel(channel: ControlChannel, hooks: ControlChannelHooks): void {
  const { ws } = channel;
  ws.on('error', () => {});
  ws.on('close', () => {
    channel.toListener.clear();
    hooks.onClose();
  });
  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (isBinary && hooks.onBinary(data)) return;
    const command = isBinary ? undefined : parseCommand(data);
    if (command !== undefined && 'response' in command && hooks.onResponse(command['response'])) return;
    const renew = command?.['renewToken'];
    if (typeof renew !== 'object' || renew === null) {
      hooks.onIgnoredMessage();
      hooks.log({ level: 'debug', event: 'control-message-ignored', hc: channel.hcName });
      return;
    }
    const token = (renew as Record<string, unknown>)['token'];
    const result = typeof token === 'string' ? hooks.authorizeRenewal(token) : undefined;
    if (result?.ok === true && result.expiresAtSec !== undefined) {
      channel.expiresAtSec = result.expiresAtSec;
      hooks.onRenewed();
      hooks.log({ level: 'debug', event: 'token-renewed', hc: channel.hcName });
      return;
    }
    hooks.log({ level: 'warn', event: 'token-renewal-refused', hc: channel.hcName, code: 1008 });
    ws.close(1008, 'Token renewal failed.');
  });
}
