// A BgpSession as a process, driven by JSON lines on stdin, reporting JSON
// lines on stdout. Used to run a session inside a node's network namespace
// (`ip netns exec vc-node-1 node impl/speaker/bgp/cli.ts …`) in integration
// tests and the benchmark.
//
//   node impl/speaker/bgp/cli.ts --peer 198.18.0.1 --my-asn 64512 --peer-asn 64512 \
//        --router-id 198.18.0.11 [--local-address A] [--port 179] [--hold 90] [--keepalive S] [--connect-retry S]
//
// stdin:  {"op":"announce","prefixes":["198.19.0.10/32"],"localPref":200,"communities":["64512:1"]}
//         {"op":"withdraw","prefixes":["198.19.0.10/32"]}
//         {"op":"state"}   {"op":"stop","reason":"bye"}
// stdout: {"event":"state","state":"Established"} {"event":"established"} {"event":"down","reason":"…"}
//         {"event":"ack","op":"announce","count":1} {"event":"error","message":"…"} {"event":"stopped"}
// Logs go to stderr. End of stdin or SIGTERM stops the session with a Cease.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { BgpSession, type SessionConfig } from './session.ts';
import { isCommunityValue, parseCommunity } from '../../../lib/bgp-community.ts';

function emit(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

/** "a:b" (each 0..65535) or a uint32. */
export function communityOf(value: unknown): number {
  if (isCommunityValue(value)) return value;
  if (typeof value === 'string') return parseCommunity(value);
  throw new Error(`community ${JSON.stringify(value)} is neither "a:b" (each 0..65535) nor a uint32`);
}

function configFromArgs(argv: string[]): SessionConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      peer: { type: 'string' },
      port: { type: 'string' },
      'local-address': { type: 'string' },
      'my-asn': { type: 'string' },
      'peer-asn': { type: 'string' },
      'router-id': { type: 'string' },
      hold: { type: 'string' },
      keepalive: { type: 'string' },
      'connect-retry': { type: 'string' },
    },
    strict: true,
  });
  const number = (name: keyof typeof values) => {
    const text = values[name];
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isFinite(n)) throw new Error(`--${name} "${text}" is not a number`);
    return n;
  };
  for (const required of ['peer', 'my-asn', 'peer-asn', 'router-id'] as const) {
    if (values[required] === undefined) throw new Error(`--${required} is required`);
  }
  return {
    peerAddress: values.peer!,
    peerPort: number('port'),
    localAddress: values['local-address'],
    myAsn: number('my-asn')!,
    peerAsn: number('peer-asn')!,
    routerId: values['router-id']!,
    holdTimeSec: number('hold'),
    keepaliveSec: number('keepalive'),
    connectRetrySec: number('connect-retry'),
    logger: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
  };
}

function prefixesOf(command: Record<string, unknown>): string[] {
  const prefixes = command.prefixes ?? (command.prefix !== undefined ? [command.prefix] : undefined);
  if (!Array.isArray(prefixes) || prefixes.some((p) => typeof p !== 'string')) {
    throw new Error('"prefixes" must be an array of "a.b.c.d/len" strings');
  }
  return prefixes as string[];
}

async function main(): Promise<void> {
  let config: SessionConfig;
  let session: BgpSession;
  try {
    config = configFromArgs(process.argv.slice(2));
    session = new BgpSession(config);
  } catch (error) {
    process.stderr.write(`bgp cli: ${(error as Error).message}\n`);
    process.exit(2);
  }
  session.on('state', (state: string) => emit({ event: 'state', state }));
  session.on('established', () => emit({ event: 'established', localAddress: session.localAddress }));
  session.on('down', (reason: string) => emit({ event: 'down', reason }));

  let stopping = false;
  const stop = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    await session.stop(reason);
    emit({ event: 'stopped' });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('speaker terminated'));
  process.on('SIGINT', () => void stop('speaker interrupted'));

  session.start();
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on('line', (line) => {
    if (line.trim() === '') return;
    try {
      const command = JSON.parse(line) as Record<string, unknown>;
      switch (command.op) {
        case 'announce': {
          const prefixes = prefixesOf(command);
          const communities = Array.isArray(command.communities) ? command.communities.map(communityOf) : undefined;
          const localPref = command.localPref === undefined ? undefined : Number(command.localPref);
          for (const prefix of prefixes) session.announce(prefix, { localPref, communities });
          emit({ event: 'ack', op: 'announce', count: prefixes.length });
          break;
        }
        case 'withdraw': {
          const prefixes = prefixesOf(command);
          for (const prefix of prefixes) session.withdraw(prefix);
          emit({ event: 'ack', op: 'withdraw', count: prefixes.length });
          break;
        }
        case 'state':
          emit({ event: 'state', state: session.state, localAddress: session.localAddress, announced: session.announced().size });
          break;
        case 'stop':
          void stop(typeof command.reason === 'string' ? command.reason : 'stopped by command');
          break;
        default:
          throw new Error(`unknown op ${JSON.stringify(command.op)} (announce, withdraw, state, stop)`);
      }
    } catch (error) {
      emit({ event: 'error', message: `${(error as Error).message} in command ${line.slice(0, 200)}` });
    }
  });
  lines.on('close', () => void stop('stdin closed'));
}

if (import.meta.main) await main();
