// Which WebSocket frame masking our relayed sockets run. Every byte a WebSocket client sends is
// masked and every byte a server receives unmasked: ws 1.1.5 (under hyco-ws: the forwarder's and
// agent's relayed sockets) and ws 8 (the emulator, the ws8 client stack) do it natively through the
// optional `bufferutil` package, or else in JavaScript. JavaScript masking made the agent CPU-bound
// on bulk transfers (a 2 MiB response took 66 ms through the emulated relay on loopback instead of
// 11 ms), a cost of our endpoints, not of Azure's relay path: results record which one ran
// (run/environment.ts) and reports warn when it was JavaScript (analysis/warnings.ts).

import { createRequire } from 'node:module';

/** How a library masks frames: natively (bufferutil) or with its JavaScript fallback. */
export type FrameMasking = 'native' | 'javascript';

/** The key of `RunEnvironment.libraries` that records hyco-ws's frame masking. */
export const HYCO_WS_MASKING_KEY = 'hyco-ws frame masking';

const require = createRequire(import.meta.url);

const isNative = (fn: unknown): boolean => typeof fn === 'function' && Function.prototype.toString.call(fn).includes('[native code]');

/**
 * What ws 1.1.5 under hyco-ws loaded as its `BufferUtil` (a native `mask` from bufferutil, or its
 * `BufferUtil.fallback.js`). 'javascript' also when it cannot be read at all.
 */
export function hycoWsFrameMasking(): FrameMasking {
  try {
    const fromHycoWs = createRequire(require.resolve('hyco-ws'));
    const util = fromHycoWs('ws/lib/BufferUtil') as { mask?: unknown } | undefined;
    return isNative(util?.mask) ? 'native' : 'javascript';
  } catch {
    return 'javascript';
  }
}

/** The warning for results and consoles when hyco-ws masked frames in JavaScript. */
export const JAVASCRIPT_MASKING_WARNING =
  'hyco-ws masks WebSocket frames in JavaScript here (the optional package bufferutil did not load): the forwarder and agent ' +
  'spend several times the CPU per relayed byte, so bulk transfers read slower than the relay path makes them; ' +
  'reinstall with optional dependencies (npm install --include=optional)';
