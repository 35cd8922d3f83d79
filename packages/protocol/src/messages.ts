import * as v from 'valibot';
import { ERROR_CODES } from './errors';
import { MAX_BATCHED_CANDIDATES, MAX_NAME_BYTES, MAX_NAME_LENGTH, MAX_REQUEST_ID_LENGTH } from './limits';
import { MEMBER_ID_PATTERN, RESUME_TOKEN_PATTERN, ROOM_ID_PATTERN } from './room-id';

/*
 * The signaling protocol: every message is a JSON object with a `type`. Client requests may carry an `id`, which
 * the server echoes in its reply (`id`) or error (`ref`). Schemas are the single source of truth; the TypeScript
 * types are inferred from them.
 */

const RequestId = v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_REQUEST_ID_LENGTH));
export const RoomId = v.pipe(v.string(), v.regex(ROOM_ID_PATTERN, 'a room id is 22 base64url characters'));
export const MemberId = v.pipe(v.string(), v.regex(MEMBER_ID_PATTERN, 'a member id is 16 base64url characters'));
const ResumeToken = v.pipe(v.string(), v.regex(RESUME_TOKEN_PATTERN));
/** Counted as a person sees it (40 emoji are 40 characters), and bounded in bytes too. */
const DisplayName = v.pipe(
  v.string(),
  v.trim(),
  v.maxGraphemes(MAX_NAME_LENGTH, `a name is at most ${MAX_NAME_LENGTH} characters`),
  v.maxBytes(MAX_NAME_BYTES, `a name is at most ${MAX_NAME_BYTES} bytes`),
);
export const Role = v.picklist(['polite', 'impolite']);

/** A session description, as `RTCSessionDescriptionInit`. The server never looks inside the SDP. */
const Description = v.strictObject({
  type: v.picklist(['offer', 'answer', 'pranswer', 'rollback']),
  sdp: v.optional(v.string()),
});

/** An ICE candidate, as `RTCIceCandidateInit`. */
const CandidateInit = v.strictObject({
  candidate: v.string(),
  sdpMid: v.optional(v.nullable(v.string())),
  sdpMLineIndex: v.optional(v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0)))),
  usernameFragment: v.optional(v.nullable(v.string())),
});

/**
 * What one peer sends another through the server: opaque to the server, relayed as-is. A candidate of `null` marks
 * the end of candidates; `candidates` are several gathered before they could be sent (one message instead of many).
 */
export const SignalPayload = v.variant('kind', [
  v.strictObject({ kind: v.literal('description'), description: Description }),
  v.strictObject({ kind: v.literal('candidate'), candidate: v.nullable(CandidateInit) }),
  v.strictObject({
    kind: v.literal('candidates'),
    candidates: v.pipe(v.array(CandidateInit), v.minLength(1), v.maxLength(MAX_BATCHED_CANDIDATES)),
  }),
]);

/** An ICE server entry as `RTCIceServer`. */
export const IceServer = v.strictObject({
  urls: v.array(v.string()),
  username: v.optional(v.string()),
  credential: v.optional(v.string()),
});

// ---- client → server ----

export const JoinRequest = v.strictObject({
  type: v.literal('join'),
  id: v.optional(RequestId),
  v: v.pipe(v.number(), v.integer()),
  roomId: v.string(),
  name: v.optional(DisplayName),
  resume: v.optional(v.strictObject({ memberId: MemberId, token: ResumeToken })),
});

export const SignalRequest = v.strictObject({
  type: v.literal('signal'),
  id: v.optional(RequestId),
  /**
   * The sender's room: the server then reads only that room (one Query) and relays only if the sender holds a live
   * seat in it. Optional so that a page loaded before this field existed keeps working (the server then looks the
   * room up from the connection, one request more).
   */
  roomId: v.optional(RoomId),
  to: MemberId,
  data: SignalPayload,
});

/** The offer a member waiting alone has made ahead of anyone joining, without candidates (see `park`). */
const ParkedOffer = v.strictObject({
  kind: v.literal('description'),
  description: v.strictObject({ type: v.literal('offer'), sdp: v.string() }),
});

/** A parked offer as its member would relay it: under its signal `id`. */
const ParkedSignal = { id: v.optional(RequestId), data: ParkedOffer };

/**
 * A member waiting alone leaves its prepared offer with its seat (`id` is the signal id it would relay it under), so
 * that someone in the lobby can answer it before joining (see `peek`). Candidates are never parked: nobody learns an
 * address of the waiting member before actually joining.
 */
export const ParkRequest = v.strictObject({
  type: v.literal('park'),
  id: v.optional(RequestId),
  roomId: RoomId,
  data: ParkedOffer,
});

/** Asked from the lobby (no seat needed): who is in the room, and the offer of a member waiting alone, if any. */
export const PeekRequest = v.strictObject({ type: v.literal('peek'), id: v.optional(RequestId), roomId: RoomId });

export const PingRequest = v.strictObject({ type: v.literal('ping'), id: v.optional(RequestId) });
export const LeaveRequest = v.strictObject({ type: v.literal('leave'), id: v.optional(RequestId) });
export const TurnRefreshRequest = v.strictObject({ type: v.literal('turn-refresh'), id: v.optional(RequestId) });

