// What `vipcheck run` hands to the scenario files (which vitest runs in
// worker processes): the environment, the target and the settings, as one
// JSON file named by VIPCHECK_RUNTIME.
import { readFileSync } from 'node:fs';
import type { EnvironmentDescription } from '../providers/provider.ts';
import type { Target } from '../targets/target.ts';
import type { SuiteName } from './types.ts';

export interface Runtime {
  runId: string;
  /** The environment as its provider describes it: nodes, routers, capabilities, its node operations' data. */
  provider: EnvironmentDescription;
  target: Target;
  /** Template variables for fixtures and the target's manifests (addresses, ASNs, classes). */
  vars: Record<string, string | number>;
  /** The address clients use for the target's ingress controller (its VIP), when installed. */
  ingressAddress?: string;
  settings: {
    /** Every named bound in ms, already scaled (names and defaults: ./timeouts.ts). */
    timeouts: Record<string, number>;
    /** --timeout-scale: the factor already applied to `timeouts`. */
    timeoutScale: number;
    reportDir: string;
    suites?: SuiteName[];
    ids?: string[];
    keepNamespaces: boolean;
  };
}

let cached: Runtime | undefined;

export function loadRuntime(): Runtime {
  if (cached) return cached;
  const file = process.env.VIPCHECK_RUNTIME;
  if (!file) {
    throw new Error('VIPCHECK_RUNTIME is not set: scenario files run through "vipcheck run" (or "npm run conformance"), which brings up the environment first');
  }
  cached = JSON.parse(readFileSync(file, 'utf8')) as Runtime;
  return cached;
}
