import { describe, expect, it } from 'vitest';
import {
  type Cancellable,
  Consumed,
  Named,
  type Processor,
  type ProcessorContext,
  type ProcessorSupplier,
  ProcessingError,
  Produced,
  PunctuationType,
  Serdes,
  StateStoreError,
  Stores,
  StreamsBuilder,
  type StreamRecord,
} from '../src/index.js';
import { TestDriver } from '../src/testing.js';

/**
 * The Processor API: lifecycle, record metadata, forwarding to named children, punctuators on
 * stream time and wall-clock time (Kafka Streams' PunctuationSchedule), cancellation and errors.
 */

/** A topology `in` -> process(supplier) -> `out`, with String keys and values. */
function run(supplier: ProcessorSupplier<string, string, string, string>, options: { stores?: string[] } = {}) {
  const builder = new StreamsBuilder();
  if (options.stores) {
    for (const s of options.stores) builder.addStateStore(Stores.keyValueStore(s, { keySerde: Serdes.String(), valueSerde: Serdes.String() }));
  }
  builder
    .stream('in', Consumed.with(Serdes.String(), Serdes.String()))
    .process(supplier, options.stores ?? [], Named.as('proc'))
    .to('out', Produced.with(Serdes.String(), Serdes.String()));
  const driver = new TestDriver(builder.build());
  return {
    driver,
    input: driver.createInputTopic('in', Serdes.String(), Serdes.String()),
    output: () =>
      driver
        .createOutputTopic('out', Serdes.String(), Serdes.String())
        .readRecordsToList()
        .map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp })),
  };
}

describe('lifecycle', () => {
  it('calls init once before the first record, process per record, and close when the driver closes', () => {
    const events: string[] = [];
    const { driver, input } = run(() => ({
      init: () => events.push('init'),
      process: (record) => events.push(`process ${record.key}`),
      close: () => events.push('close'),
    }));
    expect(events).toEqual(['init']);
    input.pipeInput('a', 'x', 1);
    input.pipeInput('b', 'y', 2);
    expect(events).toEqual(['init', 'process a', 'process b']);
    driver.close();
    driver.close();
    expect(events).toEqual(['init', 'process a', 'process b', 'close']);
    expect(() => input.pipeInput('c', 'z', 3)).toThrow('TestDriver used after close()');
  });

  it('creates a processor instance per task from the supplier', () => {
    let created = 0;
    run(() => {
      created++;
      return { process: () => {} };
    });
    expect(created).toBe(1);
  });

  it('gives the application id and task id to the processor', () => {
    let seen = '';
    run(() => ({
      init: (context) => {
        seen = `${context.applicationId} ${context.taskId}`;
      },
      process: () => {},
    }));
    expect(seen).toBe('test-app 0_0');
  });
});

describe('record metadata', () => {
  it('gives the topic, partition 0 and the offset of each record, counting from 0 per topic', () => {
    const seen: string[] = [];
    const builder = new StreamsBuilder();
    const supplier: ProcessorSupplier<string, string, never, never> = () => {
      let context: ProcessorContext<never, never>;
      return {
        init: (ctx) => {
          context = ctx;
        },
        process: () => {
          const m = context.recordMetadata();
          seen.push(`${m?.topic}/${m?.partition}/${m?.offset}`);
        },
      };
    };
    builder.stream(['a', 'b'], Consumed.with(Serdes.String(), Serdes.String())).process(supplier);
    const driver = new TestDriver(builder.build());
    const a = driver.createInputTopic('a', Serdes.String(), Serdes.String());
    const b = driver.createInputTopic('b', Serdes.String(), Serdes.String());
    a.pipeInput('k', 'v', 1);
    a.pipeInput('k', 'v', 2);
    b.pipeInput('k', 'v', 3);
    a.pipeInput('k', 'v', 4);
    expect(seen).toEqual(['a/0/0', 'a/0/1', 'b/0/0', 'a/0/2']);
  });

  it('reports the stream time: the largest timestamp processed so far', () => {
    const seen: number[] = [];
    const { input } = run(() => {
      let context: ProcessorContext<string, string>;
      return {
        init: (ctx) => {
          context = ctx;
          seen.push(ctx.currentStreamTimeMs());
        },
        process: () => {
          seen.push(context.currentStreamTimeMs());
        },
      };
    });
    input.pipeInput('k', 'v', 10);
    input.pipeInput('k', 'v', 4);
    input.pipeInput('k', 'v', 12);
    expect(seen).toEqual([-1, 10, 10, 12]);
  });
});

