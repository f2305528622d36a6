import { RefreshToken } from '../auth/entities/refresh-token.entity';
import { User } from '../users/entities/user.entity';

/** Every entity of the schema; migrations are generated from this list. */
export const ENTITIES = [User, RefreshToken];
