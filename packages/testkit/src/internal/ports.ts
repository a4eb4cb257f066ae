import { createServer, type Server } from 'node:net';
import { KafkaStartError } from '../errors.js';

/** The only interface the local broker listens on: nothing here is reachable from outside. */
export const LOOPBACK = '127.0.0.1';

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: LOOPBACK, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * Picks `count` distinct free TCP ports on 127.0.0.1 by letting the OS assign them. All sockets
 * stay open until every port is chosen, so the ports differ from each other; another process
 * may still take one before the broker binds it, which the broker then reports in its log.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await listen(0));
    return servers.map((server) => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        throw new Error(`unexpected server address ${String(address)}`);
      }
      return address.port;
    });
  } finally {
    await Promise.all(servers.map(close));
  }
}

/**
 * Fails with a {@link KafkaStartError} naming the port when `port` on 127.0.0.1 cannot be bound,
 * so a taken port is reported before a JVM is started rather than buried in the broker's log.
 */
export async function assertPortFree(port: number, purpose: string): Promise<void> {
  let server: Server;
  try {
    server = await listen(port);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? 'is already in use' : `cannot be bound (${code ?? String(error)})`;
    throw new KafkaStartError(
      `Port ${port} on ${LOOPBACK} ${why}, so the Kafka broker cannot use it as its ${purpose}. ` +
        'Stop whatever holds it, or ask for another port (port 0 picks a free one).',
      { reason: 'port', port, cause: error },
    );
  }
  await close(server);
}