describe('forwarding', () => {
  /** `in` -> router -> (left | right) -> topics `left` and `right`. */
  function router(pick: (record: StreamRecord<string, string>) => string | undefined) {
    const builder = new StreamsBuilder();
    const routed = builder.stream('in', Consumed.with(Serdes.String(), Serdes.String())).process<string, string>(
      () => {
        let context: ProcessorContext<string, string>;
        return {
          init: (ctx) => {
            context = ctx;
          },
          process: (record) => context.forward(record, pick(record)),
        };
      },
      [],
      Named.as('router'),
    );
    routed.filter(() => true, Named.as('left')).to('left', Produced.with(Serdes.String(), Serdes.String()));
    routed.filter(() => true, Named.as('right')).to('right', Produced.with(Serdes.String(), Serdes.String()));
    const driver = new TestDriver(builder.build());
    return {
      input: driver.createInputTopic('in', Serdes.String(), Serdes.String()),
      values: (topic: string) => driver.createOutputTopic(topic, Serdes.String(), Serdes.String()).readValuesToList(),
    };
  }

  it('forwards to the named child only', () => {
    const { input, values } = router((r) => (r.value.startsWith('l') ? 'left' : 'right'));
    input.pipeInput('1', 'l1', 1);
    input.pipeInput('2', 'r1', 2);
    input.pipeInput('3', 'l2', 3);
    expect(values('left')).toEqual(['l1', 'l2']);
    expect(values('right')).toEqual(['r1']);
  });

  it('forwards to every child when no child is named', () => {
    const { input, values } = router(() => undefined);
    input.pipeInput('1', 'x', 1);
    expect(values('left')).toEqual(['x']);
    expect(values('right')).toEqual(['x']);
  });

  it('refuses to forward to a child that does not exist', () => {
    const { input } = router(() => 'middle');
    expect(() => input.pipeInput('1', 'x', 1)).toThrow(ProcessingError);
    expect(() => input.pipeInput('2', 'x', 2)).toThrow(/^node router has no child named middle$/);
  });

  it('forwards the record as given: key, value, timestamp and headers', () => {
    const { input, output } = run(() => {
      let context: ProcessorContext<string, string>;
      return {
        init: (ctx) => {
          context = ctx;
        },
        process: (record) => context.forward({ key: `${record.key}!`, value: record.value.toUpperCase(), timestamp: record.timestamp + 5, headers: {} }),
      };
    });
    input.pipeInput('k', 'v', 10);
    expect(output()).toEqual([{ key: 'k!', value: 'V', timestamp: 15 }]);
  });
});

/** A processor that schedules a punctuator in init and logs when it fires. */
function punctuating(
  interval: number,
  type: PunctuationType,
  fired: number[],
  onSchedule?: (handle: Cancellable) => void,
): ProcessorSupplier<string, string, string, string> {
  return () => ({
    init: (context) => {
      const handle = context.schedule(interval, type, (timestamp) => {
        fired.push(timestamp);
        context.forward({ key: 'tick', value: String(timestamp), timestamp, headers: {} });
      });
      onSchedule?.(handle);
    },
    process: () => {},
  });
}

