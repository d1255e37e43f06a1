// The vipcheck command line: up, down, status, doctor, run. Which provider
// does the work is --provider, looked up in harness/providers/registry.ts.
import { parseArgs } from 'node:util';
import { DEFAULT_PROVIDER, PROVIDER_NAMES, loadProvider, loadProviders, providerName, type ProviderName } from '../providers/registry.ts';
import type { Lifecycle, Provider } from '../providers/provider.ts';
import { runLockHolder } from './run-lock.ts';

async function usage(): Promise<string> {
  const providers = await loadProviders();
  const owning = providers.filter(([, p]) => p.lifecycle).map(([name]) => name).join('|');
  const width = Math.max(...PROVIDER_NAMES.map((n) => n.length));
  return `usage:
  vipcheck up     [--provider ${owning}] [--nodes N]   bring an environment up, leave it running, print its kubeconfig
  vipcheck down   [--provider ${owning}] [--force]     tear it down; nothing of ours is left (--force: even under a run)
  vipcheck status [--provider ${owning}]               what is up, where its kubeconfig is
  vipcheck doctor [--provider ${PROVIDER_NAMES.join('|')}]      check prerequisites, say exactly what to install
  vipcheck run    [--provider ${PROVIDER_NAMES.join('|')}] [--target reference|FILE]
                  [--suite ingress,loadbalancer,e2e] [--run ID,...] [--report-dir DIR]
                  [--timeout SECONDS] [--timeout-scale N] [--kubeconfig PATH] [--bgp-access FILE] [--install-target true|false]
                  [--keep-namespaces] [--nodes N] [--workers N] [--reporter NAME|PATH,...]
providers (default ${DEFAULT_PROVIDER}):
${providers.map(([name, p]) => `  ${name.padEnd(width)}  ${p.summary}`).join('\n')}`;
}

const log = (line: string) => console.log(line);

async function chosen(value: string | undefined): Promise<{ name: ProviderName; provider: Provider }> {
  const name = providerName(value ?? DEFAULT_PROVIDER);
  return { name, provider: await loadProvider(name) };
}

/** The provider's up/down/status, or why `command` does not apply to it. */
function lifecycleOf(command: string, name: ProviderName, provider: Provider): Lifecycle {
  if (!provider.lifecycle) throw new Error(`the ${name} provider uses a cluster it does not own: "vipcheck ${command}" does not apply to it (use it with "vipcheck run --provider ${name}")`);
  return provider.lifecycle;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'up': {
      const { values } = parseArgs({ args: rest, options: { provider: { type: 'string' }, nodes: { type: 'string', default: '3' } } });
      const { name, provider } = await chosen(values.provider);
      lifecycleOf('up', name, provider);
      const started = performance.now();
      const { description } = await provider.attach({ nodes: Number(values.nodes), log });
      console.log(`${name} environment up: ${description.nodes.length} nodes, Kubernetes ${description.kubernetesVersion}, ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      console.log(`kubeconfig: ${description.kubeconfig}`);
      console.log(`try: kubectl --kubeconfig ${description.kubeconfig} get nodes`);
      return 0;
    }
    case 'down': {
      const { values } = parseArgs({ args: rest, options: { provider: { type: 'string' }, force: { type: 'boolean', default: false } } });
      const { name, provider } = await chosen(values.provider);
      const lifecycle = lifecycleOf('down', name, provider);
      const running = runLockHolder(provider.cluster({}));
      if (running && !values.force) {
        throw new Error(`a vipcheck run is using this environment (pid ${running.pid}, target ${running.target}, since ${running.since}); let it finish, or take it down anyway with "vipcheck down --force"`);
      }
      const removed = await lifecycle.down({ log });
      console.log(removed.length ? `${name} environment down; removed: ${removed.join(', ')}` : `down: nothing of ours is left (${name})`);
      return 0;
    }
    case 'status': {
      const { values } = parseArgs({ args: rest, options: { provider: { type: 'string' } } });
      const { name, provider } = await chosen(values.provider);
      const report = await lifecycleOf('status', name, provider).status();
      for (const line of report.lines) console.log(line);
      return report.up ? 0 : 1;
    }
    case 'doctor': {
      const { values } = parseArgs({ args: rest, options: { provider: { type: 'string' } } });
      const { provider } = await chosen(values.provider);
      const checks = await provider.doctor();
      for (const c of checks) console.log(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name.padEnd(16)} ${c.detail}${c.ok || !c.fix ? '' : `\n     fix: ${c.fix}`}`);
      return checks.every((c) => c.ok) ? 0 : 1;
    }
    case 'run': {
      const { runCommand } = await import('./run.ts');
      return runCommand(rest);
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(await usage());
      return command ? 0 : 2;
    default:
      console.error(`unknown command "${command}"\n${await usage()}`);
      return 2;
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  console.error(`vipcheck: ${(error as Error).message}`);
  process.exitCode = 1;
}
