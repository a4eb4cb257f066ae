import type { FileHandle } from 'node:fs/promises';
import { promises as fs } from 'node:fs';
import { ByteWriter } from 'hyparquet-writer';

/**
 * A hyparquet-writer `Writer` that streams into a file without blocking the event loop.
 *
 * hyparquet-writer's own file writer appends with `writeFileSync`. This one buffers in memory
 * (a ByteWriter) and writes the buffer out asynchronously in `flush()`, which ParquetWriter calls
 * after every row group and awaits before encoding the next: memory stays bounded by one row
 * group, and the bytes reach the file as they come. `finish()` fsyncs and closes, so a file is
 * durable before anyone renames it to its final name.
 */
export class FileSink extends ByteWriter {
  private closed = false;

  private constructor(private readonly handle: FileHandle) {
    super(1 << 16);
  }

  /** Creates `file`, which must not exist (temp names are unique; a clash is a bug). */
  static async create(file: string): Promise<FileSink> {
    return new FileSink(await fs.open(file, 'wx'));
  }

  /** Writes the buffered bytes to the file and empties the buffer. */
  async flush(): Promise<void> {
    let done = 0;
    while (done < this.index) {
      const { bytesWritten } = await this.handle.write(new Uint8Array(this.buffer, done, this.index - done));
      done += bytesWritten;
    }
    // ByteWriter appends at `index`; `offset` keeps counting the file's bytes for page offsets.
    this.index = 0;
  }

  /** Flushes, fsyncs and closes: the file is complete and durable afterwards. */
  override async finish(): Promise<void> {
    await this.flush();
    await this.handle.sync();
    await this.close();
  }

  /** Closes the file without syncing (after a failure); safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}
