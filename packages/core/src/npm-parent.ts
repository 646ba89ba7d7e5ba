/** How often the parent is checked; the process outlives npm by at most this. */
const PARENT_CHECK_MS = 1000;

/**
 * When npm started this process (`npm run`, `npm start`: npm sets
 * `npm_lifecycle_event`), sends this process SIGTERM once npm is gone, so its
 * own SIGTERM handling (drain a server, stop the children) ends it. npm passes
 * on SIGINT and SIGTERM only: a SIGHUP (a closed terminal, `kill -HUP`) or
 * SIGKILL ends npm and would leave the program running, reparented to init.
 * Linux has no portable parent-death signal in Node, so the parent id is
 * polled; the timer does not keep the process alive. Outside npm nothing is
 * watched: a program run under nohup by hand may outlive its shell.
 */
export function endWithNpm(env: NodeJS.ProcessEnv = process.env): void {
  if (!env.npm_lifecycle_event) return;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    process.kill(process.pid, 'SIGTERM');
  }, PARENT_CHECK_MS);
  timer.unref();
}
