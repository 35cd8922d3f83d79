import type { ErrorCode } from '@parley/protocol';

/*
 * Every failure a person can run into, in plain language, each with what to do about it. The UI shows `title`
 * and `action`; nothing technical reaches the screen outside the debug panel.
 */

export type ProblemKind =
  | 'no-webrtc'
  | 'insecure-page'
  | 'permission-denied'
  | 'no-devices'
  | 'no-camera'
  | 'no-microphone'
  | 'device-in-use'
  | 'room-full'
  | 'broken-link'
  | 'outdated'
  | 'signaling-unreachable'
  | 'turn-unreachable'
  | 'connection-failed'
  | 'tampered'
  | 'codes-differ'
  | 'bad-config'
  | 'private'
  | 'invite-expired'
  | 'link-refused'
  | 'ticket-in-use';

export interface Problem {
  title: string;
  action: string;
}

const PROBLEMS: Record<ProblemKind, Problem> = {
  'no-webrtc': {
    title: 'This browser cannot make video calls.',
    action: 'Open the link in a current Chrome, Edge, Firefox or Safari.',
  },
  'insecure-page': {
    title: 'The camera only works on a secure (https) page.',
    action: 'Open the https:// address of this site.',
  },
  'permission-denied': {
    title: 'Camera and microphone are blocked for this site.',
    // Each browser hides the setting somewhere else; name every one (Chrome's camera icon means nothing in Safari).
    action:
      'Allow them for this site, then choose Try again — or join without them. Chrome or Edge: the camera icon at ' +
      "the right of the address bar. Firefox: the permissions icon at the left of the address. Safari: Safari's " +
      'menu, Settings for This Website.',
  },
  'no-devices': {
    title: 'No camera or microphone was found.',
    action: 'You can still join: you will see and hear the other person, they will not see or hear you.',
  },
  'no-camera': {
    title: 'No camera was found.',
    action: 'You can still join: the other person will hear you but not see you.',
  },
  'no-microphone': {
    title: 'No microphone was found.',
    action: 'You can still join: the other person will see you but not hear you. Chat works too.',
  },
  'device-in-use': {
    title: 'Your camera or microphone is being used by another app.',
    action: 'Close the other app (another call, perhaps), then choose Try again.',
  },
  'room-full': {
    title: 'This call already has two people in it.',
    action: 'Ask the person who sent you the link to start a new call.',
  },
  'broken-link': {
    title: 'This call link is incomplete.',
    action: 'Check that you copied the whole link, or start a new call.',
  },
  outdated: {
    title: 'Parley was updated while this page was open.',
    action: 'Reload the page.',
  },
  'signaling-unreachable': {
    title: 'Cannot reach the Parley server.',
    action: 'Check your internet connection. Parley keeps trying and reconnects by itself.',
  },
  'turn-unreachable': {
    title: 'Cannot reach the relay server.',
    action: 'Your network may block it. Try another network, such as mobile data.',
  },
  'connection-failed': {
    title: 'Cannot connect to the other person.',
    action: 'Parley keeps trying. If it does not recover, both of you can choose Hang up and join again.',
  },
  tampered: {
    title: 'Parley stopped this call: someone altered its connection details on the way.',
    action:
      'Someone between you and the other person (perhaps the server) may be trying to listen in. Tell them another ' +
      'way, such as a phone call, and do not use this site until whoever runs it has checked it.',
  },
  'codes-differ': {
    title: 'The words did not match: someone may be listening.',
    action:
      'Parley ended the call. Someone between you and the other person (perhaps the server) may be in the middle. ' +
      'Tell them another way, such as a phone call, and do not use this site until whoever runs it has checked it.',
  },
  'bad-config': {
    title: 'This Parley site is not set up correctly.',
    action: 'Tell whoever runs it: /config.json is missing or invalid.',
  },
  private: {
    title: 'This Parley is private.',
    action: 'Ask the person who runs it for an invitation link.',
  },
  'invite-expired': {
    title: 'This invitation has expired.',
    action: 'Ask the person who invited you for a new link.',
  },
  'link-refused': {
    title: 'This link does not work any more.',
    action:
      'It may have been replaced by a newer one: ask the person who invited you for a new link. If you run this ' +
      'Parley, open your newest owner link. (Or the server cannot be reached: check your connection.)',
  },
  'ticket-in-use': {
    title: 'Someone is already in this call with this link.',
    action:
      'An invitation link lets one person in. If that was you on another tab or device, close it and try again in ' +
      'a minute; otherwise ask for a new link.',
  },
};

/** The plain-language description of a problem. */
export function describeProblem(kind: ProblemKind): Problem {
  return PROBLEMS[kind];
}

/** What a `getUserMedia` failure means for the person (by the DOMException name). */
export function mediaProblem(errorName: string): ProblemKind {
  switch (errorName) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'permission-denied';
    case 'NotReadableError':
    case 'AbortError':
    case 'TrackStartError':
      return 'device-in-use';
    default:
      return 'no-devices';
  }
}

/**
 * The problems that end a call (the one definition of "fatal"): the session stops, and the view hands back to the app,
 * which shows the problem. Every other problem is shown during the call while Parley keeps trying.
 */
export type CallEnding = Extract<
  ProblemKind,
  'room-full' | 'broken-link' | 'outdated' | 'ticket-in-use' | 'tampered' | 'link-refused'
>;

/** The server's error codes that end the session, and what each means for the person. */
const ENDING_ERRORS: Partial<Record<ErrorCode, CallEnding>> = {
  'room-full': 'room-full',
  'bad-room-id': 'broken-link',
  'wrong-room': 'broken-link',
  'unsupported-version': 'outdated',
  'ticket-in-use': 'ticket-in-use',
};

/** The ending a server error means, or undefined when the session goes on (it retries, or the error is harmless). */
export function callEndingFor(code: ErrorCode): CallEnding | undefined {
  return ENDING_ERRORS[code];
}
