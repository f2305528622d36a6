import { Controller, Get, HttpCode, Logger, Post, Req } from '@nestjs/common';
import {
  ApiExcludeEndpoint,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { NotRateLimited } from '../../common/decorators/auth.decorator';
import { Public } from '../../common/decorators/public.decorator';
import { DomainException } from '../../common/errors/domain.exception';
import type { AppConfig } from '../../config/app-config';
import { InjectConfig } from '../../config/config.module';
import { UsersService } from '../../users/users.service';
import { ApiErrors } from '../../common/decorators/api-errors.decorator';

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

const DESCRIPTION =
  'Kakao calls this (GET or POST; fields `app_id`, `user_id`, `referrer_type` in the form ' +
  'body or the query) when a person disconnects the app in Kakao, with ' +
  '`Authorization: KakaoAK <KAKAO_ADMIN_KEY>`. The user with that Kakao id is withdrawn as ' +
  'by DELETE /users/me; an unknown id is fine. 200 either way; a wrong or missing key → 401; ' +
  'without KAKAO_ADMIN_KEY the route does not exist (404).';

/**
 * Kakao's unlink callback (docs/api.md, Blocking and account rights). Register `https://<host>/api/v1/auth/kakao/unlink` as
 * the Unlink Callback URL in the Kakao developer console (README, "Kakao unlink callback").
 * Not rate-limited: only a caller holding the Admin key gets past the first check.
 */
@ApiTags('auth')
@Controller('auth/kakao/unlink')
@NotRateLimited()
export class KakaoUnlinkController {
  private readonly logger = new Logger(KakaoUnlinkController.name);
  private readonly key: Buffer | null;

  constructor(
    @InjectConfig() config: AppConfig,
    private readonly users: UsersService,
  ) {
    this.key = config.kakao.adminKey ? digest(config.kakao.adminKey) : null;
  }

  @Post()
  @HttpCode(200)
  @Public() // Kakao's Admin key, not a bearer token
  @ApiOperation({ summary: "Kakao's unlink callback", description: DESCRIPTION })
  @ApiHeader({ name: 'Authorization', description: 'KakaoAK <KAKAO_ADMIN_KEY>', required: true })
  @ApiOkResponse({ description: 'The account is withdrawn (or there was none)' })
  @ApiErrors(
    { code: 'VALIDATION_FAILED', when: 'user_id must be a Kakao user id', field: 'user_id' },
    { code: 'UNAUTHORIZED', when: 'A valid KakaoAK admin key is required' },
    { code: 'NOT_FOUND', when: 'Not found (KAKAO_ADMIN_KEY is not set)' },
  )
  unlinkByPost(@Req() req: Request): Promise<void> {
    return this.unlink(req);
  }

  @Get()
  @HttpCode(200)
  @Public()
  @ApiExcludeEndpoint()
  unlinkByGet(@Req() req: Request): Promise<void> {
    return this.unlink(req);
  }

  private async unlink(req: Request): Promise<void> {
    if (!this.key) throw new DomainException('NOT_FOUND', 'Not found');
    const header = req.headers.authorization;
    const presented = typeof header === 'string' ? /^KakaoAK\s+(\S+)\s*$/.exec(header)?.[1] : null;
    // compared as digests: equal lengths, and the time taken says nothing about the key
    if (!presented || !timingSafeEqual(digest(presented), this.key)) {
      throw new DomainException('UNAUTHORIZED', 'A valid KakaoAK admin key is required');
    }
    const fields = {
      ...(req.query as Record<string, unknown>),
      ...(req.body as Record<string, unknown>),
    };
    const kakaoId = typeof fields.user_id === 'string' ? fields.user_id.trim() : '';
    if (!/^\d{1,20}$/.test(kakaoId)) {
      throw new DomainException('VALIDATION_FAILED', 'user_id must be a Kakao user id', [
        { field: 'user_id', errors: ['user_id must be a Kakao user id'] },
      ]);
    }
    const withdrawn = await this.users.withdrawByKakaoId(kakaoId);
    this.logger.log(
      `Kakao unlink (${String(fields.referrer_type ?? 'unknown')}): ${withdrawn ? 'account withdrawn' : 'no account'}`,
    );
  }
}
