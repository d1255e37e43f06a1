import { describe, expect, it } from 'vitest';
import { launchArgv, setupScript, shellQuote } from './container-runner.ts';

describe('shellQuote', () => {
  it('quotes so sh gives the word back', () => {
    expect(shellQuote("it's $HOME")).toBe(`'it'\\''s $HOME'`);
  });
});

describe('setupScript', () => {
  it('mounts directories and files, sets the hostname, enters the working directory, execs the program', () => {
    const script = setupScript({
      mounts: [
        { source: '/run/vc/pods/u/serviceaccount', target: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
        { source: '/run/vc/pods/u/volumes/cfg/app.yaml', target: '/etc/app/app.yaml', readOnly: false, file: true },
      ],
      hostname: 'web-1',
      workingDir: '/srv',
      fallbackDir: '/repo',
    });
    expect(script.split('\n')).toEqual([
      'set -e',
      "mkdir -p '/var/run/secrets/kubernetes.io/serviceaccount'",
      "mount --bind -o ro '/run/vc/pods/u/serviceaccount' '/var/run/secrets/kubernetes.io/serviceaccount'",
      `[ -e '/etc/app/app.yaml' ] || { mkdir -p "$(dirname '/etc/app/app.yaml')"; : > '/etc/app/app.yaml'; }`,
      "mount --bind '/run/vc/pods/u/volumes/cfg/app.yaml' '/etc/app/app.yaml'",
      "echo 'web-1' > /proc/sys/kernel/hostname",
      "cd '/srv' 2>/dev/null || cd '/repo'",
      'exec "$@"',
    ]);
  });
});

describe('launchArgv', () => {
  const launch = { argv: ['/usr/bin/node', 'app.js', "it's"], env: {}, mounts: [], hostname: 'p', workingDir: undefined, fallbackDir: '/repo', logFile: '/x.log' };
  it('enters the pod network namespace, then a private mount and UTS namespace, keeping argv intact', () => {
    const argv = launchArgv({ ...launch, netns: 'vc-pod-0123456789ab' });
    expect(argv.slice(0, 11)).toEqual(['ip', 'netns', 'exec', 'vc-pod-0123456789ab', 'unshare', '--mount', '--uts', '--propagation', 'private', '--', '/bin/sh']);
    expect(argv.slice(-4)).toEqual(['vc-container', '/usr/bin/node', 'app.js', "it's"]);
  });
  it('stays in the node namespace for hostNetwork pods', () => {
    expect(launchArgv({ ...launch, netns: undefined })[0]).toBe('unshare');
  });
});
