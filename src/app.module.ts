import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ThrottlerModule } from '@nestjs/throttler';
import { AdminModule } from './admin/admin.module';
import { AuditModule } from './audit/audit.module';
import { AccessTokenGuard } from './auth/access-token.guard';
import { AccessTokenModule } from './auth/access-token.module';
import { AuthModule } from './auth/auth.module';
import { ChatModule } from './chat/chat.module';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter';
import { RateLimitGuard, rateLimitOptions } from './common/guards/rate-limit.guard';
import { RolesGuard } from './common/guards/roles.guard';
import { GracefulShutdown } from './common/http/graceful-shutdown';
import { LoggingModule } from './common/logging/logging.module';
import { ShutdownLogger } from './common/logging/shutdown-logger';
import type { AppConfig } from './config/app-config';
import { AppConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { GuideProfilesModule } from './guides/guide-profiles.module';
import { GuidesModule } from './guides/guides.module';
import { HealthModule } from './health/health.module';
import { JobsModule } from './jobs/jobs.module';
import { MatchingModule } from './matching/matching.module';
import { MediaModule } from './media/media.module';
import { MetricsModule } from './metrics/metrics.module';
import { NotificationsModule } from './notifications/notifications.module';
import { RegionsBrowseModule } from './regions/regions-browse.module';
import { RegionsModule } from './regions/regions.module';
import { RealtimeModule } from './realtime/realtime.module';
import { ReportsModule } from './reports/reports.module';
import { StoriesModule } from './stories/stories.module';
import { AccountExportModule } from './users/account-export.module';
import { AccountModule } from './users/account.module';
import { UsersModule } from './users/users.module';

@Module({})
export class AppModule {
  /** The whole application for one validated configuration (main.ts, the CLI and tests). */
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggingModule,
        DatabaseModule,
        EventEmitterModule.forRoot(),
        ThrottlerModule.forRootAsync({ useFactory: () => rateLimitOptions(config) }),
        AuditModule,
        RealtimeModule,
        JobsModule.forRoot(config),
        MetricsModule.forRoot(config),
        AccessTokenModule,
        AuthModule.forRoot(config),
        UsersModule,
        AccountModule,
        RegionsModule,
        RegionsBrowseModule,
        GuidesModule,
        GuideProfilesModule,
        MediaModule,
        StoriesModule,
        MatchingModule,
        ChatModule,
        NotificationsModule,
        ReportsModule,
        AccountExportModule,
        AdminModule,
        HealthModule,
      ],
      providers: [
        GracefulShutdown,
        ShutdownLogger,
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        // order matters: who the caller is, then what they may do, then how often
        { provide: APP_GUARD, useExisting: AccessTokenGuard },
        { provide: APP_GUARD, useClass: RolesGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
      ],
    };
  }
}
