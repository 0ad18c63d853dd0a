/**
 * `JSON`: any JSON value, for the few shapes GraphQL cannot type without
 * losing what REST accepts: a resource's content (by kind), a quiz question
 * (by kind) as written, a saved answer (a choice, choices, a boolean, a text
 * or a number). The REST DTO each input extends still validates the value
 * (`@IsObject()`), and the decider checks it as it checks a REST body.
 */
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

function fromLiteral(ast: ValueNode, variables?: Record<string, unknown> | null): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((v) => fromLiteral(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, fromLiteral(f.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[ast.name.value];
    default:
      throw new GraphQLError(`JSON cannot represent the literal ${ast.kind}`, { nodes: ast });
  }
}

export const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'any JSON value (an object, a list, a string, a number, a boolean or null)',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: fromLiteral,
});
