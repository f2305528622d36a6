import { ApiProperty } from '@nestjs/swagger';

/** The caller's like of a story after `PUT`/`DELETE /stories/:id/like`. */
export class LikeStateDto {
  @ApiProperty({ description: 'Whether the caller now likes the story' })
  liked: boolean;

  @ApiProperty({ description: "The story's like count after the change", example: 12 })
  likeCount: number;
}

/** The caller's bookmark of a story after `PUT`/`DELETE /stories/:id/bookmark`. */
export class BookmarkStateDto {
  @ApiProperty({ description: 'Whether the caller now has the story bookmarked' })
  bookmarked: boolean;

  @ApiProperty({ description: "The story's bookmark count after the change", example: 3 })
  bookmarkCount: number;
}
