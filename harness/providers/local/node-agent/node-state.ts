// What this node's agent has made, persisted in runDir/state.json so that a
// restarted agent (after a crash) can reclaim it: pod namespaces, host veths,
// addresses, hostPort rules and the processes it started.
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { HostPortMapping } from './hostports.ts';

export interface ProcessRecord {
  pid: number;
  /** Start time from /proc/<pid>/stat (clock ticks): tells a reused pid from ours. */
  startTicks: number;
}

/** A process's start time in clock ticks (field 22 of /proc/<pid>/stat); undefined when it is gone. */
export function processStartTicks(pid: number): number | undefined {
  try {
    return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[19] ?? 0);
  } catch {
    return undefined;
  }
}

export interface PodRecord {
  namespace: string;
  name: string;
  podIP?: string;
  netns?: string;
  hostVeth?: string;
  hostPorts?: HostPortMapping[];
  processes: ProcessRecord[];
}

export interface NodeState {
  /** Last address handed out, so the next pod gets the one after it. */
  lastAllocated?: string;
  pods: Record<string, PodRecord>;
}

export class NodeStateStore {
  readonly file: string;
  private current: NodeState;
  private writing: Promise<void> = Promise.resolve();

  private constructor(file: string, state: NodeState) {
    this.file = file;
    this.current = state;
  }

  static async load(runDir: string): Promise<NodeStateStore> {
    const file = path.join(runDir, 'state.json');
    let state: NodeState = { pods: {} };
    try {
      const parsed = JSON.parse(await readFile(file, 'utf8')) as NodeState;
      if (parsed && typeof parsed === 'object' && parsed.pods && typeof parsed.pods === 'object') state = parsed;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new Error(`cannot read node agent state ${file}: ${(error as Error).message}`);
      }
    }
    return new NodeStateStore(file, state);
  }

  get state(): Readonly<NodeState> {
    return this.current;
  }

  /** Applies `change` and writes the file (atomically, one write at a time). */
  update(change: (state: NodeState) => void): Promise<void> {
    change(this.current);
    const snapshot = JSON.stringify(this.current, null, 2);
    // A failed write must not block the ones after it: each starts from a settled chain.
    this.writing = this.writing.catch(() => undefined).then(async () => {
      await mkdir(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.tmp`;
      await writeFile(tmp, snapshot);
      await rename(tmp, this.file);
    });
    return this.writing;
  }

  addressesInUse(): Set<string> {
    return new Set(Object.values(this.current.pods).map((p) => p.podIP).filter((ip): ip is string => Boolean(ip)));
  }
}
