// The agent's own log: one timestamped line per action, on stdout (the
// supervisor sends it to logs/agent-<node>.log).

export function logLine(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}
