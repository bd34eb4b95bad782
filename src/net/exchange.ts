// One request/response exchange on an open TCP socket: write bytes, wait until at least
// `expectBytes` came back, bounded in time. Shared by calibrate and the bench helpers.

import type net from 'node:net';

/** Writes `request` and resolves once `expectBytes` have arrived; rejects on timeout or close. */
export function exchangeOnce(socket: net.Socket, request: Buffer, expectBytes: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let received = 0;
    const timer = setTimeout(() => finish(new Error('round trip timeout')), timeoutMs);
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received >= expectBytes) finish();
    };
    const onClose = () => finish(new Error('connection closed before the response'));
    const finish = (error?: Error) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      if (error === undefined) resolve();
      else reject(error);
    };
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.write(request);
  });
}
