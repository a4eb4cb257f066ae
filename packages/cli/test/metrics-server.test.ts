import type { AppMetrics, AppState } from '@weir/kafka';
import { afterEach, describe, expect, it } from 'vitest';
import { type MetricsServer, startMetricsServer } from '../src/internal/metrics-server.js';

function fakeApp(state: AppState) {
  const metrics: AppMetrics = {
    recordsProcessed: 42,
    recordsDropped: { late: 3, 'null-key': 1, 'null-value': 0, error: 2, expired: 0 },
    commits: 7,
    commitLatencyMs: { last: 12, max: 250 },
    lag: { 'page-views:0': 5, 'page-views:1': 0 },
    storeSizes: { 'views-per-user': 17 },
    tasks: ['0_0', '0_1'],
  };
  return { state, metrics: () => metrics };
}

let server: MetricsServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('the metrics server', () => {
  it("serves the app's metrics in the Prometheus format on /metrics", async () => {
    server = await startMetricsServer(fakeApp('RUNNING'), 0, '127.0.0.1');
    const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    for (const line of [
      'weir_records_processed_total 42',
      'weir_records_dropped_total{reason="late"} 3',
      'weir_records_dropped_total{reason="null-key"} 1',
      'weir_records_dropped_total{reason="error"} 2',
      'weir_commits_total 7',
      'weir_commit_latency_seconds{stat="last"} 0.012',
      'weir_commit_latency_seconds{stat="max"} 0.25',
      'weir_consumer_lag_records{topic="page-views",partition="0"} 5',
      'weir_consumer_lag_records{topic="page-views",partition="1"} 0',
      'weir_store_entries{store="views-per-user"} 17',
      'weir_tasks 2',
      'weir_app_state{state="RUNNING"} 1',
      'weir_app_state{state="ERROR"} 0',
      '# TYPE weir_records_processed_total counter',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
    expect(text).toContain('process_resident_memory_bytes');
    // Scraping twice reports the app's totals again, not twice the totals.
    expect((await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text()).split('\n')).toContain('weir_records_processed_total 42');
  });

  it('answers /health with 200 when RUNNING and 503 otherwise', async () => {
    const app = fakeApp('REBALANCING');
    server = await startMetricsServer(app, 0, '127.0.0.1');
    const health = () => fetch(`http://127.0.0.1:${server!.port}/health`);
    let response = await health();
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ state: 'REBALANCING' });
    (app as { state: AppState }).state = 'RUNNING';
    response = await health();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ state: 'RUNNING' });
    expect((await fetch(`http://127.0.0.1:${server.port}/other`)).status).toBe(404);
  });
});
