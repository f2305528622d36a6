import { MigrationInterface, QueryRunner } from 'typeorm';

/** The time-driven lifecycle (docs/api.md, Lifecycle): expiry and reminder marks, and what the jobs scan. */
export class Lifecycle1796051093135 implements MigrationInterface {
  name = 'Lifecycle1796051093135';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE \`matching_requests\` ADD \`expired_at\` datetime NULL`);
    await queryRunner.query(
      `ALTER TABLE \`matching_requests\` ADD \`trip_reminded_at\` datetime NULL`,
    );
    await queryRunner.query(
      `ALTER TABLE \`matching_requests\` ADD \`review_reminded_at\` datetime NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX \`IDX_matching_requests_status_date\` ON \`matching_requests\` (\`status\`, \`desired_date\`)`,
    );
    await queryRunner.query(
      `CREATE INDEX \`IDX_notifications_created_at\` ON \`notifications\` (\`created_at\`)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX \`IDX_notifications_created_at\` ON \`notifications\``);
    await queryRunner.query(
      `DROP INDEX \`IDX_matching_requests_status_date\` ON \`matching_requests\``,
    );
    await queryRunner.query(`ALTER TABLE \`matching_requests\` DROP COLUMN \`review_reminded_at\``);
    await queryRunner.query(`ALTER TABLE \`matching_requests\` DROP COLUMN \`trip_reminded_at\``);
    await queryRunner.query(`ALTER TABLE \`matching_requests\` DROP COLUMN \`expired_at\``);
  }
}
