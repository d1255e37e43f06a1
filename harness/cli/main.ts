// The vipcheck command line: up, down, status, doctor, run.
import { parseArgs } from 'node:util';
import { up, down, status, describeNodes } from '../providers/local/lifecycle.ts';
import { doctor } from '../providers/local/prerequisites.ts';
import { bgpAccessFile } from '../providers/local/bgp-access.ts';
import { localApiServer, runLockHolder } from './run-lock.ts';

const USAGE = `usage:
  vipcheck up     [--provider local|kind] [--nodes N]   bring an environment up, leave it running, print its kubeconfig
  vipcheck down   [--provider local|kind] [--force]     tear it down; nothing of ours is left (--force: even under a run)
  vipcheck status                                       what is up, where its kubeconfig is
  vipcheck doctor [--provider local|kind]               check prerequisites, say exactly what to install
  vipcheck run    [--provider local|kind|existing] [--target reference|FILE]
                  [--suite ingress,loadbalancer,e2e] [--run ID,...] [--report-dir DIR]
                  [--timeout SECONDS] [--timeout-scale N] [--kubeconfig PATH] [--bgp-access FILE] [--install-target true|false]
                  [--keep-namespaces] [--nodes N] [--workers N] [--reporter NAME|PATH,...]`;

const log = (line: string) => console.log(line);

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'up': {
      const { values } = parseArgs({ args: rest, options: { provider: { type: 'string', default: 'local' }, nodes: { type: 'string', default: '3' } } });
      const nodes = Number(values.nodes);
      if (values.provider === 'kind') {
        const { KindProvider } = await import('../providers/kind/kind-provider.ts');
        const kind = await KindProvider.ensure({ workers: nodes, log });
        console.log(`kind environment up: cluster ${kind.cluster}, Kubernetes ${kind.kubernetesVersion}`);
        console.log(`kubeconfig: ${kind.kubeconfigPath}`);
        return 0;
      }
      if (values.provider !== 'local') throw new Error(`vipcheck up: unknown provider "${values.provider}" (local or kind)`);
      const started = performance.now();
      const state = await up({ nodes, log });
      console.log(`environment up: ${state.nodes} nodes, Kubernetes ${state.kubernetesVersion}, ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      console.log(`kubeconfig: ${state.kubeconfig}`);
      console.log(`try: kubectl --kubeconfig ${state.kubeconfig} get nodes`);
      return 0;
    }
    case 'down': {
      const { values } = parseArgs({ args: rest, options: { provider: { type: 'string', default: 'local' }, force: { type: 'boolean', default: false } } });
      const running = values.provider === 'local' ? runLockHolder(localApiServer()) : undefined;
      if (running && !values.force) {
        throw new Error(`a vipcheck run is using this environment (pid ${running.pid}, target ${running.target}, since ${running.since}); let it finish, or take it down anyway with "vipcheck down --force"`);
      }
      if (values.provider === 'kind') {
        const { destroyKindEnvironment } = await import('../providers/kind/kind-provider.ts');
        const removed = await destroyKindEnvironment({ log });
        console.log(removed.length ? `kind environment down: removed ${removed.join(', ')}` : 'down: no kind environment of ours');
        return 0;
      }
      const { removed } = await down({ log });
      console.log(removed.length ? `down; also removed leftovers: ${removed.join(', ')}` : 'down: nothing of ours is left');
      return 0;
    }
    case 'status': {
      const report = await status();
      if (!report.state) {
        console.log(report.namespaces.length ? `not up, but leftovers exist (run "vipcheck down"): ${report.namespaces.join(', ')}` : 'not up');
        return report.up ? 0 : 1;
      }
      const s = report.state;
      console.log(`${s.phase}: ${s.nodes} nodes, Kubernetes ${s.kubernetesVersion}, supervisor pid ${s.supervisorPid}, since ${s.startedAt}`);
      console.log(`kubeconfig: ${s.kubeconfig}`);
      if (s.phase === 'ready') {
        console.log(`BGP access (for --provider existing --bgp-access): ${bgpAccessFile(s.runDir)}`);
        console.log(await describeNodes(s.kubeconfig));
      }
      return s.phase === 'ready' ? 0 : 1;
    }
    case 'doctor': {
      const { values } = parseArgs({ args: rest, options: { provider: { type: 'string', default: 'local' } } });
      const checks = values.provider === 'kind' ? await (await import('../providers/kind/doctor.ts')).kindDoctorChecks() : await doctor();
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
      console.log(USAGE);
      return command ? 0 : 2;
    default:
      console.error(`unknown command "${command}"\n${USAGE}`);
      return 2;
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  console.error(`vipcheck: ${(error as Error).message}`);
  process.exitCode = 1;
}
