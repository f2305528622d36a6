import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { AuthUser } from '../common/decorators/current-user.decorator';
import { isId, parseIdText } from '../common/validation/id';
import { GuidesService } from '../guides/guides.service';
import { StoriesService } from './stories.service';

/**
 * Checks, before a multipart body is read, that the caller may upload here: an approved guide
 * for a new story, the story's author for `/stories/:id/media`. Guards run before the upload
 * interceptor, so a refused request never streams its files to disk.
 */
@Injectable()
export class StoryUploadGuard implements CanActivate {
  constructor(
    private readonly guides: GuidesService,
    private readonly stories: StoriesService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request & { user?: AuthUser }>();
    const user = req.user as AuthUser; // the global JWT guard has run: the route is authenticated
    if (req.params.id !== undefined) {
      // an id that is not one is left to ParseIdPipe (400 for non-canonical text, else 404)
      const id = parseIdText(String(req.params.id));
      if (isId(id)) await this.stories.requireEditable(user, id);
    } else {
      await this.guides.requirePublisher(user);
    }
    return true;
  }
}
