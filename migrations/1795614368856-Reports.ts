import { MigrationInterface, QueryRunner } from 'typeorm';

export class Reports1795614368856 implements MigrationInterface {
  name = 'Reports1795614368856';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`reports\` (\`id\` int NOT NULL AUTO_INCREMENT, \`reporter_id\` int NOT NULL, \`target_type\` varchar(16) NOT NULL, \`target_id\` int NOT NULL, \`reason\` varchar(16) NOT NULL, \`detail\` varchar(1000) NULL, \`status\` varchar(16) NOT NULL DEFAULT 'pending', \`resolution\` varchar(16) NULL, \`resolved_by\` int NULL, \`note\` varchar(1000) NULL, \`resolved_at\` datetime(3) NULL, \`pending_key\` varchar(64) NULL, \`created_at\` datetime(3) NOT NULL, INDEX \`IDX_reports_reporter\` (\`reporter_id\`), UNIQUE INDEX \`UQ_reports_pending_key\` (\`pending_key\`), INDEX \`IDX_reports_status_id\` (\`status\`, \`id\`), INDEX \`IDX_reports_target_status\` (\`target_type\`, \`target_id\`, \`status\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `ALTER TABLE \`reports\` ADD CONSTRAINT \`FK_9459b9bf907a3807ef7143d2ead\` FOREIGN KEY (\`reporter_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE \`reports\` DROP FOREIGN KEY \`FK_9459b9bf907a3807ef7143d2ead\``,
    );
    await queryRunner.query(`DROP INDEX \`IDX_reports_target_status\` ON \`reports\``);
    await queryRunner.query(`DROP INDEX \`IDX_reports_status_id\` ON \`reports\``);
    await queryRunner.query(`DROP INDEX \`UQ_reports_pending_key\` ON \`reports\``);
    await queryRunner.query(`DROP INDEX \`IDX_reports_reporter\` ON \`reports\``);
    await queryRunner.query(`DROP TABLE \`reports\``);
  }
}
