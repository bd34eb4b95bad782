// One TCP connect to a target, bounded by a deadline and an abort signal: does anything accept
// connections there? Used before a run's first step so a target that refuses every connection is
// reported as such within a second, not measured as hundreds of resets. Never throws.

import { connect } from 'node:net';

/** The outcome of one probe. */
export type ProbeResult = { ok: true } | { ok: false; code: string; message: string };

/** Connects once to `host:port` and closes at once; `timeoutMs` bounds the attempt (default 1000). */
export function probeTarget(address: { host: string; port: number }, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ProbeResult> {
  const timeoutMs = options.timeoutMs ?? 1000;
  return new Promise((resolve) => {
    if (options.signal?.aborted === true) {
      resolve({ ok: false, code: 'ABORTED', message: 'aborted before the probe' });
      return;
    }
    const socket = connect({ host: address.host, port: address.port });
    let isDone = false;
    const finish = (result: ProbeResult): void => {
      if (isDone) return;
      isDone = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(result);
    };
    const onAbort = (): void => finish({ ok: false, code: 'ABORTED', message: 'aborted during the probe' });
    const timer = setTimeout(() => finish({ ok: false, code: 'ETIMEDOUT', message: `no answer within ${timeoutMs} ms` }), timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish({ ok: true }));
    socket.once('error', (error: NodeJS.ErrnoException) => finish({ ok: false, code: error.code ?? 'ERROR', message: error.message }));
  });
}
