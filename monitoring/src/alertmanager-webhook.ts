import { Ajv } from 'ajv';
import { schemaProblemLines } from '@housing/core/schema-errors';

/** One alert of an Alertmanager webhook notification (version 4). */
export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
  fingerprint?: string;
}

/** Alertmanager's webhook body, version 4 (prometheus.io/docs/alerting/latest/configuration/#webhook_config). */
export interface WebhookPayload {
  version: '4';
  groupKey: string;
  truncatedAlerts?: number;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: WebhookAlert[];
}

const labelSet = { type: 'object', additionalProperties: { type: 'string' } } as const;

const validate = new Ajv({ allErrors: true }).compile<WebhookPayload>({
  type: 'object',
  required: ['version', 'groupKey', 'status', 'receiver', 'groupLabels', 'commonLabels', 'alerts'],
  properties: {
    version: { const: '4' },
    groupKey: { type: 'string', minLength: 1 },
    truncatedAlerts: { type: 'integer', minimum: 0 },
    status: { enum: ['firing', 'resolved'] },
    receiver: { type: 'string' },
    groupLabels: labelSet,
    commonLabels: labelSet,
    commonAnnotations: labelSet,
    externalURL: { type: 'string' },
    alerts: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['status', 'labels', 'startsAt'],
        properties: {
          status: { enum: ['firing', 'resolved'] },
          labels: { ...labelSet, required: ['alertname'] },
          annotations: labelSet,
          startsAt: { type: 'string' },
          endsAt: { type: 'string' },
          generatorURL: { type: 'string' },
          fingerprint: { type: 'string' },
        },
      },
    },
  },
});

/**
 * At most this many problems are listed, each cut to MAX_DETAIL_CHARS: a
 * 1 MiB body of empty alerts has about a million, and a label name can be
 * most of the body, so the 400 would otherwise outweigh what was sent.
 */
const MAX_DETAILS = 20;
const MAX_DETAIL_CHARS = 200;

/** Checks a parsed body; returns the payload, or what is wrong with it, by JSON path (the first MAX_DETAILS). */
export function parseWebhook(body: unknown): { payload: WebhookPayload } | { errors: string[] } {
  if (validate(body)) return { payload: body };
  // ajv's own wording for a missing field (at the object that lacks it): relay clients read it.
  return {
    errors: schemaProblemLines(validate.errors, {
      max: MAX_DETAILS,
      maxPathChars: MAX_DETAIL_CHARS,
      root: '(root)',
      locateProperty: false,
    }),
  };
}

/** The firing alerts that ask for a retrain (label retrain="true"). */
export function retrainAlerts(payload: WebhookPayload): WebhookAlert[] {
  return payload.alerts.filter((a) => a.status === 'firing' && a.labels.retrain === 'true');
}
