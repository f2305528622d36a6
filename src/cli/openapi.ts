import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { OpenAPIObject } from '@nestjs/swagger';
import { createApp, openApiDocument } from '../app.setup';
import { loadConfig } from '../config/app-config';

/**
 * `npm run docs:openapi [file]`: the OpenAPI document of the app as `docs/openapi.json` holds
 * it. The app is built as main.ts builds it (createApp), on a throwaway SQLite database and
 * upload folder, with dev-login on so that its route is documented; nothing from the
 * environment or `.env` is read, so the output depends on the code alone.
 */
/**
 * The "today" of the generated file's dated examples (see openApiDocument), fixed so that the
 * file does not change from one day to the next; Swagger UI of a running server uses the day.
 */
const DOCUMENT_DATE = new Date('2026-01-01T00:00:00Z');

export async function generateOpenApiJson(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'storybook-openapi-'));
  try {
    const config = loadConfig({
      NODE_ENV: 'development',
      LOG_LEVEL: 'silent',
      JWT_SECRET: 'openapi-document-generation-secret-0123456789',
      AUTH_DEV_LOGIN: 'true',
      SWAGGER_ENABLED: 'true',
      KAKAO_CLIENT_ID: 'openapi',
      SQLITE_PATH: join(dir, 'openapi.sqlite'),
      UPLOAD_DIR: join(dir, 'uploads'),
    });
    const app = await createApp(config);
    try {
      await app.init();
      return stableJson(openApiDocument(app, DOCUMENT_DATE));
    } finally {
      await app.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Pretty JSON; the schemas sorted by name (their order in the document is registration order). */
export function stableJson(doc: OpenAPIObject): string {
  const schemas = doc.components?.schemas ?? {};
  const sorted = Object.fromEntries(
    Object.keys(schemas)
      .sort()
      .map((name) => [name, schemas[name]]),
  );
  const stable = { ...doc, components: { ...doc.components, schemas: sorted } };
  return `${JSON.stringify(stable, null, 2)}\n`;
}

async function main(): Promise<void> {
  const target = resolve(process.argv[2] ?? join('docs', 'openapi.json'));
  writeFileSync(target, await generateOpenApiJson());
  console.log(`OpenAPI document written to ${process.argv[2] ?? 'docs/openapi.json'}`);
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
