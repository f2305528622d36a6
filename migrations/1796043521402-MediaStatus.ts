import { MigrationInterface, QueryRunner } from 'typeorm';

export class MediaStatus1796043521402 implements MigrationInterface {
  name = 'MediaStatus1796043521402';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE \`media\` ADD \`status\` varchar(12) NOT NULL DEFAULT 'ready'`,
    );
    await queryRunner.query(`CREATE INDEX \`IDX_media_status\` ON \`media\` (\`status\`)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX \`IDX_media_status\` ON \`media\``);
    await queryRunner.query(`ALTER TABLE \`media\` DROP COLUMN \`status\``);
  }
}
