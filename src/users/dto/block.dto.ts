import { ApiProperty } from '@nestjs/swagger';

/** One entry of GET /users/me/blocks. */
export class BlockedUserDto {
  @ApiProperty({ example: 42 }) id: number;
  @ApiProperty() nickname: string;
  @ApiProperty({ type: String, nullable: true }) profileImageUrl: string | null;
  @ApiProperty({ description: 'When I blocked them' }) blockedAt: string;
}
