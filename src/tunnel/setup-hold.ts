// Reading a TCP socket while its relayed WebSocket is not open yet (waiting for a setup slot, or
// connecting). A paused socket is not polled at all, so a client that resets during setup would go
// unseen until the WebSocket opened (a burst of them held two descriptors each for the whole
// setup). Reading instead notices the reset at once; the bytes read meanwhile, and an end (FIN)
// after them, are held (bounded) and handed on when the WebSocket opens.

import type { Socket } from 'node:net';

/** Bytes held per connection during setup before reading pauses (the kernel queues the rest). */
export const SETUP_HOLD_BYTES = 64 * 1024;

/** The bytes read from a socket during setup. */
export interface SetupHold {
  /** True once the socket's end (FIN) was read; its 'end' event has then been emitted already. */
  readonly ended: boolean;
  /** Stops holding (the socket is left paused) and returns the chunks read so far, in order. */
  release(): Buffer[];
}

/** Starts reading `socket` (if still open) into a hold of at most about `limitBytes`. */
export function holdDuringSetup(socket: Socket, limitBytes = SETUP_HOLD_BYTES): SetupHold {
  const chunks: Buffer[] = [];
  let heldBytes = 0;
  let ended = false;
  const onData = (chunk: Buffer): void => {
    chunks.push(chunk);
    heldBytes += chunk.length;
    // A client that sends this much before the relay answers is seen resetting only after setup.
    if (heldBytes >= limitBytes) socket.pause();
  };
  const onEnd = (): void => {
    ended = true;
  };
  socket.on('data', onData);
  socket.once('end', onEnd);
  if (!socket.destroyed) socket.resume();
  return {
    get ended() {
      return ended;
    },
    release() {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.pause();
      return chunks.splice(0);
    },
  };
}
