#!/usr/bin/env node
/**
 * The Weir demo: clickstream -> Kafka -> exactly-once windowed counts -> Parquet tables -> Weir and DuckDB.
 * See README.md next to this package for what each step does and the options.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { jsonLogger, WeirApp } from '@weir/kafka';
import { type KafkaBroker, startKafka } from '@weir/testkit';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { type Clickstream, generateClickstream } from './generator.js';
import { committedOffsets, endOffsets, reached, total, waitUntil } from './offsets.js';
import { type DemoOptions, parseOptions, USAGE } from './options.js';
import { defaultInFlight, produceClickstream, produceTicks, tickTime } from './produce.js';
import { fmt, progress } from './progress.js';
import { expectedTables } from './reference.js';
import { readRepartitionLog } from './repartition-log.js';
import { report } from './report.js';
import { clickstreamTopology, tableDirs } from './topology.js';
import { waitForTables } from './wait-tables.js';

const say = (line = '') => process.stdout.write(`${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const minutes = (ms: number) => (ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.floor(ms / 60_000)} min ${(ms % 60_000) / 1000} s`);

/** Steps to undo at the end, last first (app, admin client, broker). */
class Cleanup {
  private readonly steps: Array<() => Promise<unknown>> = [];
  add(step: () => Promise<unknown>): void {
    this.steps.push(step);
  }
  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) {
      await step().catch((error: unknown) => process.stderr.write(`cleanup: ${(error as Error).message}\n`));
    }
  }
}

