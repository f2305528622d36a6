import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, SelectQueryBuilder } from 'typeorm';
import { decodeCursor } from '../common/pagination/cursor';
import { noBlockBetween } from '../users/blocks.sql';
import { Comment } from './entities/comment.entity';

/** The comments table (comments and their one level of replies). */
@Injectable()
export class CommentsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findById(id: number): Promise<Comment | null> {
    return this.dataSource.manager.findOneBy(Comment, { id });
  }

  findMany(ids: number[]): Promise<Comment[]> {
    return ids.length === 0
      ? Promise.resolve([])
      : this.dataSource.manager.findBy(Comment, { id: In(ids) });
  }

  /** The author's comments after `afterId`, deleted ones included, in id order. */
  byAuthorAfter(authorId: number, afterId: number, limit: number): Promise<Comment[]> {
    return this.dataSource.manager
      .createQueryBuilder(Comment, 'c')
      .where('c.author_id = :authorId AND c.id > :afterId', { authorId, afterId })
      .orderBy('c.id', 'ASC')
      .limit(limit)
      .getMany();
  }

  findInStory(id: number, storyId: number): Promise<Comment | null> {
    return this.dataSource.manager.findOneBy(Comment, { id, storyId });
  }

  /** A comment with its author's id, nickname and picture. */
  findWithAuthor(id: number): Promise<Comment | null> {
    return this.withAuthor().where('c.id = :id', { id }).getOne();
  }

  /**
   * A page (plus one row) of a story's top-level comments, or of the replies to `parentId`,
   * oldest first (ids grow with creation time), with their authors.
   */
  page(
    storyId: number,
    parentId: number | null,
    limit: number,
    cursor?: string,
    blockViewerId?: number,
  ) {
    const qb = this.withAuthor().where('c.story_id = :storyId', { storyId });
    if (blockViewerId !== undefined) {
      qb.andWhere(noBlockBetween('blockViewer', 'c.author_id'), { blockViewer: blockViewerId });
    }
    if (parentId !== null) qb.andWhere('c.parent_id = :parentId', { parentId });
    else qb.andWhere('c.parent_id IS NULL');
    if (cursor) {
      const [id] = decodeCursor(cursor, ['id']);
      qb.andWhere('c.id > :cursorId', { cursorId: Number(id) });
    }
    return qb
      .orderBy('c.id', 'ASC')
      .limit(limit + 1)
      .getMany();
  }

  async insert(
    manager: EntityManager,
    fields: Pick<Comment, 'storyId' | 'authorId' | 'parentId' | 'content'>,
  ): Promise<number> {
    const now = new Date();
    const inserted = await manager.insert(Comment, {
      ...fields,
      // set here, not by the column default: SQLite's default has whole seconds only
      createdAt: now,
      updatedAt: now,
    });
    return Number((inserted.identifiers[0] as { id: number }).id);
  }

  /** New content for a comment that is not deleted; false when it is (or is gone). */
  async updateContent(manager: EntityManager, id: number, content: string): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(Comment)
      .set({ content, updatedAt: new Date() })
      .where('id = :id AND deleted_at IS NULL', { id })
      .updateEntity(false)
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Blanks and marks a comment deleted, once: false when it was deleted already. */
  async markDeleted(manager: EntityManager, id: number): Promise<boolean> {
    const now = new Date();
    const result = await manager
      .createQueryBuilder()
      .update(Comment)
      .set({ content: '', deletedAt: now, updatedAt: now })
      .where('id = :id AND deleted_at IS NULL', { id })
      .updateEntity(false)
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** `reply_count ± 1`; with `onlyIfNotDeleted`, not on a deleted parent (then false). */
  async bumpReplyCount(
    manager: EntityManager,
    parentId: number,
    delta: 1 | -1,
    onlyIfNotDeleted: boolean,
  ): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(Comment)
      .set({
        replyCount: () => `reply_count ${delta > 0 ? '+' : '-'} 1`,
        updatedAt: () => 'updated_at',
      })
      .where(onlyIfNotDeleted ? 'id = :parentId AND deleted_at IS NULL' : 'id = :parentId', {
        parentId,
      })
      .updateEntity(false)
      .execute();
    return (result.affected ?? 0) > 0;
  }

  private withAuthor(): SelectQueryBuilder<Comment> {
    return this.dataSource.manager
      .createQueryBuilder(Comment, 'c')
      .innerJoin('c.author', 'a')
      .addSelect(['a.id', 'a.nickname', 'a.profileImageUrl']);
  }
}