describe('stream-time punctuation', () => {
  it('fires as soon as data arrives, aligned to 0, with the stream time', () => {
    const fired: number[] = [];
    const { input } = run(punctuating(10, PunctuationType.STREAM_TIME, fired));
    input.pipeInput('k', 'v', 3); // due at 0: fires; next due at 10
    input.pipeInput('k', 'v', 9);
    input.pipeInput('k', 'v', 10); // fires; next at 20
    input.pipeInput('k', 'v', 15);
    input.pipeInput('k', 'v', 5); // stream time stays 15
    expect(fired).toEqual([3, 10]);
  });

  it('fires once even when several intervals passed, staying aligned to its schedule', () => {
    const fired: number[] = [];
    const { input } = run(punctuating(10, PunctuationType.STREAM_TIME, fired));
    input.pipeInput('k', 'v', 0); // fires; next 10
    input.pipeInput('k', 'v', 35); // fires once; missed 10, 20, 30: next 40
    input.pipeInput('k', 'v', 39);
    input.pipeInput('k', 'v', 40); // fires; next 50
    input.pipeInput('k', 'v', 71); // fires once; next 80
    input.pipeInput('k', 'v', 79);
    expect(fired).toEqual([0, 35, 40, 71]);
  });

  it('sends what the punctuator forwards downstream, after the record that triggered it', () => {
    const fired: number[] = [];
    const { input, output } = run(() => ({
      init: (context) => {
        context.schedule(100, PunctuationType.STREAM_TIME, (timestamp) => {
          fired.push(timestamp);
          context.forward({ key: 'tick', value: String(timestamp), timestamp, headers: {} });
        });
      },
      process: () => {},
    }));
    input.pipeInput('k', 'v', 50);
    input.pipeInput('k', 'v', 100);
    expect(output()).toEqual([
      { key: 'tick', value: '50', timestamp: 50 },
      { key: 'tick', value: '100', timestamp: 100 },
    ]);
  });

  it('does not fire while no record has been processed', () => {
    const fired: number[] = [];
    const { driver } = run(punctuating(10, PunctuationType.STREAM_TIME, fired));
    driver.advanceWallClockTime(1_000);
    expect(fired).toEqual([]);
  });

  it('stops after cancel()', () => {
    const fired: number[] = [];
    let handle: Cancellable | undefined;
    const { input } = run(punctuating(10, PunctuationType.STREAM_TIME, fired, (h) => {
      handle = h;
    }));
    input.pipeInput('k', 'v', 0);
    handle!.cancel();
    input.pipeInput('k', 'v', 100);
    expect(fired).toEqual([0]);
  });

  it('can be cancelled from within the punctuator', () => {
    const fired: number[] = [];
    const { input } = run(() => ({
      init: (context) => {
        const handle = context.schedule(10, PunctuationType.STREAM_TIME, (timestamp) => {
          fired.push(timestamp);
          handle.cancel();
        });
      },
      process: () => {},
    }));
    input.pipeInput('k', 'v', 0);
    input.pipeInput('k', 'v', 50);
    expect(fired).toEqual([0]);
  });
});

