// One line per event on stdout, prefixed with the time and the role, so that
// the local provider's pod logs and `kubectl logs` read the same.

export type Logger = (line: string) => void;

export function createLogger(component: string, write: (text: string) => void = (text) => process.stdout.write(text)): Logger {
  return (line) => write(`${new Date().toISOString()} ${component}: ${line}\n`);
}

/** An error's message without the stack, for log lines and Event messages. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    // ApiException carries the API server's response body, which says what was refused and why.
    const body = (error as { body?: unknown }).body;
    const code = (error as { code?: unknown }).code;
    if (typeof body === 'string' && body !== '') {
      try {
        const status = JSON.parse(body) as { message?: string };
        if (status.message) return `HTTP ${String(code)}: ${status.message}`;
      } catch {
        // Not JSON: fall through to the plain message.
      }
    }
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
