import { DynamicModule, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AppConfig } from '../config/app-config';
import { AccountModule } from '../users/account.module';
import { UsersModule } from '../users/users.module';
import { AccessTokenModule } from './access-token.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { DevLoginController } from './dev-login.controller';
import { RefreshToken } from './entities/refresh-token.entity';
import { KakaoClient } from './kakao/kakao.client';
import { KakaoUnlinkController } from './kakao/kakao-unlink.controller';
import { KakaoStrategy } from './kakao/kakao.strategy';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { TokenService } from './token.service';

@Module({})
export class AuthModule {
  /** Dev-login and the Kakao web flow exist only when configured. */
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AuthModule,
      imports: [
        UsersModule,
        AccountModule,
        AccessTokenModule,
        PassportModule,
        TypeOrmModule.forFeature([RefreshToken]),
        JwtModule.register({
          secret: config.jwt.secret,
          signOptions: { algorithm: 'HS256' },
          verifyOptions: { algorithms: ['HS256'] },
        }),
      ],
      // dev-login first: Swagger UI lists routes in this order, and it is where QA starts
      controllers: [
        ...(config.auth.devLoginEnabled ? [DevLoginController] : []),
        AuthController,
        KakaoUnlinkController,
      ],
      providers: [
        AuthService,
        TokenService,
        RefreshTokensRepository,
        KakaoClient,
        ...(config.kakao.clientId ? [KakaoStrategy] : []),
      ],
      exports: [TokenService],
    };
  }
}
