import { type KStream, StreamsBuilder } from '@weir/core';
import { type ParquetSourceOptions, parquetSource } from './parquet-source.js';

declare module '@weir/core' {
  interface StreamsBuilder {
    /**
     * A stream of the rows of Parquet files (a file, directory, glob or Weir table): the same as
     * `builder.stream(parquetSource(location, options))`. Installed by importing `@weir/parquet`.
     * @example
     * builder.parquetSource<string, Click>('/archive/clicks', { keyColumns: ['user'], timestampColumn: 'ts' })
     *   .groupByKey().count();
     */
    parquetSource<K = unknown, V = Record<string, unknown>>(location: string, options?: ParquetSourceOptions<K, V>): KStream<K, V>;
  }
}

// Installed once, when @weir/parquet is first imported: core cannot know about Parquet.
StreamsBuilder.prototype.parquetSource = function parquetSourceStream<K, V>(
  this: StreamsBuilder,
  location: string,
  options?: ParquetSourceOptions<K, V>,
): KStream<K, V> {
  return this.stream(parquetSource<K, V>(location, options));
};

// Re-exported from here so that importing the source pulls in the augmentation above (types and prototype).
export { type ParquetSourceOptions, parquetSource } from './parquet-source.js';
