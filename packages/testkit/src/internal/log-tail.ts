import { open } from 'node:fs/promises';
import { lastLines } from './process-output.js';

/** Only the end of a long log is read: the cause of a failed start is in its last lines. */
const TAIL_BYTES = 64 * 1024;

/**
 * The last `count` non-empty lines of the file at `path`, or a note saying why there are none,
 * for error messages about a broker that failed.
 */
export async function tailOfFile(path: string, count = 40): Promise<string> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, 'r');
    const { size } = await handle.stat();
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const tail = lastLines(buffer.toString('utf8'), count);
    return tail === '' ? '(the log is empty)' : tail;
  } catch (error) {
    return `(could not read the log: ${(error as Error).message})`;
  } finally {
    await handle?.close();
  }
}
