/** A schema of an OpenAPI document, as far as the request samples need it. */
interface Schema {
  $ref?: string;
  allOf?: Schema[];
  type?: string;
  format?: string;
  example?: unknown;
  default?: unknown;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
}

interface MediaType {
  schema?: Schema;
  example?: unknown;
  examples?: Record<string, { value?: unknown }>;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, { requestBody?: { content?: Record<string, MediaType> } }>>;
  components: { schemas: Record<string, Schema> };
}

/**
 * The body Swagger UI fills in for a schema when the operation names no example of its own:
 * each property's `example`, else its `default`, else its first enum value, else a
 * placeholder by type ("string", 0, true), optional properties included; files are left out.
 */
export function sampleOf(doc: OpenApiDocument, schema: Schema): unknown {
  if (schema.$ref) {
    return sampleOf(doc, doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')]);
  }
  if (schema.allOf) {
    return Object.assign({}, ...schema.allOf.map((part) => sampleOf(doc, part) as object));
  }
  if (schema.example !== undefined) return schema.example;
  if (schema.default !== undefined) return schema.default;
  if (schema.enum?.length) return schema.enum[0];
  if (schema.properties || schema.type === 'object') {
    const sample: Record<string, unknown> = {};
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      const isFile = property.format === 'binary' || property.items?.format === 'binary';
      if (!isFile) sample[name] = sampleOf(doc, property);
    }
    return sample;
  }
  switch (schema.type) {
    case 'array':
      return [sampleOf(doc, schema.items ?? {})];
    case 'integer':
    case 'number':
      return 0;
    case 'boolean':
      return true;
    default:
      return 'string';
  }
}

/**
 * What Swagger UI pre-fills as the request body of each operation (`"POST /path"` →
 * body): the first of the operation's own examples when it names some, else the schema's
 * sample ({@link sampleOf}).
 */
export function requestPrefills(doc: OpenApiDocument): Record<string, unknown> {
  const prefills: Record<string, unknown> = {};
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const content = operation.requestBody?.content ?? {};
      const media = content['application/json'] ?? content['multipart/form-data'];
      if (!media) continue;
      const own = media.examples ? Object.values(media.examples)[0]?.value : media.example;
      prefills[`${method.toUpperCase()} ${path}`] =
        own !== undefined ? own : media.schema ? sampleOf(doc, media.schema) : undefined;
    }
  }
  return prefills;
}
