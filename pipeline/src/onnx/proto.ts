import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
/** An ONNX graph node. */
export type Node = onnxProto.onnx.INodeProto;
/** An ONNX node attribute. */
export type Attribute = onnxProto.onnx.IAttributeProto;
/** An ONNX initializer (a constant tensor). */
export type Tensor = onnxProto.onnx.ITensorProto;

/** The ai.onnx.ml operator domain (Imputer, OneHotEncoder, tree ensembles, ...). */
export const ML = 'ai.onnx.ml';
/** TensorProto element types used here. */
export const DataType = onnx.TensorProto.DataType;

const encoder = new TextEncoder();
const A = onnx.AttributeProto.AttributeType;

/** A node named after its first output, which keeps names unique in a graph. */
export function node(
  opType: string,
  input: string[],
  output: string[],
  domain = '',
  attribute: Attribute[] = [],
): Node {
  return { opType, input, output, domain, attribute, name: `${opType}_${output[0]}` };
}
/** A list-of-floats attribute. */
export function floats(name: string, values: number[]): Attribute {
  return { name, type: A.FLOATS, floats: values };
}
/** An int attribute. */
export function int(name: string, i: number): Attribute {
  return { name, type: A.INT, i };
}
/** A list-of-ints attribute. */
export function ints(name: string, values: number[]): Attribute {
  return { name, type: A.INTS, ints: values };
}
/** A string attribute. */
export function str(name: string, s: string): Attribute {
  return { name, type: A.STRING, s: encoder.encode(s) };
}
/** A list-of-strings attribute. */
export function strings(name: string, values: string[]): Attribute {
  return { name, type: A.STRINGS, strings: values.map((v) => encoder.encode(v)) };
}
/** A float32 scalar (rank 0) initializer. */
export function floatScalar(name: string, value: number): Tensor {
  return { name, dataType: DataType.FLOAT, dims: [], floatData: [value] };
}
/** A graph input or output of the given element type and shape. */
export function valueInfo(
  name: string,
  elemType: number,
  dims: (string | number)[],
): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: {
          dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })),
        },
      },
    },
  };
}
/** A float32 vector ([n]) initializer. */
export function floatVector(name: string, values: number[]): Tensor {
  return { name, dataType: DataType.FLOAT, dims: [values.length], floatData: values };
}
/** An int64 vector ([n]) initializer, stored as raw little-endian bytes. */
export function int64Vector(name: string, values: bigint[]): Tensor {
  return {
    name,
    dataType: DataType.INT64,
    dims: [values.length],
    rawData: new Uint8Array(BigInt64Array.from(values).buffer),
  };
}
