import { ApiProperty } from '@nestjs/swagger';
import type { Region } from '../../regions/entities/region.entity';
import type { User } from '../../users/entities/user.entity';
import { GUIDE_STATUSES, Guide, GuideStatus } from '../entities/guide.entity';
import { decodeLanguages } from '../languages';

export class GuideRegionDto {
  @ApiProperty() id: number;
  @ApiProperty({ example: 'jeju-seogwipo' }) code: string;
  @ApiProperty({ example: '서귀포' }) name: string;
  @ApiProperty({ example: 'Seogwipo' }) nameEn: string;
  @ApiProperty({ type: Number, nullable: true }) parentId: number | null;

  static from(region: Region): GuideRegionDto {
    return {
      id: region.id,
      code: region.code,
      name: region.name,
      nameEn: region.nameEn,
      parentId: region.parentId,
    };
  }
}

function regionsOf(guide: Guide): GuideRegionDto[] {
  return [...(guide.regions ?? [])].sort((a, b) => a.id - b.id).map(GuideRegionDto.from);
}

function userOf(guide: Guide): Pick<User, 'nickname' | 'profileImageUrl'> {
  return guide.user ?? { nickname: '', profileImageUrl: null };
}

/** The applicant's own view of their guide profile (GET /guides/me). */
export class MyGuideDto {
  @ApiProperty() id: number;
  @ApiProperty() userId: number;
  @ApiProperty({ enum: GUIDE_STATUSES }) status: GuideStatus;
  @ApiProperty() introduction: string;
  @ApiProperty({ type: [String], example: ['ko', 'en'] }) languages: string[];
  @ApiProperty({ type: [GuideRegionDto] }) regions: GuideRegionDto[];
  @ApiProperty({ type: String, nullable: true }) career: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Why the last application failed' })
  rejectionReason: string | null;
  @ApiProperty({ type: String, nullable: true }) suspendReason: string | null;
  @ApiProperty({ description: 'Mean review rating, rounded to 2 decimals; 0 without reviews' })
  averageRating: number;
  @ApiProperty() reviewCount: number;
  @ApiProperty({ description: 'When the current application was made' }) appliedAt: string;
  @ApiProperty({ type: String, nullable: true }) approvedAt: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;

  static from(guide: Guide): MyGuideDto {
    return {
      id: guide.id,
      userId: guide.userId,
      status: guide.status,
      introduction: guide.introduction,
      languages: decodeLanguages(guide.languages),
      regions: regionsOf(guide),
      career: guide.career,
      rejectionReason: guide.rejectionReason,
      suspendReason: guide.suspendReason,
      averageRating: Number(guide.averageRating),
      reviewCount: guide.reviewCount,
      appliedAt: guide.appliedAt.toISOString(),
      approvedAt: guide.approvedAt?.toISOString() ?? null,
      createdAt: guide.createdAt.toISOString(),
      updatedAt: guide.updatedAt.toISOString(),
    };
  }
}

/** A guide in the public list (GET /guides). */
export class GuideSummaryDto {
  @ApiProperty() id: number;
  @ApiProperty() userId: number;
  @ApiProperty() nickname: string;
  @ApiProperty({ type: String, nullable: true }) profileImageUrl: string | null;
  @ApiProperty() introduction: string;
  @ApiProperty({ type: [String], example: ['ko', 'en'] }) languages: string[];
  @ApiProperty({ type: [GuideRegionDto] }) regions: GuideRegionDto[];
  @ApiProperty({ description: 'Mean review rating, rounded to 2 decimals; 0 without reviews' })
  averageRating: number;
  @ApiProperty() reviewCount: number;
  @ApiProperty() createdAt: string;

  static from(guide: Guide): GuideSummaryDto {
    const user = userOf(guide);
    return {
      id: guide.id,
      userId: guide.userId,
      nickname: user.nickname,
      profileImageUrl: user.profileImageUrl,
      introduction: guide.introduction,
      languages: decodeLanguages(guide.languages),
      regions: regionsOf(guide),
      averageRating: Number(guide.averageRating),
      reviewCount: guide.reviewCount,
      createdAt: guide.createdAt.toISOString(),
    };
  }
}

/** A guide's public profile (GET /guides/:id). */
export class GuideDto extends GuideSummaryDto {
  @ApiProperty({ type: String, nullable: true }) career: string | null;
  @ApiProperty({
    enum: GUIDE_STATUSES,
    description: 'Always `approved` for others; the guide and admins also see other states',
  })
  status: GuideStatus;
  @ApiProperty({ description: 'Published stories' }) storyCount: number;
  @ApiProperty({ description: 'Matching requests of this guide that were completed' })
  completedMatchingCount: number;

  static withCounts(guide: Guide, storyCount: number, completedMatchingCount: number): GuideDto {
    return {
      ...GuideSummaryDto.from(guide),
      career: guide.career,
      status: guide.status,
      storyCount,
      completedMatchingCount,
    };
  }
}

/** A guide application as admins review it (GET /admin/guides). */
export class AdminGuideDto {
  @ApiProperty() id: number;
  @ApiProperty() userId: number;
  @ApiProperty() nickname: string;
  @ApiProperty({ type: String, nullable: true }) profileImageUrl: string | null;
  @ApiProperty({ enum: GUIDE_STATUSES }) status: GuideStatus;
  @ApiProperty() introduction: string;
  @ApiProperty({ type: [String] }) languages: string[];
  @ApiProperty({ type: [GuideRegionDto] }) regions: GuideRegionDto[];
  @ApiProperty({ type: String, nullable: true }) career: string | null;
  @ApiProperty({ type: String, nullable: true }) rejectionReason: string | null;
  @ApiProperty({ type: String, nullable: true }) suspendReason: string | null;
  @ApiProperty({ description: 'Mean review rating, rounded to 2 decimals; 0 without reviews' })
  averageRating: number;
  @ApiProperty() reviewCount: number;
  @ApiProperty() appliedAt: string;
  @ApiProperty({ type: String, nullable: true }) approvedAt: string | null;
  @ApiProperty() createdAt: string;

  static from(guide: Guide): AdminGuideDto {
    const user = userOf(guide);
    return {
      id: guide.id,
      userId: guide.userId,
      nickname: user.nickname,
      profileImageUrl: user.profileImageUrl,
      status: guide.status,
      introduction: guide.introduction,
      languages: decodeLanguages(guide.languages),
      regions: regionsOf(guide),
      career: guide.career,
      rejectionReason: guide.rejectionReason,
      suspendReason: guide.suspendReason,
      averageRating: Number(guide.averageRating),
      reviewCount: guide.reviewCount,
      appliedAt: guide.appliedAt.toISOString(),
      approvedAt: guide.approvedAt?.toISOString() ?? null,
      createdAt: guide.createdAt.toISOString(),
    };
  }
}

/** Who wrote a review. */
export class ReviewerDto {
  @ApiProperty() id: number;
  @ApiProperty() nickname: string;
  @ApiProperty({ type: String, nullable: true }) profileImageUrl: string | null;
}

/** A traveller's review of a guide after a completed matching (GET /guides/:id/reviews). */
export class GuideReviewDto {
  @ApiProperty() id: number;
  @ApiProperty({ minimum: 1, maximum: 5 }) rating: number;
  @ApiProperty() content: string;
  @ApiProperty({ type: ReviewerDto }) traveler: ReviewerDto;
  @ApiProperty() createdAt: string;
}
