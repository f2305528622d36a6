import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Story lists walk a status's stories newest first by id: an index on (status, id) serves
 * that order, where (status, created_at, id) made every list sort all the published stories.
 */
export class StoryListIndex1796060000000 implements MigrationInterface {
  name = 'StoryListIndex1796060000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX \`IDX_stories_status_id\` ON \`stories\` (\`status\`, \`id\`)`,
    );
    await queryRunner.query(`DROP INDEX \`IDX_stories_status_created\` ON \`stories\``);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX \`IDX_stories_status_created\` ON \`stories\` (\`status\`, \`created_at\`, \`id\`)`,
    );
    await queryRunner.query(`DROP INDEX \`IDX_stories_status_id\` ON \`stories\``);
  }
}
