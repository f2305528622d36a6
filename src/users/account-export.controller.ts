import { Controller, Get, Logger, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Authenticated } from '../common/decorators/auth.decorator';
import { AuthUser, CurrentUser } from '../common/decorators/current-user.decorator';
import { AccountExportService } from './account-export.service';
import { ApiErrors } from '../common/decorators/api-errors.decorator';

@ApiTags('users')
@Controller('users')
export class AccountExportController {
  private readonly logger = new Logger(AccountExportController.name);

  constructor(private readonly exports: AccountExportService) {}

  @Get('me/export')
  @Authenticated()
  @ApiOperation({
    summary: 'Everything stored about me, as one JSON document',
    description:
      'Profile, guide profile, stories with media URLs, comments, likes, bookmarks, matching ' +
      'requests, chat messages I sent, reviews given and received, reports I filed, ' +
      'notifications, blocks I made. Streamed as it is read. At most once an hour: 429 ' +
      'RATE_LIMITED with Retry-After after that.',
  })
  @ApiProduces('application/json')
  @ApiOkResponse({ description: 'A JSON document (downloaded as a file)' })
  @ApiErrors({
    code: 'RATE_LIMITED',
    when: 'Your data can be exported once an hour; try again later',
  })
  async export(@CurrentUser() user: AuthUser, @Res() res: Response): Promise<void> {
    const takenAt = await this.exports.begin(user);
    let clientLeft = false;
    res.once('close', () => {
      if (!res.writableFinished) clientLeft = true;
    });
    res.status(200);
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="storybook-${user.id}.json"`);
    res.setHeader('Cache-Control', 'no-store');
    try {
      await this.exports.write(user, res);
      res.end();
    } catch (error) {
      // the status is sent already: an export cut short must not look complete
      const ours = !clientLeft;
      this.logger.error(`Data export of user ${user.id} failed: ${(error as Error).message}`);
      res.destroy(error as Error);
      if (ours) await this.exports.giveBack(user, takenAt);
    }
  }
}
