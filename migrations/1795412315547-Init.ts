import { MigrationInterface, QueryRunner } from 'typeorm';

export class Init1795412315547 implements MigrationInterface {
  name = 'Init1795412315547';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`users\` (\`id\` int NOT NULL AUTO_INCREMENT, \`kakao_id\` varchar(32) NULL, \`nickname\` varchar(40) NOT NULL, \`nickname_customized\` tinyint NOT NULL DEFAULT 0, \`profile_image_url\` varchar(500) NULL, \`email\` varchar(254) NULL, \`bio\` varchar(500) NULL, \`role\` varchar(16) NOT NULL DEFAULT 'user', \`status\` varchar(16) NOT NULL DEFAULT 'active', \`suspended_until\` datetime NULL, \`suspend_reason\` varchar(1000) NULL, \`withdrawn_at\` datetime NULL, \`last_login_at\` datetime NULL, \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), \`updated_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6), UNIQUE INDEX \`UQ_users_kakao_id\` (\`kakao_id\`), INDEX \`IDX_users_role\` (\`role\`), INDEX \`IDX_users_status\` (\`status\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`refresh_tokens\` (\`id\` int NOT NULL AUTO_INCREMENT, \`user_id\` int NOT NULL, \`family_id\` varchar(36) NOT NULL, \`token_hash\` varchar(64) NOT NULL, \`expires_at\` datetime NOT NULL, \`rotated_at\` datetime NULL, \`revoked_at\` datetime NULL, \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), INDEX \`IDX_refresh_tokens_user\` (\`user_id\`), INDEX \`IDX_refresh_tokens_family\` (\`family_id\`), UNIQUE INDEX \`UQ_refresh_tokens_hash\` (\`token_hash\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `ALTER TABLE \`refresh_tokens\` ADD CONSTRAINT \`FK_3ddc983c5f7bcf132fd8732c3f4\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE \`refresh_tokens\` DROP FOREIGN KEY \`FK_3ddc983c5f7bcf132fd8732c3f4\``,
    );
    await queryRunner.query(`DROP INDEX \`UQ_refresh_tokens_hash\` ON \`refresh_tokens\``);
    await queryRunner.query(`DROP INDEX \`IDX_refresh_tokens_family\` ON \`refresh_tokens\``);
    await queryRunner.query(`DROP INDEX \`IDX_refresh_tokens_user\` ON \`refresh_tokens\``);
    await queryRunner.query(`DROP TABLE \`refresh_tokens\``);
    await queryRunner.query(`DROP INDEX \`IDX_users_status\` ON \`users\``);
    await queryRunner.query(`DROP INDEX \`IDX_users_role\` ON \`users\``);
    await queryRunner.query(`DROP INDEX \`UQ_users_kakao_id\` ON \`users\``);
    await queryRunner.query(`DROP TABLE \`users\``);
  }
}
