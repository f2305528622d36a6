import { MigrationInterface, QueryRunner } from 'typeorm';

export class Blocks1796048149545 implements MigrationInterface {
  name = 'Blocks1796048149545';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`blocks\` (\`blocker_id\` int NOT NULL, \`blocked_id\` int NOT NULL, \`created_at\` datetime NOT NULL, INDEX \`IDX_blocks_blocked\` (\`blocked_id\`, \`blocker_id\`), PRIMARY KEY (\`blocker_id\`, \`blocked_id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(`ALTER TABLE \`users\` ADD \`last_export_at\` datetime NULL`);
    await queryRunner.query(
      `ALTER TABLE \`blocks\` ADD CONSTRAINT \`FK_74f530c6fbffc357047b263818d\` FOREIGN KEY (\`blocker_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`blocks\` ADD CONSTRAINT \`FK_8aa6c887bed61ad10829450f2f0\` FOREIGN KEY (\`blocked_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE \`blocks\` DROP FOREIGN KEY \`FK_8aa6c887bed61ad10829450f2f0\``,
    );
    await queryRunner.query(
      `ALTER TABLE \`blocks\` DROP FOREIGN KEY \`FK_74f530c6fbffc357047b263818d\``,
    );
    await queryRunner.query(`ALTER TABLE \`users\` DROP COLUMN \`last_export_at\``);
    await queryRunner.query(`DROP INDEX \`IDX_blocks_blocked\` ON \`blocks\``);
    await queryRunner.query(`DROP TABLE \`blocks\``);
  }
}
