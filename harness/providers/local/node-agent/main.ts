// The node agent process: vipcheck's stand-in for the kubelet on one node.
// Started by the local provider inside the node's network namespace, as root:
//   ip netns exec vc-node-1 node harness/providers/local/node-agent/main.ts --config agent.json
// SIGTERM / SIGINT stop every pod (processes, namespaces, veths, rules) and exit 0.
import { parseArgs } from 'node:util';
import { NodeAgent } from './agent.ts';
import { loadNodeAgentConfig } from './config.ts';
import { logLine } from './log.ts';

/** Exit even if cleanup hangs: the supervisor waits 15 s before SIGKILL. */
const EXIT_DEADLINE_MS = 13_000;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: 'string' } }, strict: true });
  if (!values.config) throw new Error('usage: main.ts --config <node agent config JSON>');
  const config = await loadNodeAgentConfig(values.config);
  const agent = new NodeAgent(config, logLine);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logLine(`${signal}: stopping`);
    setTimeout(() => {
      logLine(`cleanup did not finish within ${EXIT_DEADLINE_MS} ms; exiting anyway`);
      process.exit(0);
    }, EXIT_DEADLINE_MS).unref();
    agent.stop().then(
      () => process.exit(0),
      (error: Error) => {
        logLine(`cleanup failed: ${error.message}`);
        process.exit(0);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await agent.start();
}

// A stray rejection must not take every pod on the node down with the agent.
process.on('unhandledRejection', (reason) => logLine(`unhandled rejection: ${(reason as Error)?.stack ?? String(reason)}`));

main().catch((error: Error) => {
  logLine(`FATAL: ${error.message}`);
  process.exit(1);
});
