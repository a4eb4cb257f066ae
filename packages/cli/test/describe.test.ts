import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { moduleDir, weir, writeFile } from './helpers/cli.js';

const JS_TOPOLOGY = `
import { Consumed, Materialized, Produced, Serdes, StreamsBuilder } from '@weir/core';
const builder = new StreamsBuilder();
builder
  .stream('page-views', Consumed.with(Serdes.String(), Serdes.String()))
  .groupByKey()
  .count(Materialized.as('views-per-user'))
  .toStream()
  .to('view-counts', Produced.with(Serdes.String(), Serdes.Json()));
export default builder.build();
`;

// TypeScript-only syntax (an interface, type annotations, \`satisfies\`), exported as an async factory.
const TS_TOPOLOGY = `
import { Consumed, Serdes, StreamsBuilder, type Topology } from '@weir/core';
interface View { user: string; page: string }
export async function topology(): Promise<Topology> {
  const builder = new StreamsBuilder();
  builder
    .stream('views', Consumed.with(Serdes.String(), Serdes.Json<View>()))
    .filter((_user: string, view: View) => view.page.startsWith('/'))
    .to('home-views');
  return builder.build() satisfies Topology;
}
`;

const JS_DESCRIPTION = `Topologies:
   Sub-topology: 0
    Source: KSTREAM-SOURCE-0000000000 (topics: [page-views])
      --> KSTREAM-AGGREGATE-0000000001
    Processor: KSTREAM-AGGREGATE-0000000001 (stores: [views-per-user])
      --> KTABLE-TOSTREAM-0000000002
      <-- KSTREAM-SOURCE-0000000000
    Processor: KTABLE-TOSTREAM-0000000002 (stores: [])
      --> KSTREAM-SINK-0000000003
      <-- KSTREAM-AGGREGATE-0000000001
    Sink: KSTREAM-SINK-0000000003 (topic: view-counts)
      <-- KTABLE-TOSTREAM-0000000002

`;

describe('weir describe', () => {
  it('prints the topology of a JavaScript module (default export)', async () => {
    const file = writeFile(moduleDir(), 'topology.mjs', JS_TOPOLOGY);
    expect(await weir(['describe', file])).toEqual({ code: 0, stdout: JS_DESCRIPTION, stderr: '' });
  });

  it('loads a TypeScript module exporting a topology factory, and prints Mermaid', async () => {
    const dir = moduleDir();
    writeFile(dir, 'topology.ts', TS_TOPOLOGY);
    // A relative path, resolved against the working directory.
    const { code, stdout, stderr } = await weir(['describe', 'topology.ts', '--format', 'mermaid'], { cwd: dir });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        'flowchart TD',
        '  subgraph sub0["Sub-topology 0"]',
        '    KSTREAM_SOURCE_0000000000["KSTREAM-SOURCE-0000000000"]',
        '    KSTREAM_FILTER_0000000001["KSTREAM-FILTER-0000000001"]',
        '    KSTREAM_SINK_0000000002["KSTREAM-SINK-0000000002"]',
        '  end',
        '  KSTREAM_SOURCE_0000000000 --> KSTREAM_FILTER_0000000001',
        '  topic_views[/"views"/] --> KSTREAM_SOURCE_0000000000',
        '  KSTREAM_FILTER_0000000001 --> KSTREAM_SINK_0000000002',
        '  KSTREAM_SINK_0000000002 --> topic_home_views[/"home-views"/]',
        '',
      ].join('\n'),
    );
  });

  it('loads a .mts module outside an ES module package', async () => {
    const file = writeFile(moduleDir({ esm: false }), 'topology.mts', TS_TOPOLOGY);
    const { code, stdout } = await weir(['describe', file]);
    expect(code).toBe(0);
    expect(stdout).toContain('Source: KSTREAM-SOURCE-0000000000 (topics: [views])');
  });

  it('explains that a .ts file outside an ES module package loads as CommonJS, exit 1', async () => {
    const file = writeFile(moduleDir({ esm: false }), 'topology.ts', TS_TOPOLOGY);
    const { code, stderr } = await weir(['describe', file]);
    expect(code).toBe(1);
    expect(stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(stderr).toMatch(new RegExp(`^weir: cannot load ${file}: .*hint: .*add "type": "module" or rename it to \\.mts\\)\\n$`));
  });

  it('names a wrong path, exit 2', async () => {
    const file = path.join(moduleDir(), 'missing.ts');
    expect(await weir(['describe', file])).toEqual({ code: 2, stdout: '', stderr: `weir: no such module: ${file}\n` });
  });

  it('refuses a module that exports no topology, exit 2', async () => {
    const dir = moduleDir();
    const none = writeFile(dir, 'none.mjs', 'export const answer = 42;\n');
    expect(await weir(['describe', none])).toEqual({
      code: 2,
      stdout: '',
      stderr: `weir: ${none} exports no topology: export default (or export const topology) a Topology, or a function returning one\n`,
    });
    const wrong = writeFile(dir, 'wrong.mjs', 'export default () => ({ not: "a topology" });\n');
    expect((await weir(['describe', wrong])).stderr).toBe(
      `weir: ${wrong} exports a function returning object, not a Topology: export builder.build()\n`,
    );
  });

  it('reports a module that throws while loading as a runtime failure, exit 1', async () => {
    const file = writeFile(moduleDir(), 'broken.mjs', "throw new Error('no config found');\n");
    expect(await weir(['describe', file])).toEqual({ code: 1, stdout: '', stderr: `weir: cannot load ${file}: no config found\n` });
  });

  it('refuses an unknown --format, exit 2', async () => {
    const file = writeFile(moduleDir(), 'topology.mjs', JS_TOPOLOGY);
    const { code, stderr } = await weir(['describe', file, '--format', 'dot']);
    expect(code).toBe(2);
    expect(stderr).toBe("weir: option '-f, --format <format>' argument 'dot' is invalid. Allowed choices are text, mermaid.\n");
  });
});
