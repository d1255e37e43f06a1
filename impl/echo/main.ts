// Entry point of the `vipcheck/echo` image: the backend that reports who served a request.
//   node impl/echo/main.ts [--port 8080] [--host ADDR] [--tls-port 8443 --tls-cert FILE --tls-key FILE]
//                          [--start-unready] [--max-body-bytes N] [--shutdown-timeout-ms N]
// Env: PORT, HOST, TLS_PORT, TLS_CERT, TLS_KEY, START_UNREADY, MAX_BODY_BYTES, SHUTDOWN_TIMEOUT_MS,
//      and the identity POD_NAMESPACE, POD_NAME, NODE_NAME, POD_IP, SERVICE_NAME, INGRESS_NAME.
import { EchoConfigError, parseEchoConfig } from './config.ts';
import { startEchoServer, type EchoServer } from './server.ts';

let config;
try {
  config = parseEchoConfig(process.argv.slice(2), process.env);
} catch (error) {
  if (!(error instanceof EchoConfigError)) throw error;
  process.stderr.write(`echo: ${error.message}\n`);
  process.exit(2);
}

// Signal handlers come first: a parent that reads the listening line may signal at once.
let server: EchoServer | undefined;
const stop = (signal: string) => {
  process.stdout.write(`${JSON.stringify({ msg: 'shutting down', signal })}\n`);
  if (!server) process.exit(0);
  server.shutdown().then(() => process.exit(0));
};
process.once('SIGTERM', () => stop('SIGTERM'));
process.once('SIGINT', () => stop('SIGINT'));

server = await startEchoServer(config).catch((error: Error) => {
  process.stderr.write(`echo: cannot start: ${error.message}\n`);
  process.exit(1);
});
// One JSON line so that a test that asked for port 0 learns the real ports.
process.stdout.write(`${JSON.stringify({ msg: 'listening', http: server.httpPort, https: server.tlsPort ?? null, ready: server.isReady() })}\n`);

