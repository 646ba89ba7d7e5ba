import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type * as ort from 'onnxruntime-node';
import { escapePointer, type CardProblem } from '@housing/model-card/check';
import { rejectProblems } from '@housing/model-card/read';
import { admitsNull, typesOf } from '@housing/model-card/row-schema';
import type { ModelCard } from '@housing/model-card/schema';
import { ConfigurationError, errorMessage } from '@housing/core/errors';
import type { Row } from './row.ts';

/**
 * What the service checks of a card beyond the card's own schema and rules
 * (`readModelCard` checks those at every read): that it can serve its graph.
 */

/** ajv's validator of the card's input contract, a ConfigurationError at `/input_contract` when it does not compile. */
export function compileInputContract(card: ModelCard, cardPath: string): ValidateFunction {
  try {
    return new Ajv2020({ allErrors: true, strict: false }).compile(card.input_contract);
  } catch (error) {
    throw new ConfigurationError(
      `the card's /input_contract does not compile: ${errorMessage(error)}`,
      cardPath,
    );
  }
}

/** The card's inputs and output must be the graph's. */
export function checkGraph(session: ort.InferenceSession, card: ModelCard, cardPath: string): void {
  const graphInputs = [...session.inputNames].sort();
  const cardInputs = card.onnx.inputs.map((i) => i.name).sort();
  if (JSON.stringify(graphInputs) !== JSON.stringify(cardInputs))
    throw new ConfigurationError(
      `the card's inputs (${cardInputs.join(', ')}) contradict the graph's (${graphInputs.join(', ')})`,
      cardPath,
    );
  if (!session.outputNames.includes(card.onnx.output))
    throw new ConfigurationError(
      `the card's output '${card.onnx.output}' is not an output of the graph (${session.outputNames.join(', ')})`,
      cardPath,
    );
}

/**
 * The card's input contract must admit what its graph reads: every input a
 * property of its type, required or admitting null (an absent key is then
 * imputed), and `typical` (the reference medians and most common category,
 * what the warm-up predicted) a valid row. Otherwise the service would
 * validate requests against one thing and predict another: reject every valid
 * row, or predict rows without a feature from NaN.
 */
export function checkContractServesGraph(
  card: ModelCard,
  validateRow: ValidateFunction,
  typical: Row,
  cardPath: string,
): void {
  const { properties, required } = card.input_contract;
  const problems: CardProblem[] = [];
  for (const { name, type } of card.onnx.inputs) {
    const path = `/input_contract/properties/${escapePointer(name)}`;
    const schema = Object.hasOwn(properties, name) ? properties[name] : undefined;
    if (typeof schema !== 'object' || schema === null) {
      problems.push({ path, message: `must be an object schema: the graph reads '${name}'` });
      continue;
    }
    const wanted = type === 'float' ? ['number', 'integer'] : ['string'];
    if (!typesOf(schema).some((t) => wanted.includes(t)))
      problems.push({
        path: `${path}/type`,
        message: `must include "${wanted[0]}": the graph's input is ${type}`,
      });
    if (!required.includes(name) && !admitsNull(schema))
      problems.push({
        path: '/input_contract/required',
        message: `must list '${name}', or its type admit null: the graph reads it`,
      });
  }
  if (problems.length === 0 && !validateRow({ ...typical })) {
    const first = validateRow.errors?.[0];
    problems.push({
      path: '/input_contract',
      message: `rejects the card's own typical row (reference medians): ${first ? describe(first) : 'invalid'}`,
    });
  }
  rejectProblems(problems, cardPath);
}

/** A row of each column's reference median (or most common category). */
export function typicalRow(card: ModelCard): Row {
  const row: Row = {};
  for (const { name } of card.onnx.inputs) {
    const profile = card.reference_profile.columns[name];
    if (profile?.kind === 'numeric') row[name] = profile.quantiles['0.5'];
    else if (profile?.kind === 'categorical') {
      let top = 0;
      for (let i = 1; i < profile.shares.length; i++)
        if (profile.shares[i]! > profile.shares[top]!) top = i;
      row[name] = profile.categories[top];
    }
  }
  return row;
}

/** One ajv error on a request row, as `<JSON Pointer> <what is wrong>`. */
function describe(e: ErrorObject): string {
  if (e.keyword === 'required')
    return `${e.instancePath}/${(e.params as { missingProperty: string }).missingProperty} is required`;
  return `${e.instancePath || '(the row)'} ${e.message ?? e.keyword}`;
}
