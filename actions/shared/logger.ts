import * as core from '@actions/core';
import type { Logger } from '@housing/core/logger';

const withFields = (message: string, fields?: Record<string, unknown>) =>
  fields && Object.keys(fields).length > 0 ? `${message} ${JSON.stringify(fields)}` : message;

/** The pipeline's Logger, written to the Actions log. Progress is dropped: CI logs stay quiet. */
export const coreLogger: Logger = {
  info: (m, f) => core.info(withFields(m, f)),
  warn: (m, f) => core.warning(withFields(m, f)),
  error: (m, f) => core.error(withFields(m, f)),
  progress: () => {},
};
