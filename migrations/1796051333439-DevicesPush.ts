import { MigrationInterface, QueryRunner } from 'typeorm';

export class DevicesPush1796051333439 implements MigrationInterface {
  name = 'DevicesPush1796051333439';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`devices\` (\`id\` int NOT NULL AUTO_INCREMENT, \`user_id\` int NOT NULL, \`token_hash\` varchar(64) NOT NULL, \`token\` varchar(4096) NOT NULL, \`platform\` varchar(16) NOT NULL, \`locale\` varchar(35) NULL, \`created_at\` datetime NOT NULL, \`last_seen_at\` datetime NOT NULL, UNIQUE INDEX \`UQ_devices_token_hash\` (\`token_hash\`), INDEX \`IDX_devices_user_seen\` (\`user_id\`, \`last_seen_at\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`notification_settings\` (\`user_id\` int NOT NULL, \`push_matching\` tinyint NOT NULL DEFAULT 1, \`push_chat\` tinyint NOT NULL DEFAULT 1, \`push_comments\` tinyint NOT NULL DEFAULT 1, \`push_reviews\` tinyint NOT NULL DEFAULT 1, \`push_system\` tinyint NOT NULL DEFAULT 1, \`quiet_start\` varchar(5) NULL, \`quiet_end\` varchar(5) NULL, \`quiet_time_zone\` varchar(64) NULL, \`updated_at\` datetime NOT NULL, PRIMARY KEY (\`user_id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `ALTER TABLE \`devices\` ADD CONSTRAINT \`FK_5e9bee993b4ce35c3606cda194c\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`notification_settings\` ADD CONSTRAINT \`FK_91a7ffebe8b406c4470845d4781\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE \`notification_settings\` DROP FOREIGN KEY \`FK_91a7ffebe8b406c4470845d4781\``,
    );
    await queryRunner.query(
      `ALTER TABLE \`devices\` DROP FOREIGN KEY \`FK_5e9bee993b4ce35c3606cda194c\``,
    );
    await queryRunner.query(`DROP TABLE \`notification_settings\``);
    await queryRunner.query(`DROP INDEX \`IDX_devices_user_seen\` ON \`devices\``);
    await queryRunner.query(`DROP INDEX \`UQ_devices_token_hash\` ON \`devices\``);
    await queryRunner.query(`DROP TABLE \`devices\``);
  }
}
