// What to answer when Node's HTTP parser refuses a request (the 'clientError'
// event): the most specific 4xx/5xx the failure allows, so that a malformed
// request gets a clear answer instead of a dropped connection.
import { STATUS_CODES } from 'node:http';

export interface ParseFailure {
  code?: string;
  /** The bytes the parser choked on (Node's err.rawPacket). */
  rawPacket?: Buffer | string;
}

/** The status for a parser failure, or undefined when there is nobody to answer (connection reset). */
export function statusForParseFailure(error: ParseFailure, maxUriBytes: number): number | undefined {
  switch (error.code) {
    case 'ECONNRESET':
    case 'EPIPE':
      return undefined;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 408;
    case 'HPE_INVALID_VERSION':
    case 'HPE_PAUSED_H2_UPGRADE':
      return 505;
    case 'HPE_HEADER_OVERFLOW':
      return requestLineTooLong(error.rawPacket, maxUriBytes) ? 414 : 431;
    case 'HPE_INVALID_CONTENT_LENGTH':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
    case 'HPE_INVALID_TRANSFER_ENCODING':
    case 'HPE_INVALID_CHUNK_SIZE':
    default:
      return 400;
  }
}

/**
 * The parser reports one overflow for request line and headers together. It
 * was the URI when the bytes it stopped in hold no line end at all (we are
 * still inside the request line) or a first line longer than the URI limit.
 */
function requestLineTooLong(raw: Buffer | string | undefined, maxUriBytes: number): boolean {
  if (raw === undefined) return false;
  const text = typeof raw === 'string' ? raw : raw.toString('latin1', 0, Math.min(raw.length, maxUriBytes + 64));
  const end = text.indexOf('\r\n');
  return end < 0 || end > maxUriBytes;
}

/**
 * A complete HTTP/1.1 error response that closes the connection, with the
 * Date (RFC 9110 §6.6.1) and Server (`server`, when given) that Node adds or
 * the proxy adds to every other answer.
 */
export function rawErrorResponse(status: number, message: string, options: { server?: string; extraHeaders?: string[]; now?: Date } = {}): string {
  const body = `${status} ${STATUS_CODES[status] ?? ''}: ${message}\n`;
  return [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    `Date: ${(options.now ?? new Date()).toUTCString()}`,
    ...(options.server !== undefined ? [`Server: ${options.server}`] : []),
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    ...(options.extraHeaders ?? []),
    '',
    body,
  ].join('\r\n');
}

export const PARSE_FAILURE_TEXT: Record<number, string> = {
  400: 'malformed request',
  408: 'request not received in time',
  414: 'request URI too long',
  431: 'request header fields too large',
  505: 'only HTTP/1.0 and HTTP/1.1 are served',
};
