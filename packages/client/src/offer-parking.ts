import { MAX_PARKED_OFFER_BYTES, type ParkRequest, scrubOfferAddresses } from '@parley/protocol';

/*
 * Offer parking: whoever waits alone leaves its offer with its seat, so that someone opening the link can answer it
 * from the lobby, before Join (see CallSession.prepare). The parked copy carries no address or port: anyone with the
 * link can peek at it.
 */

/** The parkable form of our offer, or undefined when it is too large to park (it then goes the normal way, after the join). */
export function parkableOffer(offer: RTCSessionDescriptionInit): ParkRequest['data'] | undefined {
  const sdp = scrubOfferAddresses(offer.sdp ?? '');
  if (new TextEncoder().encode(sdp).length > MAX_PARKED_OFFER_BYTES) return undefined;
  return { kind: 'description', description: { type: 'offer', sdp } };
}
