import { createServer, connect, type Server, type Socket } from 'node:net';

export type FaultMode = 'pass' | 'delay' | 'reset' | 'blackhole' | 'truncate';

export interface FaultProxy {
  url: string;
  counts: Record<FaultMode, number>;
  close(): Promise<void>;
}

/**
 * A TCP proxy on loopback that, per connection (one exchange each), passes traffic, delays it,
 * resets the connection, swallows it, or cuts the response short. `choose` picks the mode;
 * everything is bounded.
 */
export async function startFaultProxy(target: { host: string; port: number }, choose: () => FaultMode): Promise<FaultProxy> {
  const counts: Record<FaultMode, number> = { pass: 0, delay: 0, reset: 0, blackhole: 0, truncate: 0 };
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const mode = choose();
    counts[mode]++;
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    if (mode === 'blackhole') {
      client.on('data', () => {});
      setTimeout(() => client.destroy(), 5_000).unref();
      return;
    }
    const upstream = connect(target.port, target.host);
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    const later = (fn: () => void) => (mode === 'delay' ? setTimeout(fn, 30 + Math.random() * 150) : fn());
    client.on('data', (chunk) => {
      if (mode === 'reset' && Math.random() < 0.5) return client.resetAndDestroy();
      later(() => upstream.write(chunk));
    });
    let sent = 0;
    upstream.on('data', (chunk) => {
      if (mode === 'reset') return client.resetAndDestroy();
      if (mode === 'truncate') {
        const keep = Math.max(0, Math.floor(chunk.length / 2) - sent);
        sent += keep;
        if (keep > 0) client.write(chunk.subarray(0, keep));
        return client.destroy();
      }
      later(() => {
        client.write(chunk);
        // One exchange per connection, so keep-alive cannot hide the faults of the next one.
        setTimeout(() => client.end(), 20).unref();
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    counts,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
