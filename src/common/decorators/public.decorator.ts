import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'storybook:isPublic';

/** The route needs no token; when one is sent anyway, the caller is known to the handler. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
