/**
 * The inputs of the workflow_dispatch the relay asks for (ct.yml's
 * `on.workflow_dispatch.inputs`). A workflow's inputs are strings, so the
 * alerts travel as JSON text.
 */
export interface RetrainInputs {
  reason: 'alertmanager';
  group_key: string;
  /** JSON: `[{ alertname, labels, summary, starts_at }]`, the group's first alerts. */
  alerts: string;
}
