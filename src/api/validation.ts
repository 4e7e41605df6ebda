import type { FastifySchemaCompiler } from 'fastify';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';

/** A schema violation, carrying the dotted path of the offending field for the error body. */
class SchemaError extends Error {
  readonly statusCode = 400;
  readonly code = 'FST_ERR_VALIDATION';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/**
 * Validates request parts with TypeBox instead of Fastify's default Ajv setup, because that one
 * silently strips unknown fields and coerces `123` into `"123"` in bodies. Bodies are checked as
 * sent (unknown fields rejected); querystrings and params are strings on the wire, so they get
 * defaults and type conversion first.
 */
export const typeboxValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const checker = TypeCompiler.Compile(schema);
  const convert = httpPart === 'querystring' || httpPart === 'params';
  // Conversion would truncate "1.5" to 1: an integer field's text must be an integer already.
  const integers = convert ? Object.entries((schema as { properties?: Record<string, TSchema> }).properties ?? {}).filter(([, s]) => s.type === 'integer').map(([name]) => name) : [];
  return (data: unknown) => {
    for (const name of integers) {
      const raw = (data as Record<string, unknown> | undefined)?.[name];
      if (typeof raw === 'string' && !/^-?\d+$/.test(raw.trim())) return { error: new SchemaError(name, 'Expected integer') };
    }
    const value = convert ? Value.Convert(schema, Value.Default(schema, data ?? {})) : data;
    const first = checker.Errors(value).First();
    if (!first) return { value };
    const path = first.path.replace(/^\//, '').replace(/\//g, '.');
    return { error: new SchemaError(path || (httpPart ?? 'body'), first.message) };
  };
};
