// Splits a TCP byte stream into BGP messages. Chunks arrive in any size; a
// message may span several of them or share one with others. Nothing here
// throws: every failure comes back as a result carrying the NOTIFICATION to
// send, after which the reader yields nothing more (the session must close).
import { BgpMessageError, ErrorCode } from './errors.ts';
import { decodeHeader, decodeMessage, HEADER_LENGTH, type BgpMessage, type CodecOptions } from './codec.ts';

export type ReadResult = { message: BgpMessage; error?: undefined } | { error: BgpMessageError; message?: undefined };

export class MessageReader {
  /** Decode options in force for the next message (the session flips fourOctetAs after the OPEN exchange). */
  options: CodecOptions = { fourOctetAs: false };
  private buffer: Buffer = Buffer.alloc(0);
  private offset = 0;
  private failed = false;
  /** Bytes consumed so far, for error messages that name a stream position. */
  private consumed = 0;

  push(chunk: Buffer): void {
    if (this.failed || chunk.length === 0) return;
    const rest = this.buffer.subarray(this.offset);
    this.buffer = rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);
    this.offset = 0;
  }

  /** The next complete message, an error, or undefined when more bytes are needed. */
  next(): ReadResult | undefined {
    if (this.failed) return undefined;
    const available = this.buffer.length - this.offset;
    if (available < HEADER_LENGTH) return undefined;
    try {
      const { length } = decodeHeader(this.buffer, this.offset);
      if (available < length) return undefined;
      const frame = this.buffer.subarray(this.offset, this.offset + length);
      const message = decodeMessage(frame, this.options);
      this.offset += length;
      this.consumed += length;
      return { message };
    } catch (error) {
      this.failed = true;
      return { error: this.asMessageError(error) };
    }
  }

  /** Bytes received but not yet returned as messages. */
  get buffered(): number {
    return this.buffer.length - this.offset;
  }

  /** Stream offset of the message being decoded (for logs). */
  get position(): number {
    return this.consumed;
  }

  private asMessageError(error: unknown): BgpMessageError {
    if (error instanceof BgpMessageError) return error;
    // A codec bug must not take the process down; report it as an unspecific error of the message's kind.
    const type = this.buffer[this.offset + 18];
    const code = type === 1 ? ErrorCode.OpenMessage : type === 2 ? ErrorCode.UpdateMessage : ErrorCode.MessageHeader;
    return new BgpMessageError(code, 0, `internal decoder error: ${(error as Error)?.message ?? String(error)}`, { offset: 0 });
  }
}
