import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** The demo's settings, from flags, then environment variables, then defaults. */
export interface DemoOptions {
  events: number;
  seed: number;
  users: number;
  pages: number;
  minutes: number;
  partitions: number;
  lateShare: number;
  outOfOrderShare: number;
  /** Where the run's tables, state and summary go. */
  outDir: string;
  /** Bootstrap brokers; empty: start a local broker with @weir/testkit. */
  brokers: string[];
  /** Input topic. */
  topic: string;
  /** How many of the busiest windows to show, and how many pages of each. */
  windows: number;
  top: number;
  /** Most views produced but not yet processed (pacing); 0: derived from the event rate. */
  inFlight: number;
  /** The app's commit interval in ms (`commitIntervalMs`). */
  commitIntervalMs: number;
  /** Produce the whole clickstream before starting the app instead of pacing the producer. */
  backlog: boolean;
  /** Use the `weir` CLI for the top-pages query when it is built (default true). */
  cli: boolean;
  /** Give up waiting for the tables after this many seconds. */
  timeoutS: number;
  help: boolean;
}

export const DEFAULT_EVENTS = 1_000_000;
export const QUICK_EVENTS = 100_000;

/** The package directory (examples/clickstream), from this module's location in dist/ or src/. */
export const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const USAGE = `Usage: npm run demo -- [options]     (or: node examples/clickstream/dist/main.js [options])

Produces a synthetic clickstream to Kafka, runs the Weir app (exactly-once) that counts page
views per page and minute and views per user session into two Parquet tables, waits until every
window is committed, then queries the tables with Weir and checks them with DuckDB.

Options (environment variable in brackets):
  --events <n>            page views to produce [CLICKSTREAM_EVENTS]     default 1000000
  --quick                 100000 page views (overrides --events)
  --seed <n>              generator seed [CLICKSTREAM_SEED]              default 42
  --users <n>             distinct users                                default 5000
  --pages <n>             distinct pages (Zipf-skewed popularity)       default 50
  --minutes <n>           event time covered, ending ~5 min ago         default 30
  --partitions <n>        partitions of the input topic                 default 4
  --late-share <x>        share of views later than window end + grace  default 0.002
  --out-of-order-share <x> share of views delayed within the grace      default 0.05
  --in-flight <n>         most views produced but not yet processed      default: 10 s of event time
  --commit-interval <ms>  the app's commit interval                     default 100 (Kafka Streams' with exactly-once)
  --backlog               produce everything first, then start the app (see README: it shows
                          why the default paces the producer)
  --out <dir>             output directory [CLICKSTREAM_OUT]
                          default examples/clickstream/out/<timestamp>
  --brokers <list>        use this Kafka cluster [KAFKA_BROKERS]; default: start a local broker
  --topic <name>          input topic; default page-views (page-views-<timestamp> with --brokers)
  --windows <n>           busiest windows to show                       default 3
  --top <n>               top pages per window                          default 5
  --no-cli                query with @weir/parquet's scan API even if the weir CLI is built
  --timeout <s>           give up waiting (for the app, the tables) after default 1800
  -h, --help              this text
`;

function number(name: string, text: string | undefined, fallback: number, { integer = true, min = 0, max = Number.POSITIVE_INFINITY } = {}): number {
  if (text === undefined || text === '') return fallback;
  const value = Number(text.replaceAll('_', ''));
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
    throw new Error(`--${name} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got "${text}"`);
  }
  return value;
}

/**
 * Parses the command line and the environment.
 * @throws Error naming the flag, for an unknown flag or a bad value
 */
export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, now = new Date()): DemoOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      events: { type: 'string' },
      quick: { type: 'boolean', default: false },
      seed: { type: 'string' },
      users: { type: 'string' },
      pages: { type: 'string' },
      minutes: { type: 'string' },
      partitions: { type: 'string' },
      'late-share': { type: 'string' },
      'out-of-order-share': { type: 'string' },
      out: { type: 'string' },
      brokers: { type: 'string' },
      topic: { type: 'string' },
      windows: { type: 'string' },
      top: { type: 'string' },
      'no-cli': { type: 'boolean', default: false },
      'in-flight': { type: 'string' },
      'commit-interval': { type: 'string' },
      backlog: { type: 'boolean', default: false },
      timeout: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const stamp = now.toISOString().replace(/[:.]/g, '-').replace('Z', '');
  const brokers = (values.brokers ?? env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
  const lateShare = number('late-share', values['late-share'], 0.002, { integer: false, max: 0.5 });
  const outOfOrderShare = number('out-of-order-share', values['out-of-order-share'], 0.05, { integer: false, max: 0.5 });
  return {
    events: values.quick ? QUICK_EVENTS : number('events', values.events ?? env.CLICKSTREAM_EVENTS, DEFAULT_EVENTS, { min: 1, max: 50_000_000 }),
    seed: number('seed', values.seed ?? env.CLICKSTREAM_SEED, 42),
    users: number('users', values.users, 5_000, { min: 1 }),
    pages: number('pages', values.pages, 50, { min: 1, max: 10_000 }),
    minutes: number('minutes', values.minutes, 30, { min: 1, max: 300 }),
    partitions: number('partitions', values.partitions, 4, { min: 1, max: 64 }),
    lateShare,
    outOfOrderShare,
    outDir: path.resolve(values.out ?? env.CLICKSTREAM_OUT ?? path.join(PACKAGE_DIR, 'out', stamp)),
    brokers,
    topic: values.topic ?? (brokers.length > 0 ? `page-views-${stamp.toLowerCase()}` : 'page-views'),
    windows: number('windows', values.windows, 3, { min: 1 }),
    top: number('top', values.top, 5, { min: 1 }),
    inFlight: number('in-flight', values['in-flight'], 0),
    commitIntervalMs: number('commit-interval', values['commit-interval'], 100, { min: 10, max: 60_000 }),
    backlog: values.backlog ?? false,
    cli: !values['no-cli'],
    timeoutS: number('timeout', values.timeout, 1_800, { min: 1 }),
    help: values.help ?? false,
  };
}
