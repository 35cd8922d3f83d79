/*
 * A parked offer (see `park`) is handed to whoever looks into the room, before they have joined: it must not carry
 * an address of the person waiting. Candidates go only after a real join; this removes every other place an SDP
 * names an address or port. The client scrubs before parking and the server scrubs again before storing, so what is
 * stored never depends on the client getting it right.
 */

/** The address and port SDP uses for "none yet" (RFC 8839 §4.3.1 / JSEP): `c=IN IP4 0.0.0.0`, port 9. */
const NO_ADDRESS = '0.0.0.0';
const NO_PORT = '9';

/** An SDP with its candidates removed and every connection address and media port replaced by the "none" values. */
export function scrubOfferAddresses(sdp: string): string {
  const lines = sdp.split(/\r?\n/);
  const kept: string[] = [];
  for (const line of lines) {
    if (/^a=(candidate|end-of-candidates|remote-candidates)\b/.test(line)) continue;
    if (line.startsWith('c=')) {
      kept.push(`c=IN IP4 ${NO_ADDRESS}`);
      continue;
    }
    if (line.startsWith('m=')) {
      kept.push(line.replace(/^(m=\S+ )\d+(\/\d+)?/, `$1${NO_PORT}`));
      continue;
    }
    if (line.startsWith('a=rtcp:')) {
      kept.push(`a=rtcp:${NO_PORT} IN IP4 ${NO_ADDRESS}`);
      continue;
    }
    kept.push(line);
  }
  return kept.join('\r\n');
}
