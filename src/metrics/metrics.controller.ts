import { Controller, Get, Header, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Public } from '../common/decorators/public.decorator';
import { DomainException } from '../common/errors/domain.exception';
import type { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { AppMetrics } from './app-metrics';

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * `GET /metrics` for Prometheus (outside /api/v1, like /health). Registered only with
 * METRICS_ENABLED, so otherwise it is a 404 like any unknown path. With METRICS_TOKEN the
 * scraper sends `Authorization: Bearer <token>`; anything else is 401. Not in the API docs:
 * it is for operators, not for the apps.
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  private readonly token: Buffer | null;

  constructor(
    @InjectConfig() config: AppConfig,
    private readonly metrics: AppMetrics,
  ) {
    this.token = config.metrics.token ? digest(config.metrics.token) : null;
  }

  @Get()
  @Public()
  @Header('Cache-Control', 'no-store')
  async scrape(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<string> {
    if (this.token) {
      const header = req.headers.authorization;
      const presented = header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
      // compared as digests: equal lengths, and the time taken says nothing about the token
      if (!presented || !timingSafeEqual(digest(presented), this.token)) {
        throw new DomainException('UNAUTHORIZED', 'A valid metrics token is required');
      }
    }
    const { contentType, body } = await this.metrics.scrape();
    res.setHeader('Content-Type', contentType);
    return body;
  }
}
