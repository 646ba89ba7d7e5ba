import type { operations } from '@octokit/openapi-types';
import { fail, notFound, type Route } from './http.ts';

type DispatchRequest =
  operations['actions/create-workflow-dispatch']['requestBody']['content']['application/json'];

/** GitHub's limits on a workflow_dispatch's inputs. */
const MAX_INPUTS = 25;
const MAX_INPUTS_CHARS = 65_535;

/**
 * workflow_dispatch, checked as GitHub checks it: 404 for a workflow the
 * fake was not given (`workflows`, by file name), 422 for a ref that is no
 * branch, an input the workflow does not declare, a required one missing,
 * or inputs over GitHub's limits; else 204, recorded in `workflowDispatches`.
 * A failure queued in `failDispatches` answers first (a GitHub outage).
 */
export const workflowRoutes: Route[] = [
  {
    method: 'POST',
    path: /^\/actions\/workflows\/([^/]+)\/dispatches$/,
    handle(x, [, workflow = '']) {
      const failure = x.state.failDispatches.shift();
      if (failure !== undefined) return fail(x.res, failure, 'Server Error');
      const declared = x.state.workflows.get(workflow);
      if (!declared) return notFound(x.res);
      const request = (x.body ?? {}) as Partial<DispatchRequest>;
      if (typeof request.ref !== 'string')
        return fail(x.res, 422, 'Invalid request.\n\n"ref" wasn\'t supplied.');
      if (!x.state.git.refs.has(request.ref))
        return fail(x.res, 422, `No ref found for: ${request.ref}`);
      const inputs = request.inputs ?? {};
      const names = Object.keys(inputs);
      const unexpected = names.filter((name) => !(name in declared));
      if (unexpected.length > 0)
        return fail(x.res, 422, `Unexpected inputs provided: ${JSON.stringify(unexpected)}`);
      const missing = Object.entries(declared).find(([name, d]) => d.required && !(name in inputs));
      if (missing) return fail(x.res, 422, `Required input '${missing[0]}' not provided`);
      if (names.length > MAX_INPUTS || JSON.stringify(inputs).length > MAX_INPUTS_CHARS)
        return fail(x.res, 422, 'inputs are too large.');
      x.state.workflowDispatches.push({ workflow, ref: request.ref, inputs });
      x.res.writeHead(204);
      x.res.end();
    },
  },
];
