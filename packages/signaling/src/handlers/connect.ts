import { signalingConfigFromEnv } from '../config';
import { createSignalingHandlers } from '../signaling';

/** Lambda entry for the `connect` route (see HANDLER_ENTRY_POINTS). */
export const handler = createSignalingHandlers(signalingConfigFromEnv()).connect;
