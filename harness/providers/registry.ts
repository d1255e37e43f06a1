// Every provider, by name: the CLI parses --provider against this table, the
// help text and docs/writing-providers.md list it, and scenario workers find
// a provider's node operations here by the name in the runtime description.
// Adding a provider is one folder and one line here. Both halves load lazily:
// a worker never loads a provider's main-process half.
import { CAPABILITY_OPERATIONS, type Capabilities, type Capability, type EnvironmentDescription, type NodeCapability, type NodeOperations, type Provider } from './provider.ts';

interface Entry {
  provider: () => Promise<{ provider: Provider }>;
  operations: () => Promise<{ operations: NodeOperations }>;
}

const PROVIDERS = {
  local: { provider: () => import('./local/provider.ts'), operations: () => import('./common/node-links.ts') },
  kind: { provider: () => import('./kind/provider.ts'), operations: () => import('./kind/operations.ts') },
  existing: { provider: () => import('./existing/provider.ts'), operations: () => import('./common/node-links.ts') },
} satisfies Record<string, Entry>;

export type ProviderName = keyof typeof PROVIDERS;

export const PROVIDER_NAMES = Object.keys(PROVIDERS) as ProviderName[];

export const DEFAULT_PROVIDER: ProviderName = 'local';

/** The name, checked; the error lists the known ones and says where the name came from. */
export function providerName(name: string, source = '--provider'): ProviderName {
  if (!Object.hasOwn(PROVIDERS, name)) throw new Error(`${source}: unknown provider "${name}" (known: ${PROVIDER_NAMES.join(', ')})`);
  return name as ProviderName;
}

export async function loadProvider(name: ProviderName): Promise<Provider> {
  return (await PROVIDERS[name].provider()).provider;
}

export async function loadProviders(): Promise<[ProviderName, Provider][]> {
  return Promise.all(PROVIDER_NAMES.map(async (name) => [name, await loadProvider(name)] as [ProviderName, Provider]));
}

/** The node operations of the environment's provider (in a scenario worker, from the runtime description). */
export async function nodeOperationsOf(environment: EnvironmentDescription): Promise<NodeOperations> {
  return (await PROVIDERS[providerName(environment.name, 'runtime provider.name')].operations()).operations;
}

/**
 * Why the environment cannot do what a capability stands for, or undefined
 * when it can: a scenario turns the reason into not-supported.
 */
export function missingCapability(environment: EnvironmentDescription, capability: Capability, what: string): string | undefined {
  if (environment.capabilities[capability]) return undefined;
  const why = environment.unsupported?.[capability];
  return `the ${environment.name} provider cannot ${what}${why ? `: ${why}` : ` (${capability} is false)`}`;
}

/** The operations of a capability the environment has, or the reason it has not. */
export async function nodeOperation(environment: EnvironmentDescription, capability: NodeCapability, what: string): Promise<Required<NodeOperations> | string> {
  const missing = missingCapability(environment, capability, what);
  if (missing) return missing;
  const operations = await nodeOperationsOf(environment);
  const absent = CAPABILITY_OPERATIONS[capability].filter((op) => !operations[op]);
  // A description claiming what its operations cannot do is the provider's bug, said as such.
  if (absent.length) throw new Error(`the ${environment.name} provider claims ${capability} but has no ${absent.join(', ')} operation`);
  return operations as Required<NodeOperations>;
}

const CAPABILITY_ROWS: [keyof Capabilities, string][] = [
  ['bgpAccess', 'BGP access (TOR, iBGP router)'],
  ['canCutNode', 'cut a node off (canCutNode)'],
  ['canPauseNode', 'pause a node (canPauseNode)'],
  ['layer2Client', 'layer-2 client (layer2Client)'],
  ['ipFamilies', 'IP families (ipFamilies)'],
];

/** The providers and what each can do at most, as a Markdown table (docs/writing-providers.md holds it; a test keeps it current). */
export async function capabilityTable(): Promise<string> {
  const providers = await loadProviders();
  const cell = (provider: Provider, key: keyof Capabilities) => {
    const value = provider.capabilities[key];
    if (Array.isArray(value)) return value.join(', ');
    const condition = key === 'ipFamilies' ? undefined : provider.conditions?.[key];
    return value ? (condition ? `yes, ${condition}` : 'yes') : 'no';
  };
  return [
    `| | ${providers.map(([name]) => `\`${name}\``).join(' | ')} |`,
    `| --- |${providers.map(() => ' --- |').join('')}`,
    ...CAPABILITY_ROWS.map(([key, label]) => `| ${label} | ${providers.map(([, p]) => cell(p, key)).join(' | ')} |`),
    `| \`vipcheck up/down\` | ${providers.map(([, p]) => (p.lifecycle ? 'yes' : 'no')).join(' | ')} |`,
  ].join('\n');
}
