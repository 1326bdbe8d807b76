/**
 * A progress bar for long work (imports, uploads, fleet runs). It draws on stderr only when stderr
 * is a terminal and output is not --json, so scripts and CI logs stay clean.
 */
export class Progress {
  private readonly enabled: boolean;
  private lastDraw = 0;

  constructor(private readonly label: string, private total: number, opts: { json?: boolean } = {}) {
    this.enabled = !opts.json && process.stderr.isTTY === true;
  }

  setTotal(total: number): void {
    this.total = total;
  }

  update(done: number, detail = ""): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < 80 && done < this.total) return;
    this.lastDraw = now;
    const width = 30;
    const frac = this.total > 0 ? Math.min(1, done / this.total) : 0;
    const filled = Math.round(frac * width);
    const bar = "#".repeat(filled) + "-".repeat(width - filled);
    const count = this.total > 0 ? `${done}/${this.total}` : `${done}`;
    process.stderr.write(`\r${this.label} [${bar}] ${count} ${detail}`.padEnd(100).slice(0, 100));
  }

  done(): void {
    if (this.enabled) process.stderr.write("\r" + " ".repeat(100) + "\r");
  }
}
