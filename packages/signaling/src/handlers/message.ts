import { signalingConfigFromEnv } from '../config';
import { createSignalingHandlers } from '../signaling';

/** Lambda entry for the `message` route (see HANDLER_ENTRY_POINTS). */
export const handler = createSignalingHandlers(signalingConfigFromEnv()).message;
