import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KafkaStartError } from '../src/errors.js';
import { assertPortFree, freePorts } from '../src/internal/ports.js';

let held: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (held ? held.close(() => resolve()) : resolve()));
  held = undefined;
});

function holdPort(): Promise<number> {
  return new Promise((resolve) => {
    held = createServer();
    held.listen(0, '127.0.0.1', () => {
      const address = held!.address();
      resolve(typeof address === 'object' && address !== null ? address.port : -1);
    });
  });
}

describe('freePorts', () => {
  it('returns distinct ports that can be bound on 127.0.0.1', async () => {
    const ports = await freePorts(3);
    expect(new Set(ports).size).toBe(3);
    for (const port of ports) await expect(assertPortFree(port, 'client port')).resolves.toBeUndefined();
  });
});

describe('assertPortFree', () => {
  it('names the taken port in a KafkaStartError', async () => {
    const port = await holdPort();
    const error = await assertPortFree(port, 'client port').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaStartError);
    expect((error as KafkaStartError).reason).toBe('port');
    expect((error as KafkaStartError).port).toBe(port);
    expect((error as KafkaStartError).message).toContain(`Port ${port} on 127.0.0.1 is already in use`);
  });
});
