import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags, ApiOperation } from '@nestjs/swagger';
import { AccessPolicy, CurrentActor, CurrentRequest, Public, type Actor } from '@learnstream/access';
import { ApiErrors, SignInRoute, type RequestContext } from '@learnstream/core';
import { RegisterAccountCommand } from '../commands/register-account.command';
import { ChangePasswordDto, ImpersonateDto, LoginDto, RefreshDto, RegisterDto, TokenPairDto } from '../dto';
import { RegisteredAccountResponse } from '../responses';
import { AuthService } from './auth.service';

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly commands: CommandBus,
    private readonly policy: AccessPolicy,
  ) {}

  @Public()
  @SignInRoute()
  @Post('register')
  @ApiOperation({ summary: 'Register an account (when self-registration is open)' })
  @ApiCreatedResponse({ type: RegisteredAccountResponse, description: 'the account is created; sign in with POST /auth/login' })
  @ApiErrors({ 400: ['VALIDATION_FAILED', 'WEAK_PASSWORD'], 409: ['USERNAME_TAKEN'] }, { signedIn: false })
  register(@Body() body: RegisterDto, @CurrentRequest() request: RequestContext | null): Promise<RegisteredAccountResponse> {
    return this.commands.execute(new RegisterAccountCommand(body, request));
  }

  @Public()
  @SignInRoute()
  @Post('login')
  @ApiOperation({ summary: 'Sign in: an access token and a refresh token' })
  @HttpCode(200)
  @ApiOkResponse({ type: TokenPairDto })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 401: ['INVALID_CREDENTIALS'], 403: ['ACCOUNT_LOCKED', 'PASSWORD_EXPIRED', 'PASSWORD_CHANGE_REQUIRED'], 429: ['TOO_MANY_REQUESTS'] }, { signedIn: false })
  login(@Body() body: LoginDto, @CurrentRequest() request: RequestContext | null) {
    return this.auth.login(body.username, body.password, request);
  }

  @Public()
  @SignInRoute()
  @Post('refresh')
  @ApiOperation({ summary: 'Exchange a refresh token for new tokens' })
  @HttpCode(200)
  @ApiOkResponse({ type: TokenPairDto, description: 'a new access token and a new refresh token; the old refresh token is spent' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 401: ['REFRESH_TOKEN_INVALID', 'REFRESH_TOKEN_EXPIRED', 'REFRESH_TOKEN_REUSED', 'SESSION_REVOKED'] }, { signedIn: false })
  refresh(@Body() body: RefreshDto) {
    return this.auth.refresh(body.refreshToken);
  }

  @Post('logout')
  @ApiOperation({ summary: 'Sign out: end the session' })
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiNoContentResponse({ description: 'the session is ended; its refresh token no longer works' })
  @ApiErrors({})
  async logout(@CurrentActor() actor: Actor) {
    await this.auth.logout(actor);
  }

  @Public()
  @SignInRoute()
  @Post('password')
  @ApiOperation({ summary: 'Change one\'s password' })
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'the password is changed and every session of the user is ended' })
  @ApiErrors({ 400: ['VALIDATION_FAILED', 'WEAK_PASSWORD'], 401: ['INVALID_CREDENTIALS'], 403: ['ACCOUNT_LOCKED'] }, { signedIn: false })
  async changePassword(@Body() body: ChangePasswordDto, @CurrentRequest() request: RequestContext | null) {
    await this.auth.changePassword(body.username, body.currentPassword, body.newPassword, request);
  }

  @Post('impersonate')
  @ApiOperation({ summary: 'Act as another user (support session)' })
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOkResponse({ type: TokenPairDto, description: 'an access token acting as the user; every event in it carries realActorId' })
  @ApiErrors({ 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['USER_NOT_FOUND'] })
  async impersonate(@CurrentActor() actor: Actor, @Body() body: ImpersonateDto) {
    await this.policy.require(actor, { action: 'user.impersonate', userId: body.userId });
    return this.auth.impersonate(actor, body.userId, body.reason);
  }
}
