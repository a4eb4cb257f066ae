/** Reports the progress of a long step. */
export interface Progress {
  /** Sets how far the step is (`done` of `total`), with an optional note after the counts. */
  update(done: number, note?: string): void;
  /** Ends the step with a summary line. */
  finish(summary: string): void;
}

/** Options of {@link progress}. */
export interface ProgressOptions {
  /** What is being counted, e.g. `page views produced`. */
  label: string;
  total: number;
  /** Where to write. Default `process.stdout`. */
  stream?: NodeJS.WriteStream;
  /** Force the plain (line per step) or the TTY (bar) style. Default: the bar on a TTY. */
  tty?: boolean;
  /** Plain style: a line every this share of the total. Default 0.1. */
  lineEvery?: number;
}

const BAR_WIDTH = 30;
const REDRAW_MS = 100;

/**
 * A progress bar on a TTY (`[#####.....]  52%  520,000/1,000,000 page views produced  84,112/s`,
 * redrawn in place at most every 100 ms), plain lines every 10% otherwise (CI logs, pipes).
 */
export function progress(options: ProgressOptions): Progress {
  const { label, total, stream = process.stdout, tty = stream.isTTY === true, lineEvery = 0.1 } = options;
  const started = performance.now();
  let lastDraw = 0;
  let nextLine = lineEvery;
  let done = 0;
  let extra = '';
  const rate = () => Math.round(done / Math.max(0.001, (performance.now() - started) / 1000));
  const text = () => {
    const share = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(share * BAR_WIDTH);
    const pct = `${Math.floor(share * 100)}%`.padStart(4);
    return `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${pct}  ${fmt(done)}/${fmt(total)} ${label}  ${fmt(rate())}/s${extra}`;
  };
  return {
    update(value, note) {
      done = value;
      extra = note === undefined ? '' : `  ${note}`;
      const now = performance.now();
      if (tty) {
        if (now - lastDraw < REDRAW_MS && done < total) return;
        lastDraw = now;
        stream.write(`\r${text()}\u001b[K`);
      } else if (total > 0 && done / total >= nextLine) {
        while (done / total >= nextLine) nextLine += lineEvery;
        stream.write(`  ${text()}\n`);
      }
    },
    finish(summary) {
      if (tty) stream.write(`\r${text()}\u001b[K\n`);
      stream.write(`  ${summary}\n`);
    },
  };
}

/** A number with thousands separators: 1,000,000. */
export function fmt(n: number | bigint): string {
  return n.toLocaleString('en-US');
}
