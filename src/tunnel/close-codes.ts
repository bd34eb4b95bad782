// How TCP connection endings map to WebSocket close codes and back, for both tunnel endpoints.
// Pure constants and functions; the pump applies them. No sockets here.
//
// WebSocket has no half-close, and the relay carries only messages and close frames. TCP reads
// never yield empty chunks, so both endpoints use an EMPTY BINARY MESSAGE as the FIN marker; a
// peer that does not know the convention writes zero bytes, i.e. ignores it. The mapping (the same
// on the forwarder and the agent):
//
// | event on side A                     | A sends to the relay            | side B does to its TCP socket    |
// |-------------------------------------|---------------------------------|----------------------------------|
// | TCP FIN read (peer called end())    | empty binary message, after all | end(): FIN, after writing every  |
// |                                     | data; keeps carrying B -> A     | byte received before the marker  |
// | FIN seen in both directions         | close 1000 "fin"                | (already ended)                  |
// | TCP RST / socket error              | close 4000 "reset"              | resetAndDestroy(): RST           |
// | agent cannot connect to the target  | close 4002 "target <errno>"     | RST; counted `target-unreachable`|
// | idle for idleTimeoutMs              | close 4003 "idle", own FIN      | end(): FIN                       |
// | agent at its connection limit       | close 4004 "connection limit"   | RST; counted `connection-limit`  |
// | endpoint shutting down (close())    | close 1001 "going away", RST    | RST                              |
// | WebSocket error / abnormal end 1006 | (nothing left to send)          | RST                              |
// | close 1000 / 1005 without markers   | —                               | end(): FIN                       |
//
// So a client that half-closes (sends a request, then FIN, then reads the answer) works end to
// end, and a server's FIN reaches the client as a FIN, not as a reset.
//
// Limit: on Linux, an RST that arrives while received bytes are still unread (e.g. a client that
// writes and resets at once, even while the tunnel reads it during setup) is reported by the
// socket as data + EOF, so it is carried as a FIN. An RST on an idle or fully read socket is
// reported, and carried, as a reset.

/** Close code sent when the local TCP peer ended its side cleanly (FIN). */
export const CLOSE_FIN = 1000;
/** Close code sent when a tunnel endpoint shuts down with connections still open. */
export const CLOSE_GOING_AWAY = 1001;
/** Close code ws reports when a close frame carried no code; treated like 1000. */
export const CLOSE_NO_STATUS = 1005;
/** Private close code: the local TCP peer reset the connection (RST) or the socket failed. */
export const CLOSE_RESET = 4000;
/** Private close code: the agent could not connect to the target; reason names the errno. */
export const CLOSE_TARGET_UNREACHABLE = 4002;
/** Private close code: the connection was idle for longer than the idle timeout. */
export const CLOSE_IDLE = 4003;
/** Private close code: the agent refused the connection at its connection limit (before dialling the target). */
export const CLOSE_CONNECTION_LIMIT = 4004;

/** What the receiving side does to its TCP socket when the WebSocket closes with `code`. */
export function tcpActionForClose(code: number): 'fin' | 'reset' {
  return code === CLOSE_FIN || code === CLOSE_NO_STATUS || code === CLOSE_IDLE ? 'fin' : 'reset';
}

/** True when a close code may be sent by an application (ws 1.1.5 and ws 8 both accept it). */
export function isSendableCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) || (code >= 3000 && code <= 4999);
}

/** Makes `text` a valid close reason: printable ASCII only, at most the 123 bytes a close frame carries. */
export function closeReason(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 123);
}
