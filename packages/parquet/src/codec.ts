import zlib from 'node:zlib';
import { UnsupportedCodecError } from './errors.js';

/** Compressors for hyparquet-writer, by codec name. */
type Compressors = Record<string, (input: Uint8Array) => Uint8Array>;

/**
 * The compression codecs a Weir Parquet file may use.
 *
 * | codec          | writes on Node 20                | read by Weir, DuckDB, Spark |
 * |----------------|----------------------------------|-----------------------------|
 * | `SNAPPY`       | yes (hyparquet-writer built-in)  | yes                         |
 * | `UNCOMPRESSED` | yes                              | yes                         |
 * | `GZIP`         | yes (`zlib.gzipSync`)            | yes                         |
 * | `BROTLI`       | yes (`zlib.brotliCompressSync`)  | yes                         |
 * | `ZSTD`         | only on Node >= 22.15 / 23.8, whose zlib has `zstdCompressSync` | yes |
 *
 * Reading supports all of them (and LZ4, LZ4_RAW) on every Node version, through
 * hyparquet-compressors.
 */
export type ParquetCodec = 'SNAPPY' | 'UNCOMPRESSED' | 'GZIP' | 'BROTLI' | 'ZSTD';

type ZstdZlib = { zstdCompressSync?: (input: Uint8Array) => Uint8Array };

function compressorFor(codec: ParquetCodec): ((input: Uint8Array) => Uint8Array) | undefined {
  switch (codec) {
    case 'GZIP':
      return (input) => zlib.gzipSync(input);
    case 'BROTLI':
      return (input) => zlib.brotliCompressSync(input);
    case 'ZSTD': {
      // Feature-detected: @types/node 20 does not declare it, Node 22.15+ has it.
      const zstd = (zlib as unknown as ZstdZlib).zstdCompressSync;
      return zstd === undefined ? undefined : (input) => zstd(input);
    }
    default:
      return undefined;
  }
}

/**
 * The codecs this process can write: always SNAPPY, UNCOMPRESSED, GZIP and BROTLI; ZSTD when the
 * Node.js version has a zstd compressor.
 *
 * @example
 * ```ts
 * const codec = supportedCodecs().includes('ZSTD') ? 'ZSTD' : 'SNAPPY';
 * ```
 */
export function supportedCodecs(): ParquetCodec[] {
  const codecs: ParquetCodec[] = ['SNAPPY', 'UNCOMPRESSED', 'GZIP', 'BROTLI'];
  if (compressorFor('ZSTD') !== undefined) codecs.push('ZSTD');
  return codecs;
}

/** The compressors hyparquet-writer needs for `codec` (SNAPPY is built in). */
export function compressorsFor(codec: ParquetCodec): Compressors {
  if (codec === 'SNAPPY' || codec === 'UNCOMPRESSED') return {};
  const compressor = compressorFor(codec);
  if (compressor === undefined) {
    throw new UnsupportedCodecError(
      `Codec ${codec} cannot be written by Node.js ${process.versions.node}; supported: ${supportedCodecs().join(', ')}`,
    );
  }
  return { [codec]: compressor };
}
