/** A detected face in source-image pixels. Landmarks are x,y pairs: left eye, right eye, nose, left and right mouth corner (as seen in the image). */
export interface Detection {
  score: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  landmarks: Float64Array;
}

/** Output tensors by name, as onnxruntime returns them. */
export type TensorMap = Record<string, { data: unknown; dims?: readonly number[] }>;

export function floatOutput(outputs: TensorMap, name: string): Float32Array {
  const data = outputs[name]?.data;
  if (!(data instanceof Float32Array)) throw new Error(`detector output ${name} is missing or not float32`);
  return data;
}
