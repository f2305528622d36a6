import { MigrationInterface, QueryRunner } from 'typeorm';

export class MatchingChatNotifications1795612971327 implements MigrationInterface {
  name = 'MatchingChatNotifications1795612971327';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE \`chat_rooms\` (\`id\` int NOT NULL AUTO_INCREMENT, \`matching_request_id\` int NOT NULL, \`story_id\` int NOT NULL, \`traveler_id\` int NOT NULL, \`guide_user_id\` int NOT NULL, \`closed_at\` datetime(3) NULL, \`last_message_id\` int NULL, \`last_message_at\` datetime(3) NULL, \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), \`updated_at\` datetime(3) NOT NULL, UNIQUE INDEX \`UQ_chat_rooms_matching_request\` (\`matching_request_id\`), INDEX \`IDX_chat_rooms_story\` (\`story_id\`), INDEX \`IDX_chat_rooms_traveler\` (\`traveler_id\`), INDEX \`IDX_chat_rooms_guide_user\` (\`guide_user_id\`), INDEX \`IDX_chat_rooms_updated\` (\`updated_at\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`chat_messages\` (\`id\` int NOT NULL AUTO_INCREMENT, \`room_id\` int NOT NULL, \`sender_id\` int NULL, \`type\` varchar(16) NOT NULL DEFAULT 'text', \`content\` varchar(2000) NOT NULL, \`client_message_id\` varchar(64) NULL, \`created_at\` datetime(3) NOT NULL, INDEX \`IDX_chat_messages_sender\` (\`sender_id\`), UNIQUE INDEX \`UQ_chat_messages_client_id\` (\`room_id\`, \`sender_id\`, \`client_message_id\`), INDEX \`IDX_chat_messages_room_id\` (\`room_id\`, \`id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`chat_room_members\` (\`id\` int NOT NULL AUTO_INCREMENT, \`room_id\` int NOT NULL, \`user_id\` int NOT NULL, \`last_read_message_id\` int NULL, INDEX \`IDX_chat_room_members_user\` (\`user_id\`, \`room_id\`), UNIQUE INDEX \`UQ_chat_room_members_room_user\` (\`room_id\`, \`user_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`matching_requests\` (\`id\` int NOT NULL AUTO_INCREMENT, \`story_id\` int NOT NULL, \`guide_id\` int NOT NULL, \`guide_user_id\` int NOT NULL, \`traveler_id\` int NOT NULL, \`status\` varchar(16) NOT NULL DEFAULT 'pending', \`open_key\` varchar(32) NULL, \`desired_date\` varchar(10) NOT NULL, \`desired_time\` varchar(5) NULL, \`party_size\` int NOT NULL DEFAULT '1', \`message\` varchar(1000) NOT NULL DEFAULT '', \`reject_reason\` varchar(500) NULL, \`chat_room_id\` int NULL, \`cancelled_by\` int NULL, \`responded_at\` datetime NULL, \`completed_at\` datetime NULL, \`cancelled_at\` datetime NULL, \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), \`updated_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6), INDEX \`IDX_matching_requests_story\` (\`story_id\`), UNIQUE INDEX \`UQ_matching_requests_open_key\` (\`open_key\`), INDEX \`IDX_matching_requests_guide_status\` (\`guide_id\`, \`status\`), INDEX \`IDX_matching_requests_guide_user\` (\`guide_user_id\`, \`id\`), INDEX \`IDX_matching_requests_traveler\` (\`traveler_id\`, \`id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`reviews\` (\`id\` int NOT NULL AUTO_INCREMENT, \`matching_request_id\` int NOT NULL, \`guide_id\` int NOT NULL, \`traveler_id\` int NOT NULL, \`rating\` int NOT NULL, \`content\` varchar(1000) NOT NULL DEFAULT '', \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), UNIQUE INDEX \`UQ_reviews_matching_request\` (\`matching_request_id\`), INDEX \`IDX_reviews_traveler\` (\`traveler_id\`), INDEX \`IDX_reviews_guide\` (\`guide_id\`, \`id\`), UNIQUE INDEX \`REL_426377154ed2fcacf09ce54086\` (\`matching_request_id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `CREATE TABLE \`notifications\` (\`id\` int NOT NULL AUTO_INCREMENT, \`user_id\` int NOT NULL, \`type\` varchar(32) NOT NULL, \`title\` varchar(100) NOT NULL, \`body\` varchar(1000) NOT NULL, \`data\` text NOT NULL, \`read_at\` datetime NULL, \`created_at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), INDEX \`IDX_notifications_user_id\` (\`user_id\`, \`id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    );
    await queryRunner.query(
      `ALTER TABLE \`chat_rooms\` ADD CONSTRAINT \`FK_7d76b8d76065b18354e7ad16fb1\` FOREIGN KEY (\`story_id\`) REFERENCES \`stories\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`chat_rooms\` ADD CONSTRAINT \`FK_1d39d1fd3509cb2e70ed2dfc405\` FOREIGN KEY (\`traveler_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`chat_rooms\` ADD CONSTRAINT \`FK_5584003b631769cfafc748ade70\` FOREIGN KEY (\`guide_user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`chat_messages\` ADD CONSTRAINT \`FK_7f52e11d11d4e8cc41224352869\` FOREIGN KEY (\`room_id\`) REFERENCES \`chat_rooms\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`chat_messages\` ADD CONSTRAINT \`FK_9e5fc47ecb06d4d7b84633b1718\` FOREIGN KEY (\`sender_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`chat_room_members\` ADD CONSTRAINT \`FK_58f6a1eac4ffde565c8b078bf4e\` FOREIGN KEY (\`room_id\`) REFERENCES \`chat_rooms\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`chat_room_members\` ADD CONSTRAINT \`FK_f7d4d1d255b71027906de8357f5\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`matching_requests\` ADD CONSTRAINT \`FK_db55ae7d9b1adcbb8a32d1d0793\` FOREIGN KEY (\`story_id\`) REFERENCES \`stories\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`matching_requests\` ADD CONSTRAINT \`FK_c7764a83f9d3db0d366f3b3ecfc\` FOREIGN KEY (\`guide_id\`) REFERENCES \`guides\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`matching_requests\` ADD CONSTRAINT \`FK_a2540e062164a3131f03af8e631\` FOREIGN KEY (\`guide_user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`matching_requests\` ADD CONSTRAINT \`FK_83739b39590510f4964645a9ce9\` FOREIGN KEY (\`traveler_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`reviews\` ADD CONSTRAINT \`FK_426377154ed2fcacf09ce54086b\` FOREIGN KEY (\`matching_request_id\`) REFERENCES \`matching_requests\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`reviews\` ADD CONSTRAINT \`FK_4664fc0089c2bea7d6bdf7dfce7\` FOREIGN KEY (\`guide_id\`) REFERENCES \`guides\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`reviews\` ADD CONSTRAINT \`FK_f2f6fe703330719e45f5fa08ffb\` FOREIGN KEY (\`traveler_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE \`notifications\` ADD CONSTRAINT \`FK_9a8a82462cab47c73d25f49261f\` FOREIGN KEY (\`user_id\`) REFERENCES \`users\`(\`id\`) ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE \`notifications\` DROP FOREIGN KEY \`FK_9a8a82462cab47c73d25f49261f\``,
    );
    await queryRunner.query(
      `ALTER TABLE \`reviews\` DROP FOREIGN KEY \`FK_f2f6fe703330719e45f5fa08ffb\``,
    );
    await queryRunner.query(
      `ALTER TABLE \`reviews\` DROP FOREIGN KEY \`FK_4664fc0089c2bea7d6bdf7dfce7\``,
    );
    await queryRunner.query(
      `ALTER TABLE \`reviews\` DROP FOREIGN KEY \`FK_426377154ed2fcacf09ce54086b\``,
    );
    await queryRunner.query(
      `ALTER TABLE \`matching_requests\` DROP FOREIGN KEY \`FK_83739b39590510f4964645a9ce9\``,
    );
    await queryRunner.query(
      `ALTER TABLE \`matching_requests\` DROP FOREIGN KEY \`FK_a2540e062164a3131f03af8e631\``,
    );
    await queryRunner.query(
      `ALTER TABLE \`matching_requests\` DROP FOREIGN KEY \`FK_c7764a83f9d3db0d366f3b3ecfc\``,
    );
    await queryRunner.query(
      `ALTER TABLE \`matching_requests\` DROP FOREIGN KEY \`FK_db55ae7d9b1adcbb8a32d1d0793\``,
    );
    await queryRunner.query(
      `ALTER TABLE \`chat_room_members\` DROP FOREIGN KEY \`FK_f7d4d1d255b71027906de8357f5\``,
    );
    await queryRunner.query(
      `ALTER TABLE \`chat_room_members\` DROP FOREIGN KEY \`FK_58f6a1eac4ffde565c8b078bf4e\``,
    );
    await queryRunner.query(
      `ALTER TABLE \`chat_messages\` DROP FOREIGN KEY \`FK_9e5fc47ecb06d4d7b84633b1718\``,
    );
    await queryRunner.query(
      `ALTER TABLE \`chat_messages\` DROP FOREIGN KEY \`FK_7f52e11d11d4e8cc41224352869\``,
    );
    await queryRunner.query(
      `ALTER TABLE \`chat_rooms\` DROP FOREIGN KEY \`FK_5584003b631769cfafc748ade70\``,
    );
    await queryRunner.query(
      `ALTER TABLE \`chat_rooms\` DROP FOREIGN KEY \`FK_1d39d1fd3509cb2e70ed2dfc405\``,
    );
    await queryRunner.query(
      `ALTER TABLE \`chat_rooms\` DROP FOREIGN KEY \`FK_7d76b8d76065b18354e7ad16fb1\``,
    );
    await queryRunner.query(`DROP INDEX \`IDX_notifications_user_id\` ON \`notifications\``);
    await queryRunner.query(`DROP TABLE \`notifications\``);
    await queryRunner.query(`DROP INDEX \`REL_426377154ed2fcacf09ce54086\` ON \`reviews\``);
    await queryRunner.query(`DROP INDEX \`IDX_reviews_guide\` ON \`reviews\``);
    await queryRunner.query(`DROP INDEX \`IDX_reviews_traveler\` ON \`reviews\``);
    await queryRunner.query(`DROP INDEX \`UQ_reviews_matching_request\` ON \`reviews\``);
    await queryRunner.query(`DROP TABLE \`reviews\``);
    await queryRunner.query(
      `DROP INDEX \`IDX_matching_requests_traveler\` ON \`matching_requests\``,
    );
    await queryRunner.query(
      `DROP INDEX \`IDX_matching_requests_guide_user\` ON \`matching_requests\``,
    );
    await queryRunner.query(
      `DROP INDEX \`IDX_matching_requests_guide_status\` ON \`matching_requests\``,
    );
    await queryRunner.query(
      `DROP INDEX \`UQ_matching_requests_open_key\` ON \`matching_requests\``,
    );
    await queryRunner.query(`DROP INDEX \`IDX_matching_requests_story\` ON \`matching_requests\``);
    await queryRunner.query(`DROP TABLE \`matching_requests\``);
    await queryRunner.query(
      `DROP INDEX \`UQ_chat_room_members_room_user\` ON \`chat_room_members\``,
    );
    await queryRunner.query(`DROP INDEX \`IDX_chat_room_members_user\` ON \`chat_room_members\``);
    await queryRunner.query(`DROP TABLE \`chat_room_members\``);
    await queryRunner.query(`DROP INDEX \`IDX_chat_messages_room_id\` ON \`chat_messages\``);
    await queryRunner.query(`DROP INDEX \`UQ_chat_messages_client_id\` ON \`chat_messages\``);
    await queryRunner.query(`DROP INDEX \`IDX_chat_messages_sender\` ON \`chat_messages\``);
    await queryRunner.query(`DROP TABLE \`chat_messages\``);
    await queryRunner.query(`DROP INDEX \`IDX_chat_rooms_updated\` ON \`chat_rooms\``);
    await queryRunner.query(`DROP INDEX \`IDX_chat_rooms_guide_user\` ON \`chat_rooms\``);
    await queryRunner.query(`DROP INDEX \`IDX_chat_rooms_traveler\` ON \`chat_rooms\``);
    await queryRunner.query(`DROP INDEX \`IDX_chat_rooms_story\` ON \`chat_rooms\``);
    await queryRunner.query(`DROP INDEX \`UQ_chat_rooms_matching_request\` ON \`chat_rooms\``);
    await queryRunner.query(`DROP TABLE \`chat_rooms\``);
  }
}
