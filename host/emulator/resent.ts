// Tells a retransmitted datagram from a new one by its records (RFC 6347 4.2.4: a
// retransmitted flight carries the same handshake fragments under new record numbers). Used
// on the server's datagrams, whose retransmissions the server does not report to us.
export class ResendDetector {
  private seen = new Set<string>();
  count = 0;

  /** Looks at one datagram; true when every record in it was already sent. */
  check(d: Uint8Array): boolean {
    const keys: string[] = [];
    for (let p = 0; p + 13 <= d.length;) {
      const type = d[p], epoch = (d[p + 3] << 8) | d[p + 4], len = (d[p + 11] << 8) | d[p + 12];
      if (type === 23 || type === 21 || type === 24) return false; // application data, alert, heartbeat: not a flight
      const body = d.subarray(p + 13, p + 13 + len);
      // Epoch 0 handshake: message type, message_seq, fragment offset and length; later
      // epochs (encrypted: the Finished) and ChangeCipherSpec by type and epoch.
      keys.push(type === 22 && epoch === 0 && body.length >= 12
        ? `hs ${body[0]} ${(body[4] << 8) | body[5]} ${Buffer.from(body.subarray(6, 12)).toString("hex")}` : `${type} ${epoch}`);
      p += 13 + len;
    }
    const resent = keys.length > 0 && keys.every((k) => this.seen.has(k));
    for (const k of keys) this.seen.add(k);
    if (resent) this.count++;
    return resent;
  }
}
