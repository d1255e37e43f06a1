// Kubernetes Events (core/v1) about our objects. Repeats of the same event
// bump its count instead of creating new objects, like client-go's recorder.
// Recording never throws into the caller: a failed write is logged.
import { CoreV1Api, PatchStrategy, setHeaderOptions, type CoreV1Event, type KubernetesObject } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { errorMessage, type Logger } from '../log.ts';

export interface EventTarget {
  kind: string;
  apiVersion: string;
  namespace: string;
  name: string;
  uid?: string;
  resourceVersion?: string;
}

export type EventType = 'Normal' | 'Warning';

/** The slice of CoreV1Api the recorder needs (a fake in unit tests). */
export type EventsApi = Pick<CoreV1Api, 'createNamespacedEvent' | 'patchNamespacedEvent'>;

const REMEMBERED = 1000;

export function targetOf(kind: string, apiVersion: string, object: KubernetesObject): EventTarget {
  return {
    kind, apiVersion,
    namespace: object.metadata?.namespace ?? 'default',
    name: object.metadata?.name ?? '',
    ...(object.metadata?.uid ? { uid: object.metadata.uid } : {}),
    ...(object.metadata?.resourceVersion ? { resourceVersion: object.metadata.resourceVersion } : {}),
  };
}

export class EventRecorder {
  private readonly api: EventsApi;
  private readonly component: string;
  private readonly host: string;
  private readonly log: Logger;
  /** identity of an event → its object name and count, oldest first. */
  private readonly seen = new Map<string, { name: string; count: number }>();
  private queue: Promise<void> = Promise.resolve();

  constructor(api: EventsApi, component: string, host: string, log: Logger) {
    this.api = api;
    this.component = component;
    this.host = host;
    this.log = log;
  }

  record(target: EventTarget, type: EventType, reason: string, message: string): void {
    this.queue = this.queue.then(() => this.write(target, type, reason, message));
  }

  /** Resolves when every event recorded so far has been written (or failed). */
  flush(): Promise<void> {
    return this.queue;
  }

  private async write(target: EventTarget, type: EventType, reason: string, message: string): Promise<void> {
    const identity = JSON.stringify([target.kind, target.namespace, target.name, target.uid ?? '', type, reason, message]);
    const now = new Date();
    const earlier = this.seen.get(identity);
    try {
      if (earlier) {
        try {
          await this.api.patchNamespacedEvent(
            { namespace: target.namespace, name: earlier.name, body: { count: earlier.count + 1, lastTimestamp: now.toISOString() } },
            setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
          );
          earlier.count++;
          this.remember(identity, earlier);
          return;
        } catch {
          // Expired or deleted: write a fresh one below.
        }
      }
      const name = `${target.name}.${randomBytes(8).toString('hex')}`;
      const body: CoreV1Event = {
        metadata: { name, namespace: target.namespace },
        involvedObject: {
          kind: target.kind, apiVersion: target.apiVersion, namespace: target.namespace, name: target.name,
          ...(target.uid ? { uid: target.uid } : {}),
          ...(target.resourceVersion ? { resourceVersion: target.resourceVersion } : {}),
        },
        type, reason, message,
        count: 1, firstTimestamp: now, lastTimestamp: now,
        source: { component: this.component, host: this.host },
        reportingComponent: this.component,
        reportingInstance: this.host,
      };
      await this.api.createNamespacedEvent({ namespace: target.namespace, body });
      this.remember(identity, { name, count: 1 });
    } catch (error) {
      this.log(`could not record event ${reason} on ${target.kind} ${target.namespace}/${target.name}: ${errorMessage(error)}`);
    }
  }

  private remember(identity: string, entry: { name: string; count: number }): void {
    this.seen.delete(identity);
    this.seen.set(identity, entry);
    if (this.seen.size > REMEMBERED) this.seen.delete(this.seen.keys().next().value!);
  }
}