describe('wall-clock punctuation', () => {
  it('first fires one interval after scheduling, then every interval, with the wall-clock time', () => {
    const fired: number[] = [];
    const { driver } = run(punctuating(100, PunctuationType.WALL_CLOCK_TIME, fired));
    driver.advanceWallClockTime(50);
    expect(fired).toEqual([]);
    driver.advanceWallClockTime(50); // 100
    driver.advanceWallClockTime(99); // 199
    driver.advanceWallClockTime(1); // 200
    expect(fired).toEqual([100, 200]);
  });

  it('fires once after a long pause, skipping the missed intervals', () => {
    const fired: number[] = [];
    const { driver } = run(punctuating(100, PunctuationType.WALL_CLOCK_TIME, fired));
    driver.advanceWallClockTime(100); // fires at 100; next 200
    driver.advanceWallClockTime(250); // 350: fires once; next 400
    driver.advanceWallClockTime(49); // 399
    driver.advanceWallClockTime(1); // 400
    expect(fired).toEqual([100, 350, 400]);
  });

  it('starts from the initial wall-clock time of the driver', () => {
    const fired: number[] = [];
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(Serdes.String(), Serdes.String())).process(punctuating(100, PunctuationType.WALL_CLOCK_TIME, fired));
    const driver = new TestDriver(builder.build(), { initialWallClockMs: 1_000 });
    driver.advanceWallClockTime(99);
    expect(fired).toEqual([]);
    driver.advanceWallClockTime(1);
    expect(fired).toEqual([1_100]);
  });

  it('is not driven by record timestamps', () => {
    const fired: number[] = [];
    const { input } = run(punctuating(100, PunctuationType.WALL_CLOCK_TIME, fired));
    input.pipeInput('k', 'v', 10_000);
    expect(fired).toEqual([]);
  });

  it('stops after cancel()', () => {
    const fired: number[] = [];
    let handle: Cancellable | undefined;
    const { driver } = run(punctuating(100, PunctuationType.WALL_CLOCK_TIME, fired, (h) => {
      handle = h;
    }));
    driver.advanceWallClockTime(100);
    handle!.cancel();
    driver.advanceWallClockTime(500);
    expect(fired).toEqual([100]);
  });

  it('refuses an interval below 1 ms', () => {
    expect(() => run(punctuating(0, PunctuationType.WALL_CLOCK_TIME, []))).toThrow(
      new RangeError('punctuation interval must be at least 1 ms, got 0'),
    );
  });
});

describe('stores and errors', () => {
  it('refuses a store the processor was not connected to', () => {
    const builder = new StreamsBuilder();
    builder.addStateStore(Stores.keyValueStore('s', { keySerde: Serdes.String(), valueSerde: Serdes.String() }));
    builder.stream('other', Consumed.with(Serdes.String(), Serdes.String())).process(() => ({ process: () => {} }), ['s']);
    builder
      .stream('in', Consumed.with(Serdes.String(), Serdes.String()))
      .process(() => ({ init: (context) => void context.getStateStore('s'), process: () => {} }), [], Named.as('unconnected'));
    const topology = builder.build();
    expect(() => new TestDriver(topology)).toThrow(StateStoreError);
    expect(() => new TestDriver(topology)).toThrow(/^processor unconnected has no access to store s: connect it when adding the processor$/);
  });

  it('wraps an exception thrown while processing in a ProcessingError naming the node and the record', () => {
    const { input } = run(() => ({
      process: () => {
        throw new Error('boom');
      },
    }));
    let error: unknown;
    try {
      input.pipeInput('k', 'v', 1);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProcessingError);
    expect((error as ProcessingError).message).toBe('processor proc failed: boom');
    expect((error as ProcessingError).context).toEqual({ node: 'proc', task: '0_0', topic: 'in', partition: 0, offset: '0' });
    expect((error as ProcessingError).cause).toEqual(new Error('boom'));
  });

  it('lets a processor read back what it wrote to its store within the same record and across records', () => {
    class Concat implements Processor<string, string, string, string> {
      private context!: ProcessorContext<string, string>;
      init(context: ProcessorContext<string, string>): void {
        this.context = context;
      }
      process(record: StreamRecord<string, string>): void {
        const store = this.context.getStateStore<import('../src/index.js').KeyValueStore<string, string>>('acc');
        const next = (store.get(record.key) ?? '') + record.value;
        store.put(record.key, next);
        this.context.forward({ ...record, value: store.get(record.key)! });
      }
    }
    const { input, output, driver } = run(() => new Concat(), { stores: ['acc'] });
    input.pipeInput('k', 'a', 1);
    input.pipeInput('k', 'b', 2);
    input.pipeInput('j', 'c', 3);
    expect(output().map((r) => r.value)).toEqual(['a', 'ab', 'c']);
    expect(driver.getKeyValueStore<string, string>('acc').get('k')).toBe('ab');
  });
});
