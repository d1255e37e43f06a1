// Is there a Docker engine? Asked once, answered within a bound: the kind
// provider must fail in one clear line when Docker is absent, never hang.
import { execa } from 'execa';

export const DOCKER_TIMEOUT_MS = 5_000;

export interface DockerStatus {
  ok: boolean;
  /** Server version when ok; otherwise why not, on one line. */
  detail: string;
}

export class NoDockerError extends Error {
  /** Why the engine did not answer, on one line. */
  readonly detail: string;
  constructor(detail: string) {
    super(`no Docker engine answers (${detail}); the kind provider needs Docker — use the default local provider (--provider local) or start Docker`);
    this.name = 'NoDockerError';
    this.detail = detail;
  }
}

/** Asks the Docker CLI for the engine's version; any failure or silence past the bound is "not available". */
export async function dockerAvailable(timeoutMs = DOCKER_TIMEOUT_MS): Promise<DockerStatus> {
  const result = await execa('docker', ['version', '--format', '{{.Server.Version}}'], {
    reject: false,
    timeout: timeoutMs,
    stdin: 'ignore',
  });
  const out = String(result.stdout ?? '').trim();
  if (result.exitCode === 0 && out) return { ok: true, detail: out };
  let detail: string;
  if ((result as { code?: string }).code === 'ENOENT') detail = 'the docker command is not installed';
  else if (result.timedOut) detail = `docker version did not answer within ${timeoutMs} ms`;
  else detail = String(result.stderr ?? '').trim() || result.shortMessage || `docker version exited ${result.exitCode}`;
  return { ok: false, detail: oneLine(detail) };
}

/** Throws NoDockerError (one line) unless an engine answers. */
export async function requireDocker(timeoutMs = DOCKER_TIMEOUT_MS): Promise<string> {
  const status = await dockerAvailable(timeoutMs);
  if (!status.ok) throw new NoDockerError(status.detail);
  return status.detail;
}

export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
