import { createAuthorizer } from '../authorizer';
import { accessConfigFromEnv } from '../config';

/** Lambda entry of the `$connect` authorizer (see AUTHORIZER_ENTRY_POINT). */
export const handler = createAuthorizer(accessConfigFromEnv());
