// One JSON object per line on stdout (info) or stderr (warn, error): easy to
// read in pod logs and easy for tests to parse.

export type LogFields = Record<string, unknown>;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

export function jsonLogger(component: string): Logger {
  const write = (stream: NodeJS.WriteStream, level: string, msg: string, fields?: LogFields) =>
    stream.write(`${JSON.stringify({ time: new Date().toISOString(), level, component, msg, ...fields })}\n`);
  return {
    info: (msg, fields) => write(process.stdout, 'info', msg, fields),
    warn: (msg, fields) => write(process.stderr, 'warn', msg, fields),
    error: (msg, fields) => write(process.stderr, 'error', msg, fields),
  };
}

/** Keeps lines in memory (tests) instead of writing them. */
export function memoryLogger(): Logger & { lines: { level: string; msg: string; fields?: LogFields }[] } {
  const lines: { level: string; msg: string; fields?: LogFields }[] = [];
  return {
    lines,
    info: (msg, fields) => lines.push({ level: 'info', msg, fields }),
    warn: (msg, fields) => lines.push({ level: 'warn', msg, fields }),
    error: (msg, fields) => lines.push({ level: 'error', msg, fields }),
  };
}
