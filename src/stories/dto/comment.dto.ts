import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/cursor';
import { CharLength, OptionalNotNull, Trim, MultiLine } from '../../common/validation/validation';
import type { User } from '../../users/entities/user.entity';
import type { Comment } from '../entities/comment.entity';
import { ID_FILTER_SCHEMA, ID_SCHEMA, IsId } from '../../common/validation/id';

export const MAX_COMMENT_LENGTH = 1000;
export const COMMENT_EXAMPLE = 'Looks wonderful! Which month did you go?';

export class CreateCommentDto {
  @ApiProperty({
    minLength: 1,
    maxLength: MAX_COMMENT_LENGTH,
    description: 'Trimmed first',
    example: COMMENT_EXAMPLE,
  })
  @Trim()
  @IsString()
  @CharLength(1, MAX_COMMENT_LENGTH)
  @MultiLine()
  content: string;

  @ApiPropertyOptional({
    ...ID_SCHEMA,
    description:
      'Makes this a reply: a top-level, not deleted comment of the same story (one level of ' +
      'replies only), else 400 VALIDATION_FAILED',
  })
  @OptionalNotNull()
  @IsId()
  parentId?: number;
}

export class UpdateCommentDto {
  @ApiProperty({
    minLength: 1,
    maxLength: MAX_COMMENT_LENGTH,
    description: 'Trimmed first',
    example: 'Edited: we went in October.',
  })
  @Trim()
  @IsString()
  @CharLength(1, MAX_COMMENT_LENGTH)
  @MultiLine()
  content: string;
}

export class ListCommentsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    ...ID_FILTER_SCHEMA,
    description: 'List the replies to this top-level comment instead of the top-level comments',
  })
  @IsOptional()
  @IsId({ fromText: true })
  parentId?: number;
}

export class CommentAuthorDto {
  @ApiProperty() id: number;
  @ApiProperty() nickname: string;
  @ApiProperty({ type: String, nullable: true }) profileImageUrl: string | null;
}

export class CommentDto {
  @ApiProperty() id: number;
  @ApiProperty({ description: 'Empty once the comment is deleted' }) content: string;
  @ApiProperty({ type: CommentAuthorDto }) author: CommentAuthorDto;
  @ApiProperty({ type: Number, nullable: true, description: 'The comment this one replies to' })
  parentId: number | null;
  @ApiProperty({ description: 'Replies to this comment that are not deleted' })
  replyCount: number;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty() deleted: boolean;

  static from(comment: Comment, author: User): CommentDto {
    return {
      id: comment.id,
      content: comment.deletedAt ? '' : comment.content,
      author: {
        id: author.id,
        nickname: author.nickname,
        profileImageUrl: author.profileImageUrl,
      },
      parentId: comment.parentId,
      replyCount: comment.replyCount,
      createdAt: comment.createdAt.toISOString(),
      updatedAt: comment.updatedAt.toISOString(),
      deleted: comment.deletedAt !== null,
    };
  }
}
