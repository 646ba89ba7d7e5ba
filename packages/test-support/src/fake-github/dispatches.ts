import { fail, type Route } from './http.ts';

/** repository_dispatch: 204 and recorded, unless a failure is queued in `failDispatches`. */
export const dispatchRoutes: Route[] = [
  {
    method: 'POST',
    path: /^\/dispatches$/,
    handle(x) {
      const failure = x.state.failDispatches.shift();
      if (failure !== undefined) return fail(x.res, failure, 'Server Error');
      const event = x.body as { event_type?: unknown } | undefined;
      if (typeof event?.event_type !== 'string')
        return fail(x.res, 422, 'Invalid request.\n\n"event_type" wasn\'t supplied.');
      x.state.dispatches.push(x.body);
      x.res.writeHead(204);
      x.res.end();
    },
  },
];
