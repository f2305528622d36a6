import { MigrationInterface, QueryRunner } from 'typeorm';

export class GuidesStoriesMedia1795610973853 implements MigrationInterface {
  name = 'GuidesStoriesMedia1795610973853';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`audit_logs\` (\`id\` int NOT NULL AUTO_INCREMENT, \`admin_id\` int NOT NULL, \`action\` varchar(64) NOT NULL, \`target_type\` varchar(32) NOT NULL, \`target_id\` int NOT NULL, \`reason\` varchar(1000) NULL, \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), INDEX \`IDX_audit_logs_admin\` (\`admin_id\`), INDEX \`IDX_audit_logs_target\` (\`target_type\`, \`target_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`regions\` (\`id\` int NOT NULL AUTO_INCREMENT, \`code\` varchar(64) NOT NULL, \`name\` varchar(40) NOT NULL, \`name_en\` varchar(80) NOT NULL, \`parent_id\` int NULL, \`latitude\` double NOT NULL, \`longitude\` double NOT NULL, \`sort_order\` int NOT NULL DEFAULT '0', UNIQUE INDEX \`UQ_regions_code\` (\`code\`), INDEX \`IDX_regions_parent\` (\`parent_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`guides\` (\`id\` int NOT NULL AUTO_INCREMENT, \`user_id\` int NOT NULL, \`status\` varchar(16) NOT NULL DEFAULT 'pending', \`introduction\` text NOT NULL, \`languages\` varchar(64) NOT NULL, \`career\` text NULL, \`rejection_reason\` varchar(1000) NULL, \`suspend_reason\` varchar(1000) NULL, \`average_rating\` double NOT NULL DEFAULT '0', \`review_count\` int NOT NULL DEFAULT '0', \`approved_at\` datetime NULL, \`applied_at\` datetime NOT NULL, \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), \`updated_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6), INDEX \`IDX_guides_status\` (\`status\`), INDEX \`IDX_guides_applied_at\` (\`applied_at\`), UNIQUE INDEX \`REL_49737dc54aaa90c42f048dabe8\` (\`user_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`story_tags\` (\`story_id\` int NOT NULL, \`tag\` varchar(20) NOT NULL, \`position\` int NOT NULL DEFAULT '0', INDEX \`IDX_story_tags_tag\` (\`tag\`), PRIMARY KEY (\`story_id\`, \`tag\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`stories\` (\`id\` int NOT NULL AUTO_INCREMENT, \`guide_id\` int NOT NULL, \`user_id\` int NOT NULL, \`title\` varchar(100) NOT NULL, \`content\` text NOT NULL, \`category\` varchar(16) NOT NULL, \`region_id\` int NOT NULL, \`status\` varchar(16) NOT NULL DEFAULT 'published', \`hidden_reason\` varchar(1000) NULL, \`like_count\` int NOT NULL DEFAULT '0', \`comment_count\` int NOT NULL DEFAULT '0', \`bookmark_count\` int NOT NULL DEFAULT '0', \`view_count\` int NOT NULL DEFAULT '0', \`media_count\` int NOT NULL DEFAULT '0', \`is_matched\` tinyint NOT NULL DEFAULT 0, \`deleted_at\` datetime NULL, \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), \`updated_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6), INDEX \`IDX_stories_guide\` (\`guide_id\`), INDEX \`IDX_stories_user\` (\`user_id\`), INDEX \`IDX_stories_category\` (\`category\`), INDEX \`IDX_stories_region\` (\`region_id\`), INDEX \`IDX_stories_status_created\` (\`status\`, \`created_at\`, \`id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`media\` (\`id\` int NOT NULL AUTO_INCREMENT, \`story_id\` int NOT NULL, \`type\` varchar(8) NOT NULL, \`mime_type\` varchar(64) NOT NULL, \`size\` bigint NOT NULL, \`width\` int NULL, \`height\` int NULL, \`duration_sec\` double NULL, \`storage_key\` varchar(255) NOT NULL, \`thumbnail_key\` varchar(255) NULL, \`sort_order\` int NOT NULL DEFAULT '0', \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), INDEX \`IDX_media_story_order\` (\`story_id\`, \`sort_order\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`comments\` (\`id\` int NOT NULL AUTO_INCREMENT, \`story_id\` int NOT NULL, \`author_id\` int NOT NULL, \`parent_id\` int NULL, \`content\` text NOT NULL, \`reply_count\` int NOT NULL DEFAULT '0', \`deleted_at\` datetime NULL, \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), \`updated_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6), INDEX \`IDX_comments_author\` (\`author_id\`), INDEX \`IDX_comments_parent\` (\`parent_id\`), INDEX \`IDX_comments_story_created\` (\`story_id\`, \`created_at\`, \`id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`story_bookmarks\` (\`story_id\` int NOT NULL, \`user_id\` int NOT NULL, \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), INDEX \`IDX_story_bookmarks_user_created\` (\`user_id\`, \`created_at\`), PRIMARY KEY (\`story_id\`, \`user_id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`story_likes\` (\`story_id\` int NOT NULL, \`user_id\` int NOT NULL, \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), INDEX \`IDX_story_likes_user_created\` (\`user_id\`, \`created_at\`), PRIMARY KEY (\`story_id\`, \`user_id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`story_views\` (\`story_id\` int NOT NULL, \`viewer_key\` varchar(64) NOT NULL, \`viewed_at\` datetime NOT NULL, PRIMARY KEY (\`story_id\`, \`viewer_key\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`guide_regions\` (\`guide_id\` int NOT NULL, \`region_id\` int NOT NULL, INDEX \`IDX_72a6e8c0261ec109334a1ae0b0\` (\`guide_id\`), INDEX \`IDX_41d180c3f3354d6591e2bbc20d\` (\`region_id\`), PRIMARY KEY (\`guide_id\`, \`region_id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `ALTER TABLE \`regions\` ADD CONSTRAINT \`FK_b1dc15f575548116575b521d8de\` FOREIGN KEY (\`parent_id\`) REFERENCES \`regions\`(\`id\`) ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`guides\` ADD CONSTRAINT \`FK_49737dc54aaa90c42f048dabe89\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`story_tags\` ADD CONSTRAINT \`FK_818bd0326f1417b77cb55f0b80f\` FOREIGN KEY (\`story_id\`) REFERENCES \`stories\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`stories\` ADD CONSTRAINT \`FK_9241e0433d734b27ae1320514a1\` FOREIGN KEY (\`guide_id\`) REFERENCES \`guides\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`stories\` ADD CONSTRAINT \`FK_ab4ee230faf536e7c5aee12f4ea\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`stories\` ADD CONSTRAINT \`FK_9d86de0c3c7bc93885d39af62ab\` FOREIGN KEY (\`region_id\`) REFERENCES \`regions\`(\`id\`) ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`media\` ADD CONSTRAINT \`FK_4e3044e71719b8b0d049c522d18\` FOREIGN KEY (\`story_id\`) REFERENCES \`stories\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`comments\` ADD CONSTRAINT \`FK_fc9fbe054ad87248180aec2e9c9\` FOREIGN KEY (\`story_id\`) REFERENCES \`stories\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`comments\` ADD CONSTRAINT \`FK_e6d38899c31997c45d128a8973b\` FOREIGN KEY (\`author_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`comments\` ADD CONSTRAINT \`FK_d6f93329801a93536da4241e386\` FOREIGN KEY (\`parent_id\`) REFERENCES \`comments\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`story_bookmarks\` ADD CONSTRAINT \`FK_8f3759bc027533244c03ba395fd\` FOREIGN KEY (\`story_id\`) REFERENCES \`stories\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`story_bookmarks\` ADD CONSTRAINT \`FK_2ad147aa8a6b371bff7f07cbe60\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`story_likes\` ADD CONSTRAINT \`FK_a68f51aa0d901bbc019c65572b3\` FOREIGN KEY (\`story_id\`) REFERENCES \`stories\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`story_likes\` ADD CONSTRAINT \`FK_7743f7540a7b66554a614e181e4\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`story_views\` ADD CONSTRAINT \`FK_e30910f5c5e7cefc96f92d17331\` FOREIGN KEY (\`story_id\`) REFERENCES \`stories\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`guide_regions\` ADD CONSTRAINT \`FK_72a6e8c0261ec109334a1ae0b06\` FOREIGN KEY (\`guide_id\`) REFERENCES \`guides\`(\`id\`) ON DELETE CASCADE ON UPDATE CASCADE`,
    );
    await queryRunner.query(
      `ALTER TABLE \`guide_regions\` ADD CONSTRAINT \`FK_41d180c3f3354d6591e2bbc20db\` FOREIGN KEY (\`region_id\`) REFERENCES \`regions\`(\`id\`) ON DELETE CASCADE ON UPDATE CASCADE`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE \`guide_regions\` DROP FOREIGN KEY \`FK_41d180c3f3354d6591e2bbc20db\``,
    );
    await queryRunner.query(
      `ALTER TABLE \`guide_regions\` DROP FOREIGN KEY \`FK_72a6e8c0261ec109334a1ae0b06\``,
    );
    await queryRunner.query(
      `ALTER TABLE \`story_views\` DROP FOREIGN KEY \`FK_e30910f5c5e7cefc96f92d17331\``,
    );
    await queryRunner.query(
      `ALTER TABLE \`story_likes\` DROP FOREIGN KEY \`FK_7743f7540a7b66554a614e181e4\``,
    );
    await queryRunner.query(
      `ALTER TABLE \`story_likes\` DROP FOREIGN KEY \`FK_a68f51aa0d901bbc019c65572b3\``,
    );
    await queryRunner.query(
      `ALTER TABLE \`story_bookmarks\` DROP FOREIGN KEY \`FK_2ad147aa8a6b371bff7f07cbe60\``,
    );
    await queryRunner.query(
      `ALTER TABLE \`story_bookmarks\` DROP FOREIGN KEY \`FK_8f3759bc027533244c03ba395fd\``,
    );
    await queryRunner.query(
      `ALTER TABLE \`comments\` DROP FOREIGN KEY \`FK_d6f93329801a93536da4241e386\``,
    );
    await queryRunner.query(
      `ALTER TABLE \`comments\` DROP FOREIGN KEY \`FK_e6d38899c31997c45d128a8973b\``,
    );
    await queryRunner.query(
      `ALTER TABLE \`comments\` DROP FOREIGN KEY \`FK_fc9fbe054ad87248180aec2e9c9\``,
    );
    await queryRunner.query(
      `ALTER TABLE \`media\` DROP FOREIGN KEY \`FK_4e3044e71719b8b0d049c522d18\``,
    );
    await queryRunner.query(
      `ALTER TABLE \`stories\` DROP FOREIGN KEY \`FK_9d86de0c3c7bc93885d39af62ab\``,
    );
    await queryRunner.query(
      `ALTER TABLE \`stories\` DROP FOREIGN KEY \`FK_ab4ee230faf536e7c5aee12f4ea\``,
    );
    await queryRunner.query(
      `ALTER TABLE \`stories\` DROP FOREIGN KEY \`FK_9241e0433d734b27ae1320514a1\``,
    );
    await queryRunner.query(
      `ALTER TABLE \`story_tags\` DROP FOREIGN KEY \`FK_818bd0326f1417b77cb55f0b80f\``,
    );
    await queryRunner.query(
      `ALTER TABLE \`guides\` DROP FOREIGN KEY \`FK_49737dc54aaa90c42f048dabe89\``,
    );
    await queryRunner.query(
      `ALTER TABLE \`regions\` DROP FOREIGN KEY \`FK_b1dc15f575548116575b521d8de\``,
    );
    await queryRunner.query(`DROP INDEX \`IDX_41d180c3f3354d6591e2bbc20d\` ON \`guide_regions\``);
    await queryRunner.query(`DROP INDEX \`IDX_72a6e8c0261ec109334a1ae0b0\` ON \`guide_regions\``);
    await queryRunner.query(`DROP TABLE \`guide_regions\``);
    await queryRunner.query(`DROP TABLE \`story_views\``);
    await queryRunner.query(`DROP INDEX \`IDX_story_likes_user_created\` ON \`story_likes\``);
    await queryRunner.query(`DROP TABLE \`story_likes\``);
    await queryRunner.query(
      `DROP INDEX \`IDX_story_bookmarks_user_created\` ON \`story_bookmarks\``,
    );
    await queryRunner.query(`DROP TABLE \`story_bookmarks\``);
    await queryRunner.query(`DROP INDEX \`IDX_comments_story_created\` ON \`comments\``);
    await queryRunner.query(`DROP INDEX \`IDX_comments_parent\` ON \`comments\``);
    await queryRunner.query(`DROP INDEX \`IDX_comments_author\` ON \`comments\``);
    await queryRunner.query(`DROP TABLE \`comments\``);
    await queryRunner.query(`DROP INDEX \`IDX_media_story_order\` ON \`media\``);
    await queryRunner.query(`DROP TABLE \`media\``);
    await queryRunner.query(`DROP INDEX \`IDX_stories_status_created\` ON \`stories\``);
    await queryRunner.query(`DROP INDEX \`IDX_stories_region\` ON \`stories\``);
    await queryRunner.query(`DROP INDEX \`IDX_stories_category\` ON \`stories\``);
    await queryRunner.query(`DROP INDEX \`IDX_stories_user\` ON \`stories\``);
    await queryRunner.query(`DROP INDEX \`IDX_stories_guide\` ON \`stories\``);
    await queryRunner.query(`DROP TABLE \`stories\``);
    await queryRunner.query(`DROP INDEX \`IDX_story_tags_tag\` ON \`story_tags\``);
    await queryRunner.query(`DROP TABLE \`story_tags\``);
    await queryRunner.query(`DROP INDEX \`REL_49737dc54aaa90c42f048dabe8\` ON \`guides\``);
    await queryRunner.query(`DROP INDEX \`IDX_guides_applied_at\` ON \`guides\``);
    await queryRunner.query(`DROP INDEX \`IDX_guides_status\` ON \`guides\``);
    await queryRunner.query(`DROP TABLE \`guides\``);
    await queryRunner.query(`DROP INDEX \`IDX_regions_parent\` ON \`regions\``);
    await queryRunner.query(`DROP INDEX \`UQ_regions_code\` ON \`regions\``);
    await queryRunner.query(`DROP TABLE \`regions\``);
    await queryRunner.query(`DROP INDEX \`IDX_audit_logs_target\` ON \`audit_logs\``);
    await queryRunner.query(`DROP INDEX \`IDX_audit_logs_admin\` ON \`audit_logs\``);
    await queryRunner.query(`DROP TABLE \`audit_logs\``);
  }
}
