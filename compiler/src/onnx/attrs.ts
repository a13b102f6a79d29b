/**
 * Reading and making NodeProto attributes outside the importer's NodeCtx (compress, report).
 * Readers return the default when the attribute is absent; type errors are the importer's
 * business (NodeCtx); these are for nodes it already accepted or tsvdc wrote.
 */
import { ATTR, type AttributeProto, type NodeProto } from './proto.js';

export function attrInt(n: NodeProto, name: string, dflt: number): number {
  return n.attribute.find((a) => a.name === name)?.i ?? dflt;
}
export function attrFloat(n: NodeProto, name: string, dflt: number): number {
  return n.attribute.find((a) => a.name === name)?.f ?? dflt;
}
export function attrInts(n: NodeProto, name: string, dflt: readonly number[]): number[] {
  const a = n.attribute.find((x) => x.name === name);
  return a && a.ints.length > 0 ? [...a.ints] : [...dflt];
}
export function attrString(n: NodeProto, name: string, dflt: string): string {
  const s = n.attribute.find((a) => a.name === name)?.s;
  return s ? new TextDecoder().decode(s) : dflt;
}

function attribute(name: string, type: number, fields: Partial<AttributeProto>): AttributeProto {
  return { name, type, floats: [], ints: [], strings: [], tensors: [], graphs: [], ...fields };
}
export const makeInt = (name: string, i: number): AttributeProto => attribute(name, ATTR.INT, { i });
export const makeInts = (name: string, ints: readonly number[]): AttributeProto => attribute(name, ATTR.INTS, { ints: [...ints] });

/** A NodeProto in the default domain. */
export function makeNode(opType: string, name: string, input: readonly string[], output: readonly string[], attribute: AttributeProto[] = []): NodeProto {
  return { opType, name, input: [...input], output: [...output], attribute };
}
