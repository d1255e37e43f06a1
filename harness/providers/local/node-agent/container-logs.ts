// Container log files. Each line is stored as "<RFC 3339 time> <stream>
// <text>" (like the CRI log format, minus the partial flag), so the log
// endpoint can honour `timestamps`, `sinceSeconds` and `sinceTime`.
// Writing splits output into lines; reading (renderLogs) is pure.
import { createWriteStream, type WriteStream } from 'node:fs';

export type LogStream = 'stdout' | 'stderr';

export function formatLogLine(time: Date, stream: LogStream, text: string): string {
  return `${time.toISOString()} ${stream} ${text}\n`;
}

export interface LogLine {
  time: Date;
  stream: LogStream;
  text: string;
}

export function parseLogLine(line: string): LogLine | undefined {
  const first = line.indexOf(' ');
  const second = line.indexOf(' ', first + 1);
  if (first < 0 || second < 0) return undefined;
  const time = new Date(line.slice(0, first));
  const stream = line.slice(first + 1, second);
  if (Number.isNaN(time.getTime()) || (stream !== 'stdout' && stream !== 'stderr')) return undefined;
  return { time, stream, text: line.slice(second + 1) };
}

/** Longest line kept whole; longer output is split, as container runtimes do. */
const MAX_LINE = 16 * 1024;

/** Appends a container's stdout and stderr to its log file, one timestamped line at a time. */
export class LogWriter {
  private readonly out: WriteStream;
  private readonly partial: Record<LogStream, string> = { stdout: '', stderr: '' };

  constructor(file: string) {
    this.out = createWriteStream(file, { flags: 'a' });
    this.out.on('error', () => undefined); // a vanished pod directory must not crash the agent
  }

  write(stream: LogStream, chunk: Buffer | string): void {
    let text = this.partial[stream] + chunk.toString();
    let newline: number;
    while ((newline = text.indexOf('\n')) >= 0) {
      this.out.write(formatLogLine(new Date(), stream, text.slice(0, newline)));
      text = text.slice(newline + 1);
    }
    while (text.length > MAX_LINE) {
      this.out.write(formatLogLine(new Date(), stream, text.slice(0, MAX_LINE)));
      text = text.slice(MAX_LINE);
    }
    this.partial[stream] = text;
  }

  /** Flushes unterminated output and closes the file. */
  close(): Promise<void> {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream]) this.out.write(formatLogLine(new Date(), stream, this.partial[stream]));
      this.partial[stream] = '';
    }
    return new Promise((resolve) => this.out.end(resolve));
  }
}

export interface LogQuery {
  tailLines?: number;
  limitBytes?: number;
  sinceTime?: Date;
  timestamps?: boolean;
}

/** One stored line as the client sees it. */
export function renderLine(line: LogLine, timestamps: boolean): string {
  return timestamps ? `${line.time.toISOString()} ${line.text}\n` : `${line.text}\n`;
}

/** Selects and formats lines of a log file's content: since, then tail, then the byte limit. */
export function renderLogs(content: string, query: LogQuery): string {
  let lines = content.split('\n').map(parseLogLine).filter((l): l is LogLine => l !== undefined);
  if (query.sinceTime) lines = lines.filter((l) => l.time >= query.sinceTime!);
  if (query.tailLines !== undefined) lines = query.tailLines === 0 ? [] : lines.slice(-query.tailLines);
  const text = lines.map((l) => renderLine(l, query.timestamps ?? false)).join('');
  return query.limitBytes !== undefined ? Buffer.from(text).subarray(0, query.limitBytes).toString() : text;
}
