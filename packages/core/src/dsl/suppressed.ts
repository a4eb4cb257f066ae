/**
 * What `KTable.suppress` holds back (Kafka Streams' `Suppressed`). Weir implements
 * `untilWindowCloses`: final results of windowed aggregations, buffered without bound in a
 * changelogged store.
 */
export class Suppressed {
  private constructor(
    readonly kind: 'untilWindowCloses',
    readonly name: string | undefined,
  ) {}

  /** Emits each window's final result once stream time reaches window end + grace. */
  static untilWindowCloses(): Suppressed {
    return new Suppressed('untilWindowCloses', undefined);
  }

  /** Names the suppression node and its buffer store. */
  withName(name: string): Suppressed {
    return new Suppressed(this.kind, name);
  }
}
