// NOTIFICATION error codes and subcodes (RFC 4271 §4.5 and §6, RFC 4486,
// RFC 5492, RFC 6608, RFC 7313), and the error every decoder failure becomes.

export const ErrorCode = {
  MessageHeader: 1,
  OpenMessage: 2,
  UpdateMessage: 3,
  HoldTimerExpired: 4,
  FiniteStateMachine: 5,
  Cease: 6,
  RouteRefreshMessage: 7,
} as const;

export const HeaderSubcode = {
  ConnectionNotSynchronized: 1,
  BadMessageLength: 2,
  BadMessageType: 3,
} as const;

export const OpenSubcode = {
  Unspecific: 0,
  UnsupportedVersionNumber: 1,
  BadPeerAs: 2,
  BadBgpIdentifier: 3,
  UnsupportedOptionalParameter: 4,
  UnacceptableHoldTime: 6,
  UnsupportedCapability: 7,
} as const;

export const UpdateSubcode = {
  MalformedAttributeList: 1,
  UnrecognizedWellKnownAttribute: 2,
  MissingWellKnownAttribute: 3,
  AttributeFlagsError: 4,
  AttributeLengthError: 5,
  InvalidOriginAttribute: 6,
  InvalidNextHopAttribute: 8,
  OptionalAttributeError: 9,
  InvalidNetworkField: 10,
  MalformedAsPath: 11,
} as const;

/** RFC 6608: which state received the unexpected message. */
export const FsmSubcode = {
  Unspecified: 0,
  UnexpectedMessageInOpenSent: 1,
  UnexpectedMessageInOpenConfirm: 2,
  UnexpectedMessageInEstablished: 3,
} as const;

export const CeaseSubcode = {
  MaximumPrefixesReached: 1,
  AdministrativeShutdown: 2,
  PeerDeconfigured: 3,
  AdministrativeReset: 4,
  ConnectionRejected: 5,
  OtherConfigurationChange: 6,
  ConnectionCollisionResolution: 7,
  OutOfResources: 8,
} as const;

const codeNames: Record<number, string> = {
  1: 'Message Header Error',
  2: 'OPEN Message Error',
  3: 'UPDATE Message Error',
  4: 'Hold Timer Expired',
  5: 'Finite State Machine Error',
  6: 'Cease',
  7: 'ROUTE-REFRESH Message Error',
};

const subcodeNames: Record<number, Record<number, string>> = {
  1: { 1: 'Connection Not Synchronized', 2: 'Bad Message Length', 3: 'Bad Message Type' },
  2: {
    0: 'Unspecific', 1: 'Unsupported Version Number', 2: 'Bad Peer AS', 3: 'Bad BGP Identifier',
    4: 'Unsupported Optional Parameter', 6: 'Unacceptable Hold Time', 7: 'Unsupported Capability',
  },
  3: {
    1: 'Malformed Attribute List', 2: 'Unrecognized Well-known Attribute', 3: 'Missing Well-known Attribute',
    4: 'Attribute Flags Error', 5: 'Attribute Length Error', 6: 'Invalid ORIGIN Attribute',
    8: 'Invalid NEXT_HOP Attribute', 9: 'Optional Attribute Error', 10: 'Invalid Network Field', 11: 'Malformed AS_PATH',
  },
  5: {
    0: 'Unspecified', 1: 'Unexpected Message in OpenSent', 2: 'Unexpected Message in OpenConfirm',
    3: 'Unexpected Message in Established',
  },
  6: {
    1: 'Maximum Number of Prefixes Reached', 2: 'Administrative Shutdown', 3: 'Peer De-configured',
    4: 'Administrative Reset', 5: 'Connection Rejected', 6: 'Other Configuration Change',
    7: 'Connection Collision Resolution', 8: 'Out of Resources',
  },
  7: { 1: 'Invalid Message Length' },
};

/** "UPDATE Message Error / Malformed AS_PATH (3/11)" — for logs and error messages. */
export function describeNotification(code: number, subcode: number): string {
  const name = codeNames[code] ?? `unknown error code`;
  const sub = subcodeNames[code]?.[subcode];
  return `${name}${sub ? ` / ${sub}` : subcode !== 0 ? ` / subcode ${subcode}` : ''} (${code}/${subcode})`;
}

/**
 * RFC 7606 §2: what a receiver does with an UPDATE it finds malformed. Only
 * session-reset sends a NOTIFICATION; the other two keep the session up.
 */
export type Rfc7606Action = 'session-reset' | 'treat-as-withdraw' | 'attribute-discard';

/** The three fields of a NOTIFICATION (RFC 4271 §4.5). */
export interface NotificationFields {
  code: number;
  subcode: number;
  data: Buffer;
}

/**
 * A received message the codec refuses. It carries the NOTIFICATION that
 * RFC 4271 §6 says the speaker must send back, and where in the message the
 * problem was found.
 */
export class BgpMessageError extends Error {
  readonly code: number;
  readonly subcode: number;
  readonly data: Buffer;
  /** Byte offset from the start of the message where the fault was found. */
  readonly offset: number;
  /** What RFC 7606 would have the receiver do (this speaker keeps no Adj-RIB-In and resets the session on every error, as RFC 4271 does). */
  readonly action: Rfc7606Action;
  constructor(code: number, subcode: number, detail: string, options: { data?: Buffer; offset: number; action?: Rfc7606Action }) {
    super(`${describeNotification(code, subcode)} at byte ${options.offset}: ${detail}`);
    this.name = 'BgpMessageError';
    this.code = code;
    this.subcode = subcode;
    this.data = options.data ?? Buffer.alloc(0);
    this.offset = options.offset;
    this.action = options.action ?? 'session-reset';
  }

  get notification(): NotificationFields {
    return { code: this.code, subcode: this.subcode, data: this.data };
  }
}

/** An UPDATE Message Error (code 3) with `subcode`, and what RFC 7606 would do about it. */
export function updateError(subcode: number, detail: string, offset: number, data?: Buffer, action: Rfc7606Action = 'session-reset'): BgpMessageError {
  return new BgpMessageError(ErrorCode.UpdateMessage, subcode, detail, { offset, data, action });
}
