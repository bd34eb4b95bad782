// Serves small synchronous `crypto.randomBytes` calls from a pool, in processes that run hyco-ws.
// hyco-ws bundles ws 1.1.5, whose sender draws every frame's 4-byte masking key with its own
// `crypto.randomBytes(4)`: one call into OpenSSL per frame, 5.1 µs each on the 2-core VM (200,000
// calls; a 64 B buffer write is 0.07 µs), paid by the forwarder on each request and by the agent
// on each response, in the round trip's critical path. ws 8 fills an 8 KiB pool with
// `randomFillSync` and slices keys from it; this does the same for hyco-ws without changing it.
// The bytes come from the same CSPRNG, and each caller gets a buffer of its own (a copy; the served
// pool bytes are zeroed). Calls with a callback, or for more than MAX_POOLED_BYTES, go to Node's own
// function. Our code imports `randomBytes` by name (an ESM binding this does not touch); hyco-ws's
// `require('crypto')` sees the module object, and so the pooled function.

import crypto from 'node:crypto';

/** Bytes drawn from the CSPRNG at a time. */
const POOL_BYTES = 8192;
/** Larger requests are not served from the pool. */
const MAX_POOLED_BYTES = 256;

type RandomBytes = typeof crypto.randomBytes;

/** The pooled function while installed: a second install finds it on the module object. */
let installed: RandomBytes | undefined;

/**
 * Replaces `crypto.randomBytes` on the module object with the pooled version; returns what undoes
 * it (a no-op when another call had installed it already). Idempotent.
 */
export function poolRandomBytes(): () => void {
  if (crypto.randomBytes === installed) return () => undefined;
  const original = crypto.randomBytes;
  const pool = Buffer.allocUnsafeSlow(POOL_BYTES);
  let offset = POOL_BYTES;
  const pooled = function randomBytes(this: unknown, size: number, callback?: unknown): Buffer {
    if (callback !== undefined || !Number.isInteger(size) || size < 0 || size > MAX_POOLED_BYTES) {
      return (original as (...args: unknown[]) => Buffer).apply(crypto, Array.from(arguments));
    }
    if (offset + size > POOL_BYTES) {
      crypto.randomFillSync(pool);
      offset = 0;
    }
    const out = Buffer.allocUnsafe(size);
    pool.copy(out, 0, offset, offset + size);
    pool.fill(0, offset, offset + size);
    offset += size;
    return out;
  } as RandomBytes;
  crypto.randomBytes = pooled;
  installed = pooled;
  return () => {
    if (crypto.randomBytes !== pooled) return;
    crypto.randomBytes = original;
    installed = undefined;
  };
}
