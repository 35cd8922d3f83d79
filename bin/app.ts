import { App } from 'aws-cdk-lib';
import { parseParleyConfig } from '../lib/config';
import { addNagChecks } from '../lib/nag';
import { ParleyStack } from '../lib/parley-stack';

const app = new App();
const config = parseParleyConfig(app.node.getAllContext(), (message) => console.warn(`Parley: ${message}`));
new ParleyStack(app, config.stackName, { config });
addNagChecks(app);
