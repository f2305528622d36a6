import { SetMetadata } from '@nestjs/common';
import type { UserRole } from '../../users/entities/user.entity';

export const ROLES = 'storybook:roles';

/** Only callers whose current role (read from the database) is one of these may enter. */
export const Roles = (...roles: UserRole[]) => SetMetadata(ROLES, roles);
