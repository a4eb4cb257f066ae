import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parquetClicks } from './fixtures/parquet-source-topologies.mjs';
import { ChildApp } from './support/child-app.js';
import { seededRandom } from './support/datasets.js';
import { connectedAdmin, kafkaBrokers, uniqueName } from './support/kafka.js';
import { waitUntil } from './support/topics.js';
import { actual, clicks, finished, outputTopics, reference, script, writeClicks } from './support/parquet-source.js';

// Its own file, so its own vitest worker. Run in one worker after the in-process apps of
// parquet-source.test.ts, it used to crash the worker with SIGSEGV: LMDB cursors closed after
// their environment (fixed in @weir/state; see docs/architecture.md, Testing).
describe('Parquet source on the runtime, under SIGKILL', () => {
  const connected = connectedAdmin();

  it('survives SIGKILL at random moments: read_committed output holds each record once and equals the TestDriver', async () => {
    const rows = clicks(300_000, 5);
    const location = await writeClicks(rows, 40_000);
    const topics = await outputTopics(connected);
    const applicationId = uniqueName('psrc-kill');
    const topology = parquetClicks({ location, ...topics });
    const child = new ChildApp({
      script,
      topology: 'parquetClicks',
      topologyArgs: { location, ...topics },
      applicationId,
      brokers: kafkaBrokers(),
      stateDir: await mkdtemp(join(tmpdir(), 'weir-psrc-kill-')),
    });
    const random = seededRandom(11);
    // The source task's committed metadata ('' until the app created its position topic).
    const committed = async () => {
      const fetched = await connected.admin.fetchOffsets({ groupId: applicationId, topics: [`${applicationId}-clicks-position`] }).catch(() => []);
      return fetched[0]?.partitions[0]?.metadata ?? '';
    };
    let kills = 0;
    const positions: string[] = [];
    for (; kills < 5; kills++) {
      child.start();
      // Each kill lands after the run committed progress of its own, at a random moment after it
      // (the machine is shared: fixed delays would sometimes kill before any progress).
      const before = await committed();
      await waitUntil('the app committed progress', async () => (await committed()) !== before, 120_000, () => child.output.slice(-2000));
      await new Promise((resolve) => setTimeout(resolve, random() * 1_500));
      await child.kill();
      positions.push(await committed());
    }
    // The kills landed while the source was being read: distinct positions, not its end.
    expect(new Set(positions.filter((p) => p.includes('"position"') && !p.includes('"ended"'))).size).toBeGreaterThanOrEqual(3);
    child.start();
    await waitUntil('the restarted app read and processed the source', () => finished(connected.admin, applicationId, topology), 300_000, () =>
      child.output.slice(-4000),
    );
    await child.stop();
    const expected = await reference(location, rows, topics);
    const got = await actual(connected, topics);
    expect(new Set(got.mapped).size).toBe(got.mapped.length);
    expect(got.mapped.length).toBe(expected.mapped.length);
    expect(got).toEqual(expected);
  }, 600_000);
});
