// The process `vipcheck up` leaves running: it owns the local environment,
// keeps it alive, and takes it down on SIGTERM. Its progress and state go to
// the run directory's state.json; its log to supervisor.log.
import { parseArgs } from 'node:util';
import { LocalEnvironment } from './environment.ts';
import { DEFAULT_RUN_DIR, writeState, type EnvironmentState } from './state.ts';
import { writeLocalBgpAccess } from './bgp-access.ts';

const { values } = parseArgs({ options: { nodes: { type: 'string', default: '3' }, 'run-dir': { type: 'string', default: DEFAULT_RUN_DIR } } });
const runDir = values['run-dir']!;
const env = new LocalEnvironment({ nodes: Number(values.nodes), runDir, log, onBroken: (reason) => {
  state.phase = 'failed';
  state.error = `environment broken: ${reason}`;
  log(`FAILED: ${state.error}`);
  void shutdown('broken environment');
} });

const state: EnvironmentState = {
  phase: 'starting',
  supervisorPid: process.pid,
  runDir,
  kubeconfig: env.adminKubeconfig,
  kubernetesVersion: '',
  nodes: env.plan.nodes.length,
  plan: env.plan,
  startedAt: new Date().toISOString(),
  progress: [],
};

function log(line: string): void {
  const stamped = `${new Date().toISOString()} ${line}`;
  console.log(stamped);
  state.progress.push(line);
  if (state.progress.length > 50) state.progress.shift();
  try {
    writeState(state);
  } catch {
    // the run dir is being recreated at start; the next line will land
  }
}

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping the environment`);
  if (state.phase !== 'failed') state.phase = 'stopping';
  writeState(state);
  try {
    await env.stop();
  } catch (error) {
    console.error(`teardown: ${(error as Error).message}`);
  }
  console.log('stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

try {
  const timings = await env.start();
  state.kubernetesVersion = env.kubernetesVersion;
  state.readyMs = Math.round(timings.nodesReadyMs);
  const bgpAccess = writeLocalBgpAccess(env.plan, runDir, env.adminKubeconfig);
  state.phase = 'ready';
  log(`ready in ${state.readyMs} ms; kubeconfig: ${env.adminKubeconfig}; BGP access: ${bgpAccess}`);
} catch (error) {
  state.phase = 'failed';
  state.error = (error as Error).message;
  log(`FAILED: ${state.error}`);
  await shutdown('failure');
}
// Stay alive: the environment's processes are our children.
setInterval(() => {}, 1 << 30);
