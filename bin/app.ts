import { App } from 'aws-cdk-lib';
import { parseParleyConfig } from '../lib/config';
import { addNagChecks } from '../lib/nag';
import { ParleyStack } from '../lib/parley-stack';

const app = new App();
new ParleyStack(app, 'Parley', { config: parseParleyConfig(app.node.getAllContext()) });
addNagChecks(app);
