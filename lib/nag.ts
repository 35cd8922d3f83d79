import { type App, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** Runs cdk-nag's AwsSolutions rules on every synth: an unacknowledged finding fails it. */
export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}

/**
 * How cdk-nag names a resource inside a finding id (`<LogicalId>` or `<LogicalId.Attribute>`), so an acknowledgement
 * can name the one resource it is about.
 */
export function nagReference(construct: IConstruct, attribute?: string): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  const logicalId = Stack.of(construct).getLogicalId(element);
  return `<${attribute ? `${logicalId}.${attribute}` : logicalId}>`;
}

/** Acknowledges one cdk-nag finding on one construct, with the reason a reviewer reads. */
export function acknowledge(construct: IConstruct, id: string, reason: string): void {
  Validations.of(construct).acknowledge({ id, reason });
}
