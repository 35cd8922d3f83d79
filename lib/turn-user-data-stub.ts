export function renderTurnUserData(o: Record<string, unknown>): string {
  return `#!/bin/bash\necho stub ${JSON.stringify(o)}\n`;
}
