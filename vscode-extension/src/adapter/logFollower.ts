// Copies lines appended to the adapter's `--log` file to a callback while a
// session runs. Polling, because fs.watch is unreliable on network and
// container file systems, and the log only matters to a human reading along.
import * as fs from 'fs';

export class LogFollower {
  private offset = 0;
  private partial = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly file: string,
    private readonly onLine: (line: string) => void,
    private readonly intervalMs = 300,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.poll(), this.intervalMs);
  }

  /** Reads what is left, then stops. */
  stop(): void {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    this.poll();
    if (this.partial !== '') {
      this.onLine(this.partial);
      this.partial = '';
    }
  }

  poll(): void {
    let size: number;
    try {
      size = fs.statSync(this.file).size;
    } catch {
      return; // not created yet
    }
    if (size <= this.offset) {
      return;
    }
    const buffer = Buffer.alloc(size - this.offset);
    const fd = fs.openSync(this.file, 'r');
    try {
      fs.readSync(fd, buffer, 0, buffer.length, this.offset);
    } finally {
      fs.closeSync(fd);
    }
    this.offset = size;
    const lines = (this.partial + buffer.toString('utf8')).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      this.onLine(line);
    }
  }
}
