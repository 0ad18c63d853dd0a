import { Module } from '@nestjs/common';
import { bulkBodyParsers } from '@learnstream/core';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { AccountsRepository } from './accounts.repository';
import { AuthController } from './auth/auth.controller';
import { AuthService } from './auth/auth.service';
import { AuthenticationGuard } from './auth/authentication.guard';
import { JwtStrategy } from './auth/jwt.strategy';
import { VerifiedTokens } from './auth/verified-tokens';
import { SessionStore } from './auth/session-store';
import { SignInLimiter } from './auth/sign-in-limiter';
import { BootstrapAdmin } from './bootstrap-admin';
import { ManageAccountHandler } from './commands/manage-account.command';
import { OpenAccountHandler } from './commands/open-account.command';
import { BulkOpenAccountsHandler } from './commands/bulk-open-accounts.command';
import { RegisterAccountHandler } from './commands/register-account.command';
import { UpdateProfileHandler } from './commands/update-profile.command';
import { PasswordHasher } from './passwords';
import { GetAccountHandler } from './queries/get-account.query';
import { GetMeHandler } from './queries/get-me.query';
import { ListImpersonationsHandler } from './queries/list-impersonations.query';
import { UsernameIndex } from './username-index';
import { UsersController } from './users.controller';

/** Accounts, sign-in and impersonation; its guard makes every other route need a signed-in caller. */
@Module({
  imports: [PassportModule, JwtModule.register({})],
  controllers: [AuthController, UsersController],
  providers: [
    // Bulk uploads are past the default JSON limit: their route gets its own parsers (BULK_BODY_LIMIT).
    bulkBodyParsers('IDENTITY_BULK_BODY_PARSER', ['/api/v1/users/bulk']),
    AccountsRepository,
    UsernameIndex,
    PasswordHasher,
    SessionStore,
    SignInLimiter,
    AuthService,
    JwtStrategy,
    // Access tokens passport-jwt verified, until they expire (the guard skips passport for them).
    { provide: VerifiedTokens, useFactory: () => new VerifiedTokens() },
    BootstrapAdmin,
    RegisterAccountHandler,
    OpenAccountHandler,
    BulkOpenAccountsHandler,
    UpdateProfileHandler,
    ManageAccountHandler,
    GetAccountHandler,
    GetMeHandler,
    ListImpersonationsHandler,
    { provide: APP_GUARD, useClass: AuthenticationGuard },
  ],
  exports: [AccountsRepository, UsernameIndex, PasswordHasher, AuthService],
})
export class IdentityModule {}
