/**
 * Progress on stderr (downloads, long computations), redrawn in place, only when stderr is a terminal: logs, pipes
 * and CI output stay free of carriage returns.
 */
export interface Progress {
  update(received: number, total: number | null): void;
  /** Clear the progress line. */
  done(): void;
}

const REDRAW_MS = 100;

export function createProgress(label: string, stream: { isTTY?: boolean; write(text: string): unknown } = process.stderr): Progress {
  if (!stream.isTTY) return { update: () => undefined, done: () => undefined };
  let lastDraw = 0;
  let drawn = false;
  return {
    update(received, total) {
      const now = Date.now();
      if (now - lastDraw < REDRAW_MS && received !== total) return;
      lastDraw = now;
      drawn = true;
      const of = total === null ? "" : ` of ${megabytes(total)} (${Math.floor((100 * received) / total)} %)`;
      stream.write(`\r\x1b[K${label}: ${megabytes(received)}${of}`);
    },
    done() {
      if (drawn) stream.write("\r\x1b[K");
      drawn = false;
    },
  };
}

/** One line saying what is being computed, replaced by the next, cleared by `done`. */
export function createStatusLine(stream: { isTTY?: boolean; write(text: string): unknown } = process.stderr) {
  let drawn = false;
  return {
    show(text: string): void {
      if (!stream.isTTY) return;
      stream.write(`\r\x1b[K${text}`);
      drawn = true;
    },
    done(): void {
      if (drawn) stream.write("\r\x1b[K");
      drawn = false;
    },
  };
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
