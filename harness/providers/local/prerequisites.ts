// What the local provider needs from the machine, how to check it, and how
// to install it (Debian packages, when running as root).
import { existsSync } from 'node:fs';
import { run } from '../../../lib/exec.ts';
import { controlPlaneBinDir } from '../../../lib/control-plane-binaries.ts';
import type { Check } from '../provider.ts';
import { nodeVersionCheck } from '../common/node-version.ts';

/** Commands the environment runs, with the Debian package that brings each. */
export const REQUIRED_COMMANDS: { command: string; pkg: string }[] = [
  { command: 'ip', pkg: 'iproute2' },
  { command: 'gobgpd', pkg: 'gobgpd' },
  { command: 'gobgp', pkg: 'gobgpd' },
  { command: 'iptables', pkg: 'iptables' },
  { command: 'iptables-restore', pkg: 'iptables' },
  { command: 'nft', pkg: 'nftables' },
  { command: 'conntrack', pkg: 'conntrack' },
  { command: 'openssl', pkg: 'openssl' },
  { command: 'unshare', pkg: 'util-linux' },
  { command: 'ping', pkg: 'iputils-ping' },
];

export async function commandExists(command: string): Promise<boolean> {
  const { exitCode } = await run(['sh', '-c', `command -v ${command}`], { reject: false });
  return exitCode === 0;
}

export async function missingPackages(): Promise<string[]> {
  const missing = new Set<string>();
  for (const { command, pkg } of REQUIRED_COMMANDS) if (!(await commandExists(command))) missing.add(pkg);
  return [...missing];
}

/** Installs missing Debian packages when running as root; otherwise says what to install. */
export async function ensurePackages(log: (line: string) => void = () => {}): Promise<void> {
  const missing = await missingPackages();
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0 || !(await commandExists('apt-get'))) {
    throw new Error(`missing packages: ${missing.join(' ')}; install them with: sudo apt-get install -y ${missing.join(' ')}`);
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  await run(['apt-get', 'update', '-qq'], { timeoutMs: 300_000 });
  await run(['apt-get', 'install', '-y', '-qq', ...missing], { timeoutMs: 600_000, env: { DEBIAN_FRONTEND: 'noninteractive' } });
}

export async function doctor(): Promise<Check[]> {
  const checks: Check[] = [];
  checks.push(nodeVersionCheck());
  checks.push({ name: 'linux', ok: process.platform === 'linux', detail: process.platform, fix: 'the local provider needs Linux network namespaces; use --provider kind elsewhere' });
  const root = process.getuid?.() === 0;
  checks.push({ name: 'root', ok: root, detail: root ? 'running as root' : `uid ${process.getuid?.()}`, fix: 'run as root (network namespaces, routes and iptables need it)' });
  checks.push({ name: 'netns', ok: existsSync('/proc/self/ns/net'), detail: 'network namespaces', fix: 'a kernel with network namespaces' });
  for (const { command, pkg } of REQUIRED_COMMANDS) {
    const ok = await commandExists(command);
    checks.push({ name: command, ok, detail: ok ? 'found' : 'not found', fix: `apt-get install -y ${pkg}` });
  }
  const go = await commandExists('go');
  checks.push({ name: 'go', ok: go, detail: go ? (await run(['go', 'version'], { reject: false })).stdout : 'not found', fix: 'install Go >= 1.26 to build the control plane' });
  try {
    const bin = await controlPlaneBinDir();
    checks.push({ name: 'control plane', ok: true, detail: `built in ${bin}` });
  } catch (error) {
    checks.push({ name: 'control plane', ok: false, detail: (error as Error).message, fix: 'bash scripts/build-control-plane.sh' });
  }
  return checks;
}
