// Turns off Node's per-call check behind the `new Buffer()` deprecation (DEP0005) in processes that
// run hyco-ws. hyco-ws bundles ws 1.1.5, which calls `new Buffer()` for every handshake key, every
// receiver and every frame; each call makes Node capture a stack trace to see whether the caller
// sits in node_modules (no warning then), for the first 10,000 calls of a process. Profiled in the
// forwarder and the agent: 300-400 µs of CPU per relayed connection during those calls. Node skips
// the check for good once it has warned, so this warns once with deprecation output muted; hyco-ws
// itself runs unchanged.

/** Makes later `new Buffer()` calls skip the stack capture; prints nothing. Idempotent. */
export function skipBufferDeprecationCheck(): void {
  const saved = process.noDeprecation;
  process.noDeprecation = true;
  try {
    // The deprecated call itself, from outside node_modules: Node then marks the warning as given.
    (Buffer as unknown as (size: number) => Buffer)(0);
  } finally {
    process.noDeprecation = saved;
  }
}
