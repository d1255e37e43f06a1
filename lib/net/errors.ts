// The one error every address, prefix and range parser throws: it names the
// input and what is wrong with it, so a caller can pass the message on as is.

/** What the input was meant to be, as the message says it. */
export type AddressKind = 'IPv4 address' | 'IPv6 address' | 'IP address' | 'prefix' | 'range';

export class AddressError extends Error {
  readonly kind: AddressKind;
  readonly input: string;
  /** Why the input is refused, without the input itself ("host bits are set …"). */
  readonly reason: string;

  constructor(kind: AddressKind, input: string, reason: string) {
    super(`invalid ${kind} ${JSON.stringify(input)}: ${reason}`);
    this.name = 'AddressError';
    this.kind = kind;
    this.input = input;
    this.reason = reason;
  }
}
