/**
 * A CONNECT tunnel: opens a TCP connection to the address admit-target.ts
 * chose for the target (an IP literal: nothing is looked up again), answers
 * `200 Connection Established`, then copies bytes both ways. An end from one
 * side half-closes the other; an error or an abrupt close on either side
 * destroys both. A target that cannot be reached gets the client a 502. It
 * does not check the allowlist or write the audit log.
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Outcome } from './forward.js';
import { CLIENT_LEFT } from './forward.js';
import { unreachableReply, writeRawReply } from './replies.js';
import type { Target } from './target.js';

const ESTABLISHED = 'HTTP/1.1 200 Connection Established\r\n\r\n';

/**
 * `client` is the socket of the CONNECT request, `head` what the client sent
 * after its request head. Resolves once the tunnel is up or has failed.
 */
export function openTunnel(client: Socket, head: Buffer, target: Target, address: string): Promise<Outcome> {
  // The client may have left while the target was being resolved.
  if (client.destroyed) return Promise.resolve(CLIENT_LEFT);
  return new Promise((resolve) => {
    let established = false;
    const upstream = connect({ host: address, port: target.port, allowHalfOpen: true });

    const clientGone = (): void => {
      if (established) return;
      upstream.destroy();
      resolve(CLIENT_LEFT);
    };
    client.on('error', clientGone);
    client.on('close', clientGone);

    upstream.once('connect', () => {
      if (client.destroyed) return;
      established = true;
      client.write(ESTABLISHED);
      if (head.length > 0) upstream.write(head);
      splice(client, upstream);
      resolve({ status: 200 });
    });
    upstream.on('error', (error) => {
      if (established) return; // splice destroys both sides
      const reply = unreachableReply(target, error);
      writeRawReply(client, reply);
      resolve({ status: reply.status, reason: reply.reason });
    });
  });
}

/** Copies bytes both ways until both directions have ended; on trouble, destroys both. */
function splice(a: Duplex, b: Duplex): void {
  a.pipe(b);
  b.pipe(a);
  const destroyBoth = (): void => {
    a.destroy();
    b.destroy();
  };
  a.on('error', destroyBoth);
  b.on('error', destroyBoth);
  // A side that closed after both directions ended leaves the other to finish
  // its last writes; any other close (a reset, a shutdown) ends the tunnel.
  const closeOther = (other: Duplex) => (): void => {
    if (!(other.readableEnded && other.writableEnded)) other.destroy();
  };
  a.on('close', closeOther(b));
  b.on('close', closeOther(a));
}
