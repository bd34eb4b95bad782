// HTTP mode with the unmodified hyco-https 1.4.5 listener and plain Node HTTP senders: GET, HEAD,
// 204, custom status, small and > 64 KiB requests and responses, 401, 502, 504, anonymous senders.

import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { describe, expect, test } from 'vitest';
import { startRelayFixture, type RelayFixture } from '../helpers/relay-fixture.js';
import { sendHttp, startHycoHttpsListener, type HycoHttpsRequest, type HycoHttpsResponse } from '../helpers/relay-hyco-https.js';

function readAll(request: HycoHttpsRequest): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    request.on('data', (chunk: Buffer | string) => chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)));
    request.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

async function listenHttp(fixture: RelayFixture, handler: (request: HycoHttpsRequest, response: HycoHttpsResponse) => void): Promise<void> {
  const listener = await startHycoHttpsListener(fixture.listenUri, fixture.token, handler);
  fixture.track(listener);
}

function senderUrl(fixture: RelayFixture, suffix = ''): string {
  return `http://127.0.0.1:${fixture.relay.port}/${fixture.hcName}${suffix}`;
}

describe('relay emulator HTTP mode with hyco-https', () => {
  test('relays a GET with its target, query and headers, and answers with the listener body and a Via header', async () => {
    const fixture = await startRelayFixture();
    const seen: { method: string; url: string; custom: string | undefined; auth: string | undefined }[] = [];
    await listenHttp(fixture, (request, response) => {
      seen.push({ method: request.method, url: request.url, custom: request.headers['custom'], auth: request.headers['servicebusauthorization'] });
      response.end('Hello');
    });

    const reply = await sendHttp(`${senderUrl(fixture, '/sub/path')}?x=1&sb-hc-id=abc&sb-hc-flag`, {
      headers: { ServiceBusAuthorization: fixture.token(), Custom: 'Hello' },
    });

    expect(reply.status).toBe(200);
    expect(reply.body.toString()).toBe('Hello');
    expect(reply.headers['via']).toBe('1.1 127.0.0.1');
    expect(seen).toEqual([{ method: 'GET', url: '/hc1/sub/path?x=1&sb-hc-flag', custom: 'Hello', auth: undefined }]);
    expect(fixture.relay.stats()).toMatchObject({ httpRequests: 1, httpResponses: 1, httpRendezvous: 0 });
  });

  test('answers HEAD and 204 without a body and keeps serving after hyco-https stray empty frames', async () => {
    const fixture = await startRelayFixture();
    await listenHttp(fixture, (request, response) => {
      if (request.url.endsWith('/empty')) response.statusCode = 204;
      response.end(request.method === 'HEAD' ? undefined : request.url.endsWith('/empty') ? undefined : 'body');
    });
    const headers = { ServiceBusAuthorization: fixture.token() };

    const head = await sendHttp(senderUrl(fixture), { method: 'HEAD', headers });
    const noContent = await sendHttp(senderUrl(fixture, '/empty'), { headers });
    const after = await sendHttp(senderUrl(fixture), { headers });

    expect([head.status, head.body.length]).toEqual([200, 0]);
    expect([noContent.status, noContent.body.length]).toEqual([204, 0]);
    expect([after.status, after.body.toString()]).toEqual([200, 'body']);
  });

  test('carries a custom status code and description', async () => {
    const fixture = await startRelayFixture();
    await listenHttp(fixture, (_request, response) => {
      response.writeHead(418, 'Teapot!', { 'X-Kind': 'teapot' });
      response.end('short and stout');
    });

    const reply = await sendHttp(senderUrl(fixture), { headers: { ServiceBusAuthorization: fixture.token() } });

    expect(reply).toMatchObject({ status: 418, statusMessage: 'Teapot!', headers: { 'x-kind': 'teapot' } });
    expect(reply.body.toString()).toBe('short and stout');
  });

  test('relays a small POST body on the control channel', async () => {
    const fixture = await startRelayFixture();
    await listenHttp(fixture, (request, response) => {
      void readAll(request).then((body) => response.end(Buffer.concat([Buffer.from('got:'), body])));
    });

    const reply = await sendHttp(senderUrl(fixture), { method: 'POST', headers: { ServiceBusAuthorization: fixture.token() }, body: 'small body' });

    expect(reply.body.toString()).toBe('got:small body');
    expect(fixture.relay.stats().httpRendezvous).toBe(0);
  });

  test('relays a 200 kB POST through a request rendezvous and a 300 kB response byte for byte', async () => {
    const fixture = await startRelayFixture();
    const requestBody = randomBytes(200_000);
    const responseBody = randomBytes(300_000);
    let received: Buffer | undefined;
    await listenHttp(fixture, (request, response) => {
      void readAll(request).then((body) => {
        received = body;
        response.end(responseBody);
      });
    });

    const reply = await sendHttp(senderUrl(fixture), { method: 'POST', headers: { ServiceBusAuthorization: fixture.token() }, body: requestBody });

    expect(received?.equals(requestBody)).toBe(true);
    expect(reply.status).toBe(200);
    expect(reply.body.equals(responseBody)).toBe(true);
    expect(fixture.relay.stats()).toMatchObject({ httpRendezvous: 1, httpResponses: 1 });
  });

  test('relays a chunked (streamed) sender body in one piece', async () => {
    const fixture = await startRelayFixture();
    const parts = [randomBytes(30_000), randomBytes(30_000), randomBytes(30_000)];
    let received: Buffer | undefined;
    let transferEncoding: string | undefined;
    await listenHttp(fixture, (request, response) => {
      transferEncoding = request.headers['transfer-encoding'];
      void readAll(request).then((body) => {
        received = body;
        response.end(String(body.length));
      });
    });

    const request = httpRequest(senderUrl(fixture), { method: 'POST', agent: false, headers: { ServiceBusAuthorization: fixture.token() }, signal: AbortSignal.timeout(20_000) });
    for (const part of parts) request.write(part);
    request.end();
    const [response] = (await once(request, 'response')) as [IncomingMessage];
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);

    expect(Buffer.concat(chunks).toString()).toBe('90000');
    expect(received?.equals(Buffer.concat(parts))).toBe(true);
    expect(transferEncoding).toBeUndefined();
  });

  test('answers a large response to a small request over the listener-opened response channel', async () => {
    const fixture = await startRelayFixture();
    const responseBody = randomBytes(100_000);
    await listenHttp(fixture, (_request, response) => {
      response.write(responseBody.subarray(0, 70_000));
      response.end(responseBody.subarray(70_000));
    });

    const reply = await sendHttp(senderUrl(fixture), { headers: { ServiceBusAuthorization: fixture.token() } });

    expect(reply.body.equals(responseBody)).toBe(true);
    expect(fixture.relay.stats().httpRendezvous).toBe(0);
  });

  test('refuses with 401 without a token and 502 (no Via) without a listener', async () => {
    const fixture = await startRelayFixture();

    const missing = await sendHttp(senderUrl(fixture));
    const noListener = await sendHttp(senderUrl(fixture), { headers: { ServiceBusAuthorization: fixture.token() } });

    expect(missing.status).toBe(401);
    expect(noListener).toMatchObject({ status: 502, statusMessage: 'There are no listeners connected for the endpoint.' });
    expect(noListener.headers['via']).toBeUndefined();
  });

  test('answers 504 when the listener never responds', async () => {
    const fixture = await startRelayFixture({ httpResponseTimeoutMs: 300 });
    await listenHttp(fixture, () => {});

    const reply = await sendHttp(senderUrl(fixture), { headers: { ServiceBusAuthorization: fixture.token() } });

    expect(reply.status).toBe(504);
    expect(reply.headers['via']).toBeUndefined();
    expect(fixture.relay.stats().rejects['http-timeout']).toBe(1);
  });

  test('serves consecutive requests from one keep-alive sender connection, each dispatched afresh', async () => {
    const fixture = await startRelayFixture();
    let count = 0;
    await listenHttp(fixture, (_request, response) => response.end(`reply ${(count += 1)}`));
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    fixture.track({ close: () => agent.destroy() });

    const replies: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      const reply = await sendHttp(senderUrl(fixture), { headers: { ServiceBusAuthorization: fixture.token() }, agent });
      replies.push(reply.body.toString());
    }

    expect(replies).toEqual(['reply 1', 'reply 2', 'reply 3']);
    expect(fixture.relay.stats()).toMatchObject({ httpRequests: 3, httpResponses: 3 });
  });

  test('charges both legs in each direction to an HTTP round trip', async () => {
    const fixture = await startRelayFixture({ delays: { senderLeg: { oneWayDelayMs: 5 }, listenerLeg: { oneWayDelayMs: 5 } } });
    await listenHttp(fixture, (_request, response) => response.end('late'));

    const startMs = performance.now();
    const reply = await sendHttp(senderUrl(fixture), { headers: { ServiceBusAuthorization: fixture.token() } });
    const elapsedMs = performance.now() - startMs;

    expect(reply.body.toString()).toBe('late');
    expect(elapsedMs).toBeGreaterThanOrEqual(20 - 0.1);
  });

  test('the first request on a new sender connection also pays its handshake round trips of the sender leg', async () => {
    const fixture = await startRelayFixture({ delays: { senderLeg: { oneWayDelayMs: 5 }, listenerLeg: { oneWayDelayMs: 5 }, handshakeRoundTrips: 2 } });
    await listenHttp(fixture, (_request, response) => response.end('late'));
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    fixture.track({ close: () => agent.destroy() });
    const timed = async (): Promise<number> => {
      const startMs = performance.now();
      const reply = await sendHttp(senderUrl(fixture), { headers: { ServiceBusAuthorization: fixture.token() }, agent });
      expect(reply.body.toString()).toBe('late');
      return performance.now() - startMs;
    };

    const firstMs = await timed();
    const keptAliveMs = await timed();

    // 2 round trips of the 5 ms sender leg (TCP, TLS) before the request's own 20 ms round trip.
    expect(firstMs).toBeGreaterThanOrEqual(20 + 20 - 0.1);
    expect(keptAliveMs).toBeGreaterThanOrEqual(20 - 0.1);
    expect(fixture.relay.stats()).toMatchObject({ httpRequests: 2, httpResponses: 2 });
  });

  test('lets anonymous senders through when the hc does not require client authorization', async () => {
    const fixture = await startRelayFixture({
      namespace: {
        rules: [{ name: 'RootManageSharedAccessKey', primaryKey: 'k', rights: ['Manage'] }],
        hybridConnections: [{ name: 'hc1', requiresClientAuthorization: false }],
      },
    });
    await listenHttp(fixture, (_request, response) => response.end('open'));

    const reply = await sendHttp(senderUrl(fixture));

    expect([reply.status, reply.body.toString()]).toEqual([200, 'open']);
  });
});
