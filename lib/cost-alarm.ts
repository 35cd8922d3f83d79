import * as budgets from 'aws-cdk-lib/aws-budgets';
import { Construct } from 'constructs';

/** Tell the owner when the month's actual cost passes this share of the budget… */
export const ACTUAL_ALERT_PERCENT = 80;
/** …and when AWS forecasts the month to end above the budget. */
export const FORECAST_ALERT_PERCENT = 100;

export interface CostAlarmProps {
  readonly email: string;
  readonly monthlyBudgetUsd: number;
}

/**
 * An AWS Budgets alarm (set `alertEmail`): an email when this account's monthly cost passes 80 % of the budget, or is
 * forecast to pass it. Budgets watch the account (a stack's own resources would need cost-allocation tags activated
 * by hand first); for a personal account that is the bill that matters. The first two budgets of an account are free.
 */
export class CostAlarm extends Construct {
  constructor(scope: Construct, id: string, props: CostAlarmProps) {
    super(scope, id);
    const subscribers = [{ subscriptionType: 'EMAIL', address: props.email }];
    new budgets.CfnBudget(this, 'Budget', {
      budget: {
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        budgetLimit: { amount: props.monthlyBudgetUsd, unit: 'USD' },
      },
      notificationsWithSubscribers: [
        {
          notification: {
            notificationType: 'ACTUAL',
            comparisonOperator: 'GREATER_THAN',
            threshold: ACTUAL_ALERT_PERCENT,
            thresholdType: 'PERCENTAGE',
          },
          subscribers,
        },
        {
          notification: {
            notificationType: 'FORECASTED',
            comparisonOperator: 'GREATER_THAN',
            threshold: FORECAST_ALERT_PERCENT,
            thresholdType: 'PERCENTAGE',
          },
          subscribers,
        },
      ],
    });
  }
}