async function main(): Promise<number> {
  let options: DemoOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    say(USAGE);
    return 0;
  }
  const wallStart = performance.now();
  const { outDir } = options;
  const tablesDir = path.join(outDir, 'tables');
  await mkdir(tablesDir, { recursive: true });
  const logFile = path.join(outDir, 'app.log');
  const log = createWriteStream(logFile, { flags: 'a' });
  say(`Weir clickstream demo: ${fmt(options.events)} page views, ${fmt(options.users)} users, ${options.pages} pages, ${options.minutes} min of event time`);
  say(`Output directory: ${outDir}`);

  const cleanup = new Cleanup();
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stdout.write('\nInterrupted: stopping the app and the broker (Ctrl-C again to exit at once)...\n');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let app: WeirApp | undefined;
  const abort = () => {
    if (interrupted) throw new Error('interrupted');
    if (app?.state === 'ERROR') throw new Error(`the app failed: ${app.error?.message ?? 'unknown error'} (log: ${logFile})`);
  };

  try {
    // 1. The broker and the input topic.
    let brokers = options.brokers;
    if (brokers.length === 0) {
      say('\n[1/5] Starting a local Kafka broker (@weir/testkit; the first run fetches Kafka with Maven, ~30 s)...');
      const started = performance.now();
      const broker: KafkaBroker = await startKafka();
      cleanup.add(() => broker.stop());
      brokers = broker.brokers;
      say(`  Kafka ${broker.version} on ${brokers.join(',')} ready in ${seconds(performance.now() - started)} (log: ${broker.logFile})`);
    } else {
      say(`\n[1/5] Using the Kafka cluster at ${brokers.join(',')} (KAFKA_BROKERS / --brokers)`);
    }
    const kafka = new Kafka({ clientId: 'weir-clickstream-demo', brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    cleanup.add(() => admin.disconnect());
    await createInputTopic(admin, options.topic, options.partitions);
    say(`  topic ${options.topic}: ${options.partitions} partitions`);

    // 2. The clickstream. Event time ends five whole minutes before now: the broker refuses
    // timestamps more than an hour ahead of its clock, and deletes records older than its retention.
    const stream = generateClickstream({
      endMs: Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000,
      events: options.events,
      spanMs: options.minutes * 60_000,
      users: options.users,
      pages: options.pages,
      seed: options.seed,
      lateShare: options.lateShare,
      outOfOrderShare: options.outOfOrderShare,
    });
    const kinds = [0, 0, 0];
    for (const kind of stream.arrival) kinds[kind]!++;
    const topShare = stream.page.filter((p) => p === 0).length / stream.count;
    say(
      `\n[2/5] Clickstream (seed ${options.seed}): event time ${iso(stream.startMs)} .. ${iso(stream.endMs)}; ` +
        `"${stream.pageNames[0]}" takes ${(topShare * 100).toFixed(1)}% of the views; ` +
        `${fmt(kinds[1]!)} out of order (within the grace period), ${fmt(kinds[2]!)} late (beyond window end + grace)`,
    );
    const inFlight = options.inFlight > 0 ? options.inFlight : defaultInFlight(stream);
    let backlogProduced: { ms: number } | undefined;
    if (options.backlog) {
      backlogProduced = await produceAll(kafka, stream, options);
      abort();
    }

    // 3. The app, in process.
    const applicationId = `clickstream-${path.basename(outDir).replace(/[^A-Za-z0-9._-]/g, '-')}`;
    const topology = clickstreamTopology({ input: options.topic, tablesDir });
    app = new WeirApp(topology, {
      applicationId,
      brokers,
      stateDir: path.join(outDir, 'state'),
      processingGuarantee: 'exactly_once',
      commitIntervalMs: options.commitIntervalMs,
      // The demo reads the repartition topic back to check it (repartition-log.ts): keep it whole.
      repartitionPurgeIntervalMs: Number.POSITIVE_INFINITY,
      logger: jsonLogger('info', (line) => log.write(`${line}\n`)),
    });
    say(`\n[3/5] Running the Weir app ${applicationId} (exactly-once, in process; log: ${logFile})`);
    const running = app;
    const appStarted = performance.now();
    await running.start({ handleSignals: false });
    cleanup.add(() => running.close());
    say(`  started in ${seconds(performance.now() - appStarted)}: ${topology.subtopologies.length} sub-topologies, ${options.partitions} tasks each`);
    const { repartition, outbox: outboxes } = topology.internalTopics(applicationId);
    // Each view is processed twice: by its session task, and by its page's task after the repartition.
    const processedViews = () => Math.min(stream.count, Math.floor(running.metrics().recordsProcessed / 2));

    const processingStarted = performance.now();
    const bar = progress({ label: 'page views processed', total: stream.count });
    let produced = backlogProduced ? stream.count : 0;
    const note = () => (backlogProduced ? undefined : `(${fmt(produced)} produced)`);
    if (!backlogProduced) {
      say(`  producing the clickstream while the app processes it, at most ${fmt(inFlight)} views in flight (see README, "Pacing")`);
      await produceClickstream(kafka, stream, {
        topic: options.topic,
        partitions: options.partitions,
        batchSize: sendSize(stream, inFlight),
        pace: async (sending) => {
          for (;;) {
            const processed = processedViews();
            bar.update(processed, note());
            if (sending - processed <= inFlight) return;
            abort();
            await sleep(20);
          }
        },
        onProduced: (sent) => {
          produced = sent;
          bar.update(processedViews(), note());
        },
      });
    }
    // Processed = the group committed the end of the input: every view went through its session
    // task, and its repartition record was committed in the same transaction.
    const consumedInput = async () => reached(await committedOffsets(admin, applicationId, options.topic), await endOffsets(admin, options.topic));
    await waitUntil(
      'the app consumed its input',
      async () => {
        bar.update(processedViews(), note());
        return consumedInput();
      },
      { timeoutMs: options.timeoutS * 1000, intervalMs: 100, abort },
    );
    const processMs = performance.now() - processingStarted;
    bar.update(stream.count, note());
    bar.finish(
      `${fmt(stream.count)} page views ${backlogProduced ? '' : 'produced and '}processed and committed in ${seconds(processMs)}: ` +
        `${fmt(Math.round(stream.count / (processMs / 1000)))} views/s`,
    );

    // 4. Close the last windows, then wait for the tables.
    say('\n[4/5] Closing the last windows and waiting for the tables...');
    const ticks = await produceTicks(kafka, stream, { topic: options.topic, partitions: options.partitions, repartitionPartitions: options.partitions });
    say(
      `  produced ${ticks} tick records at event time end + ${minutes(tickTime(stream) - stream.endMs)}: ` +
        'they move stream time past the last windows and sessions on every task (and are filtered out of the tables)',
    );
    await waitUntil('the app consumed the ticks', consumedInput, { timeoutMs: options.timeoutS * 1000, intervalMs: 100, abort });
    if (repartition.length !== 1) throw new Error(`expected one repartition topic, found ${repartition.join(', ') || 'none'}`);
    const repartitionLog = await readRepartitionLog(kafka, admin, repartition[0]!, stream);
    say(`  read the repartition topic back (read_committed): ${fmt(repartitionLog.records)} records, as the per-page tasks read them`);
    const intended = expectedTables(stream, { partitions: options.partitions });
    const expected = { pages: repartitionLog.pages, sessions: intended.sessions };
    const dirs = tableDirs(tablesDir);
    const waited = await waitForTables({
      kafka,
      admin,
      applicationId,
      input: options.topic,
      repartition: { topic: repartition[0]!, ends: repartitionLog.ends },
      outboxes,
      dirs,
      expected,
      timeoutMs: options.timeoutS * 1000,
      check: abort,
      say,
    });
    const metrics = running.metrics();
    const completeMs = performance.now() - processingStarted;
    say(`  every window committed ${seconds(completeMs)} after the first view was ${backlogProduced ? 'processed' : 'produced'}`);

    // 5. Query and check.
    say('\n[5/5] Querying the tables...');
    const failures = await report({
      options,
      dirs,
      expected,
      intended,
      log: repartitionLog,
      metrics,
      waited,
      stream,
      processMs,
      completeMs,
      paced: backlogProduced ? undefined : inFlight,
      say,
    });

    say('\nStopping the app and the broker...');
    await cleanup.run();
    say(`Done in ${seconds(performance.now() - wallStart)}${failures > 0 ? `, with ${failures} failed check(s)` : ''}. Output: ${outDir}`);
    return failures === 0 ? 0 : 1;
  } catch (error) {
    say(`\nFAILED: ${(error as Error).message}`);
    await cleanup.run();
    say(`Output (partial): ${outDir}; app log: ${logFile}`);
    return 1;
  } finally {
    log.end();
  }
}

/**
 * Views per `send` of the paced producer: at most half the views in flight, and at most one
 * second of event time. Each send lands on every input partition at once, and each upstream task
 * writes what it processed between two commits to the repartition topic as one block; smaller
 * sends keep those blocks, and so the repartition topic's disorder, short.
 */
function sendSize(stream: Clickstream, inFlight: number): number {
  const perSecond = stream.count / ((stream.endMs - stream.startMs) / 1000);
  return Math.max(50, Math.min(Math.floor(inFlight / 2), Math.round(perSecond)));
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** `--backlog`: the whole clickstream first, as fast as the broker takes it. */
async function produceAll(kafka: Kafka, stream: Clickstream, options: DemoOptions): Promise<{ ms: number }> {
  const started = performance.now();
  const bar = progress({ label: 'page views produced', total: stream.count });
  await produceClickstream(kafka, stream, { topic: options.topic, partitions: options.partitions, batchSize: 2_000, onProduced: (n) => bar.update(n) });
  const ms = performance.now() - started;
  bar.finish(`produced ${fmt(stream.count)} page views in ${seconds(ms)} (${fmt(Math.round(stream.count / (ms / 1000)))}/s)`);
  return { ms };
}

/** Creates the input topic; an existing one is used only if it is empty. */
async function createInputTopic(admin: Admin, topic: string, partitions: number): Promise<void> {
  const created = await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  if (created) return;
  const ends = await endOffsets(admin, topic);
  if (ends.size !== partitions || total(ends) > 0n) {
    throw new Error(`topic ${topic} exists with ${ends.size} partitions and ${total(ends)} records: choose another with --topic`);
  }
}

process.exitCode = await main();
