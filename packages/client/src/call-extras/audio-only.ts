/*
 * Audio-only (low-bandwidth) mode: the camera keeps running here (its preview stays, and turning the mode off is
 * instant) but its encoding is made inactive with RTCRtpSender.setParameters, so no video packets leave and the whole
 * uplink is left to the voice. No renegotiation: the m-line and the track stay as they are. A shared screen is not
 * affected: sharing is something the person asks for explicitly.
 */

/** The part of an RTCRtpSender used here. */
export interface SenderLike {
  getParameters(): RTCRtpSendParameters;
  setParameters(parameters: RTCRtpSendParameters): Promise<void>;
}

/** The part of an RTCRtpTransceiver used here. */
export interface TransceiverLike {
  readonly currentDirection: RTCRtpTransceiverDirection | null;
  readonly receiver: { readonly track: { readonly kind: string } };
  readonly sender: SenderLike;
}

/**
 * The camera's sender: the first video m-line (the call's first offer lays out microphone, camera, then the screen;
 * the session's replaceTrack finds the camera the same way).
 */
export function cameraSender(transceivers: readonly TransceiverLike[]): SenderLike | undefined {
  return transceivers.find((t) => t.currentDirection !== 'stopped' && t.receiver.track.kind === 'video')?.sender;
}

/**
 * Turns the camera's encodings on or off. False when there is nothing to change yet (no camera m-line, or one not yet
 * negotiated: its parameters have no encodings until then); call again once connected.
 */
export async function setVideoSending(transceivers: readonly TransceiverLike[], sending: boolean): Promise<boolean> {
  const sender = cameraSender(transceivers);
  if (!sender) return false;
  const parameters = sender.getParameters();
  if (parameters.encodings.length === 0) return false;
  if (parameters.encodings.every((encoding) => encoding.active === sending)) return true;
  for (const encoding of parameters.encodings) encoding.active = sending;
  await sender.setParameters(parameters);
  return true;
}
