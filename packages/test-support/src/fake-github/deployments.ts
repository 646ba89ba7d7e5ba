import type { components } from '@octokit/openapi-types';
import { fail, notFound, send, type Route } from './http.ts';
import type { FakeDeployment } from './state.ts';

type Schemas = components['schemas'];

/** The states GitHub accepts for a deployment status. */
const STATES: readonly Schemas['deployment-status']['state'][] = [
  'error',
  'failure',
  'inactive',
  'in_progress',
  'queued',
  'pending',
  'success',
];

/** Deployments and their statuses; a success marks the environment's earlier ones inactive. */
export const deploymentRoutes: Route[] = [
  {
    method: 'POST',
    path: /^\/deployments$/,
    handle(x) {
      const request = x.body as Record<string, unknown>;
      if (typeof request.ref !== 'string') return fail(x.res, 422, 'Invalid request: ref');
      const deployment: FakeDeployment = { id: x.state.nextId(), request, statuses: [] };
      x.state.deployments.push(deployment);
      const body: Pick<Schemas['deployment'], 'id'> & Record<string, unknown> = {
        ...request,
        id: deployment.id,
      };
      send(x.res, 201, body);
    },
  },
  {
    method: 'POST',
    path: /^\/deployments\/(\d+)\/statuses$/,
    handle(x, m) {
      const deployment = x.state.deployments.find((d) => d.id === Number(m[1]));
      if (!deployment) return notFound(x.res);
      const status = x.body as Record<string, unknown>;
      if (!(STATES as readonly unknown[]).includes(status.state))
        return fail(x.res, 422, `Invalid state: ${String(status.state)}`);
      deployment.statuses.push(status);
      // auto_inactive: a success marks the environment's earlier deployments inactive.
      if (status.state === 'success' && status.auto_inactive !== false)
        for (const other of x.state.deployments)
          if (
            other !== deployment &&
            other.request.environment === deployment.request.environment &&
            other.statuses.at(-1)?.state === 'success'
          )
            other.statuses.push({ state: 'inactive', description: 'superseded' });
      const body: Pick<Schemas['deployment-status'], 'id'> & Record<string, unknown> = {
        ...status,
        id: x.state.nextId(),
      };
      send(x.res, 201, body);
    },
  },
];