export const ClientMessage = v.variant('type', [
  JoinRequest,
  SignalRequest,
  PingRequest,
  LeaveRequest,
  TurnRefreshRequest,
  ParkRequest,
  PeekRequest,
]);
export const CLIENT_MESSAGE_TYPES = ['join', 'signal', 'ping', 'leave', 'turn-refresh', 'park', 'peek'] as const;

// ---- server → client ----

const Member = v.strictObject({ memberId: MemberId, role: Role, name: v.optional(v.string()) });

const TurnGrant = {
  iceServers: v.array(IceServer),
  /** When the TURN credentials in `iceServers` stop working (epoch ms). */
  iceExpiresAt: v.number(),
};

export const JoinedMessage = v.strictObject({
  type: v.literal('joined'),
  id: v.optional(RequestId),
  v: v.number(),
  roomId: RoomId,
  memberId: MemberId,
  role: Role,
  /** The other members present (at most one: rooms are 1:1). */
  members: v.array(Member),
  resumeToken: ResumeToken,
  /** True when a resume token won back the seat held before a dropped socket. */
  resumed: v.boolean(),
  /** The offer the member already here parked for whoever joins (`park`), as it would relay it. */
  offer: v.optional(v.strictObject(ParkedSignal)),
  ...TurnGrant,
  /** How often the server expects a `ping`. */
  keepaliveMs: v.number(),
});

export const PeerJoinedMessage = v.strictObject({
  type: v.literal('peer-joined'),
  ...Member.entries,
  /** The id of the offer we parked, which the newcomer got with its `joined`: no need to send it again. */
  offerId: v.optional(RequestId),
});
export const PeerLeftMessage = v.strictObject({
  type: v.literal('peer-left'),
  memberId: MemberId,
  /** `left`: hung up; `gone`: its connection vanished; `expired`: it did not come back in time. */
  reason: v.picklist(['left', 'gone', 'expired']),
});
export const PeerResumedMessage = v.strictObject({ type: v.literal('peer-resumed'), memberId: MemberId });
export const RelayedSignalMessage = v.strictObject({
  type: v.literal('signal'),
  /** The sender's request id, so a receiver can drop duplicate deliveries. */
  id: v.optional(RequestId),
  from: MemberId,
  data: SignalPayload,
});
export const PongMessage = v.strictObject({ type: v.literal('pong'), id: v.optional(RequestId) });
export const LeftMessage = v.strictObject({ type: v.literal('left'), id: v.optional(RequestId) });
export const TurnCredentialsMessage = v.strictObject({
  type: v.literal('turn-credentials'),
  id: v.optional(RequestId),
  ...TurnGrant,
});
/** The answer to `peek`. */
export const RoomMessage = v.strictObject({
  type: v.literal('room'),
  id: v.optional(RequestId),
  roomId: RoomId,
  /** Who holds a seat now. */
  members: v.array(Member),
  /**
   * The offer parked by the member waiting alone (while a seat is free), relayed as its signal `id` from `from`, with
   * TURN credentials to prepare an answer before joining (they are the same as a member's, for this socket).
   */
  offer: v.optional(v.strictObject({ from: MemberId, ...ParkedSignal, ...TurnGrant })),
  /**
   * TURN credentials for this socket, for the lobby's connection test: always for a ticket holder (private
   * deployment); on an open deployment only when `offer` is there (the same credentials).
   */
  iceServers: v.optional(TurnGrant.iceServers),
  iceExpiresAt: v.optional(TurnGrant.iceExpiresAt),
});
export const ErrorMessage = v.strictObject({
  type: v.literal('error'),
  code: v.picklist(ERROR_CODES),
  message: v.string(),
  /** The `id` of the request that caused it, when it had one. */
  ref: v.optional(v.string()),
});

export const ServerMessage = v.variant('type', [
  JoinedMessage,
  PeerJoinedMessage,
  PeerLeftMessage,
  PeerResumedMessage,
  RelayedSignalMessage,
  PongMessage,
  LeftMessage,
  TurnCredentialsMessage,
  RoomMessage,
  ErrorMessage,
]);

export type SignalPayload = v.InferOutput<typeof SignalPayload>;
export type IceServer = v.InferOutput<typeof IceServer>;
export type Role = v.InferOutput<typeof Role>;
export type JoinRequest = v.InferOutput<typeof JoinRequest>;
export type SignalRequest = v.InferOutput<typeof SignalRequest>;
export type ParkRequest = v.InferOutput<typeof ParkRequest>;
export type PeekRequest = v.InferOutput<typeof PeekRequest>;
export type RoomMessage = v.InferOutput<typeof RoomMessage>;
export type ClientMessage = v.InferOutput<typeof ClientMessage>;
export type ServerMessage = v.InferOutput<typeof ServerMessage>;
export type JoinedMessage = v.InferOutput<typeof JoinedMessage>;
export type PeerJoinedMessage = v.InferOutput<typeof PeerJoinedMessage>;
export type PeerLeftMessage = v.InferOutput<typeof PeerLeftMessage>;
export type RelayedSignalMessage = v.InferOutput<typeof RelayedSignalMessage>;
export type TurnCredentialsMessage = v.InferOutput<typeof TurnCredentialsMessage>;
export type ErrorMessage = v.InferOutput<typeof ErrorMessage>;
/** An offer parked with a seat, as its member would relay it (`park`, `joined.offer`, `room.offer`). */
export type ParkedSignal = NonNullable<JoinedMessage['offer']>;
