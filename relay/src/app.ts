import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorMessage, listSome, truncateText } from '@housing/core/errors';
import { HttpBodyError, readJsonBody, type BodyErrorCode } from '@housing/core/http-body';
import type { Logger } from '@housing/core/logger';
import {
  parseWebhook,
  retrainAlerts,
  type WebhookAlert,
} from '@housing/monitoring/alertmanager-webhook';
import { DispatchError } from './github-dispatch.ts';
import type { GroupOutcome, OncePerGroup } from './once-per-group.ts';
import type { RetrainInputs } from './retrain-inputs.ts';
import { sendJson } from '@housing/core/send-json';

/** One alert as the `alerts` input lists it. */
interface InputAlert {
  alertname: string;
  labels: Record<string, string>;
  summary: string;
  starts_at: string;
}

/**
 * What the relay needs. `dispatch` sends the event to GitHub, resolving only
 * once GitHub accepted it; it throws a DispatchError (whose status and reply
 * the webhook answers) when it did not.
 */
export interface RelayDeps {
  relayToken: string;
  groups: OncePerGroup;
  dispatch(inputs: RetrainInputs): Promise<void>;
  logger: Logger;
}

/** The most a notification may weigh; Alertmanager's are a few KiB. */
const MAX_BODY_BYTES = 1 << 20;
/** A group this large is summarised by its first alerts. */
const MAX_ALERTS = 10;
/** The most of a group key a log line quotes. */
const MAX_LOGGED_KEY_CHARS = 200;
/**
 * GitHub refuses a workflow_dispatch whose inputs exceed 65,535 characters in
 * all, so each part is bounded: the group key, every label and summary (at
 * most {@link MAX_LABELS} labels an alert), and the alerts input as a whole,
 * which drops alerts from its end until it fits.
 */
const MAX_KEY_INPUT_CHARS = 1000;
const MAX_VALUE_CHARS = 200;
const MAX_LABELS = 20;
const MAX_ALERTS_INPUT_CHARS = 50_000;

const digest = (s: string) => createHash('sha256').update(s).digest();

const send = sendJson;

/**
 * The relay's own words for the refusals Alertmanager's operators already
 * know from its logs; the others (charset, encoding, an aborted body) keep
 * the shared reader's.
 */
const BODY_ANSWERS: Partial<Record<BodyErrorCode, string>> = {
  'content-type': 'content-type must be application/json',
  'too-large': `body over ${MAX_BODY_BYTES} bytes`,
  empty: 'body is not JSON',
  malformed: 'body is not JSON',
};

/** The notification's JSON, or the answer to send instead. */
async function readNotification(
  req: IncomingMessage,
): Promise<{ body: unknown } | { status: number; error: string }> {
  try {
    return { body: await readJsonBody(req, MAX_BODY_BYTES) };
  } catch (error) {
    if (!(error instanceof HttpBodyError)) throw error;
    return { status: error.status, error: BODY_ANSWERS[error.code] ?? error.message };
  }
}

const cut = (text: string) => truncateText(text, MAX_VALUE_CHARS);

const inputAlert = (a: WebhookAlert): InputAlert => ({
  alertname: cut(a.labels.alertname ?? ''),
  labels: Object.fromEntries(
    Object.entries(a.labels)
      .slice(0, MAX_LABELS)
      .map(([k, v]) => [cut(k), cut(v)]),
  ),
  summary: cut(a.annotations?.summary ?? ''),
  starts_at: cut(a.startsAt),
});

/** The group's first alerts as JSON text, as many as fit (one always does: each is bounded). */
function alertsInput(alerts: WebhookAlert[]): string {
  const listed = alerts.slice(0, MAX_ALERTS).map(inputAlert);
  let text = JSON.stringify(listed);
  while (text.length > MAX_ALERTS_INPUT_CHARS && listed.length > 1) {
    listed.pop();
    text = JSON.stringify(listed);
  }
  return text;
}

