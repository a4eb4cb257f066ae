import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppMetrics, AppState } from '@weir/kafka';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

/** What the metrics server reads from the running app. */
export interface MetricsSource {
  readonly state: AppState;
  metrics(): AppMetrics;
}

/** A running metrics server. */
export interface MetricsServer {
  /** The port it listens on (the chosen one when asked for port 0). */
  readonly port: number;
  close(): Promise<void>;
}

const STATES: readonly AppState[] = ['CREATED', 'REBALANCING', 'RUNNING', 'PENDING_SHUTDOWN', 'NOT_RUNNING', 'ERROR'];

/**
 * The app's metrics as a prom-client registry. Every metric is computed when scraped, from one
 * `app.metrics()` snapshot per scrape: the app keeps the counts, the registry only exposes them
 * (counters are reset and set to the app's total, which never goes backwards).
 */
export function metricsRegistry(app: MetricsSource): Registry {
  const registry = new Registry();
  // Unprefixed process_* and nodejs_* names: what standard Node.js dashboards expect.
  collectDefaultMetrics({ register: registry });
  // One snapshot per scrape, shared by the collect() callbacks below.
  let snapshot: { at: number; metrics: AppMetrics } | undefined;
  const metrics = () => {
    const now = Date.now();
    if (snapshot === undefined || now - snapshot.at > 100) snapshot = { at: now, metrics: app.metrics() };
    return snapshot.metrics;
  };
  new Counter({
    name: 'weir_records_processed_total',
    help: 'Records processed by the tasks of this instance since start.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(metrics().recordsProcessed);
    },
  });
  new Counter({
    name: 'weir_records_dropped_total',
    help: 'Records dropped by the tasks of this instance since start, by reason (late, null-key, null-value, error, expired).',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [reason, count] of Object.entries(metrics().recordsDropped)) this.inc({ reason }, count);
    },
  });
  new Counter({
    name: 'weir_commits_total',
    help: 'Task commits (one Kafka transaction each under exactly-once) since start.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(metrics().commits);
    },
  });
  new Gauge({
    name: 'weir_commit_latency_seconds',
    help: 'Commit latency: of the last commit (stat="last") and the slowest since start (stat="max").',
    labelNames: ['stat'],
    registers: [registry],
    collect() {
      const { last, max } = metrics().commitLatencyMs;
      this.set({ stat: 'last' }, last / 1000);
      this.set({ stat: 'max' }, max / 1000);
    },
  });
  new Gauge({
    name: 'weir_consumer_lag_records',
    help: 'Records between the consumer position and the end of each input partition, as of its last batch.',
    labelNames: ['topic', 'partition'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [key, lag] of Object.entries(metrics().lag)) {
        // Keys are "topic:partition"; topic names cannot hold ":".
        const split = key.lastIndexOf(':');
        this.set({ topic: key.slice(0, split), partition: key.slice(split + 1) }, lag);
      }
    },
  });
  new Gauge({
    name: 'weir_store_entries',
    help: "Approximate entries per state store across this instance's tasks.",
    labelNames: ['store'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [store, entries] of Object.entries(metrics().storeSizes)) this.set({ store }, entries);
    },
  });
  new Gauge({
    name: 'weir_tasks',
    help: 'Tasks running on this instance.',
    registers: [registry],
    collect() {
      this.set(metrics().tasks.length);
    },
  });
  new Gauge({
    name: 'weir_app_state',
    help: 'The app lifecycle state: 1 for the current state, 0 for the others.',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      for (const state of STATES) this.set({ state }, state === app.state ? 1 : 0);
    },
  });
  return registry;
}

/**
 * Serves `/metrics` (Prometheus text format) and `/health` (200 with `{"state":"RUNNING"}`
 * when the app runs, 503 with its state otherwise: rebalancing, starting, stopping, failed).
 *
 * @param port the port to listen on; 0 picks a free one (see {@link MetricsServer.port})
 * @param host the interface (default all: a scraper usually runs elsewhere)
 */
export async function startMetricsServer(app: MetricsSource, port: number, host?: string): Promise<MetricsServer> {
  const registry = metricsRegistry(app);
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (url.pathname === '/metrics') {
      registry.metrics().then(
        (body) => response.writeHead(200, { 'content-type': registry.contentType }).end(body),
        (error: Error) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${error.message}\n`),
      );
    } else if (url.pathname === '/health') {
      const state = app.state;
      response.writeHead(state === 'RUNNING' ? 200 : 503, { 'content-type': 'application/json' }).end(`${JSON.stringify({ state })}\n`);
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics or /health\n');
    }
  });
  server.listen(port, host);
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