const toInputs = (groupKey: string, alerts: WebhookAlert[]): RetrainInputs => ({
  reason: 'alertmanager',
  group_key: truncateText(groupKey, MAX_KEY_INPUT_CHARS),
  alerts: alertsInput(alerts),
});

/**
 * The relay's request handler. POST /v1/alertmanager takes Alertmanager's
 * webhook (version 4, bearer token) and turns firing alerts labelled
 * retrain="true" into one workflow_dispatch of ct.yml per alert group and
 * cool-down. Resolved notifications are acknowledged and dropped;
 * a bad payload gets a 400 and is never forwarded; a GitHub failure or
 * timeout gets a 502 (503 when shutting down), so Alertmanager retries.
 * GET /healthz is the liveness probe.
 */
export function createRelay(deps: RelayDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const expected = digest(`Bearer ${deps.relayToken}`);
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz')
      return req.method === 'GET'
        ? send(res, 200, { status: 'ok' })
        : send(res, 405, { error: 'use GET' }, { allow: 'GET' });
    if (path !== '/v1/alertmanager')
      return send(res, 404, { error: `no route ${req.method} ${path}` });
    if (req.method !== 'POST') return send(res, 405, { error: 'use POST' }, { allow: 'POST' });
    // Constant time: compare fixed-length digests, never the raw strings.
    if (!timingSafeEqual(digest(req.headers.authorization ?? ''), expected))
      return send(
        res,
        401,
        { error: 'missing or wrong bearer token' },
        { 'www-authenticate': 'Bearer' },
      );
    const read = await readNotification(req);
    if ('error' in read) return send(res, read.status, { error: read.error });
    const parsed = parseWebhook(read.body);
    if ('errors' in parsed)
      return send(res, 400, {
        error: 'not an Alertmanager webhook (version 4)',
        details: parsed.errors,
      });

    const { payload } = parsed;
    const alerts = retrainAlerts(payload);
    // Each log line names the group and its alerts in bounded space: a
    // notification may carry a group key or alert list of most of a MiB.
    const group_key = truncateText(payload.groupKey, MAX_LOGGED_KEY_CHARS);
    if (payload.status === 'resolved' || alerts.length === 0) {
      const reason =
        payload.status === 'resolved' ? 'resolved' : 'no firing alert with retrain="true"';
      deps.logger.info('ignored', { group_key, reason });
      return send(res, 200, { forwarded: false, reason });
    }
    let outcome: GroupOutcome;
    try {
      outcome = await deps.groups.run(payload.groupKey, () =>
        deps.dispatch(toInputs(payload.groupKey, alerts)),
      );
    } catch (error) {
      deps.logger.error('dispatch failed', {
        group_key,
        error: errorMessage(error),
      });
      return error instanceof DispatchError
        ? send(res, error.status, error.reply)
        : send(res, 502, { error: 'GitHub failed the dispatch' });
    }
    if (outcome.kind === 'cooling-down') {
      const retryAfter = Math.ceil(outcome.remainingMs / 1000);
      deps.logger.info('cool-down', {
        group_key,
        retry_after_seconds: retryAfter,
      });
      return send(res, 200, {
        forwarded: false,
        reason: 'cool-down',
        retry_after_seconds: retryAfter,
      });
    }
    if (outcome.kind === 'joined') {
      const reason = 'dispatched for a concurrent notification of this group';
      deps.logger.info('ignored', { group_key, reason });
      return send(res, 200, { forwarded: false, reason });
    }
    deps.logger.info('dispatched retrain', {
      group_key,
      alerts: listSome(
        alerts.map((a) => a.labels.alertname ?? ''),
        MAX_ALERTS,
      ),
    });
    send(res, 202, { forwarded: true, alerts: alerts.length });
  };
  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      deps.logger.error('internal error', { error: errorMessage(error) });
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
    });
  };
}
