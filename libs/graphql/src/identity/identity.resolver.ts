/**
 * Identity over GraphQL: the same command, query and AuthService calls as the
 * REST controllers (users.controller.ts, auth.controller.ts), nothing more.
 * The global AuthenticationGuard protects every field not marked @Public();
 * the policy inside each handler decides who may do what.
 */
import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { AccessPolicy, CurrentActor, CurrentRequest, Public, type Actor, type PlatformRole } from '@learnstream/access';
import { SignInRoute, type RequestContext } from '@learnstream/core';
import { AuthService, GetAccountQuery } from '@learnstream/identity';
import { GetMeQuery } from '@learnstream/identity';
import { ListImpersonationsQuery } from '@learnstream/identity';
import { ManageAccountCommand } from '@learnstream/identity';
import { OpenAccountCommand } from '@learnstream/identity';
import { RegisterAccountCommand } from '@learnstream/identity';
import { UpdateProfileCommand } from '@learnstream/identity';
import { PlatformRoleEnum } from '../enums';
import { IdArg } from '../id-arg';
import {
  AccountObject,
  ChangePasswordInput,
  ImpersonateInput,
  ImpersonationObject,
  LoginInput,
  MeObject,
  OpenAccountInput,
  OpenedAccountObject,
  PasswordResetObject,
  RefreshInput,
  RegisteredAccountObject,
  RegisterInput,
  TokenPairObject,
  UpdateProfileInput,
} from './identity.types';

/** Top-level fields are nullable: one refused field nulls itself, not the whole response. */
const nullable = { nullable: true } as const;

@Resolver()
export class IdentityResolver {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly auth: AuthService,
    private readonly policy: AccessPolicy,
  ) {}

  @Query(() => MeObject, { ...nullable, description: 'the signed-in caller' })
  me(@CurrentActor() actor: Actor) {
    return this.queries.execute(new GetMeQuery(actor));
  }

  @Query(() => AccountObject, { ...nullable, description: 'an account (personal data: staff reads are audited)' })
  user(@CurrentActor() actor: Actor, @IdArg('id') id: string) {
    return this.queries.execute(new GetAccountQuery(actor, id));
  }

  @Query(() => [ImpersonationObject], { ...nullable, description: 'every support session that acted as this user: who, when, why' })
  impersonations(@CurrentActor() actor: Actor, @IdArg('userId') userId: string) {
    return this.queries.execute(new ListImpersonationsQuery(actor, userId));
  }

  @Public()
  @SignInRoute()
  @Mutation(() => RegisteredAccountObject, { ...nullable, description: 'self-registration of a general user; sign in with login' })
  register(@Args('input') input: RegisterInput, @CurrentRequest() request: RequestContext | null) {
    return this.commands.execute(new RegisterAccountCommand(input, request));
  }

  @Public()
  @SignInRoute()
  @Mutation(() => TokenPairObject, nullable)
  login(@Args('input') input: LoginInput, @CurrentRequest() request: RequestContext | null) {
    return this.auth.login(input.username, input.password, request);
  }

  @Public()
  @SignInRoute()
  @Mutation(() => TokenPairObject, { ...nullable, description: 'a new access token and a new refresh token; the old refresh token is spent' })
  refresh(@Args('input') input: RefreshInput) {
    return this.auth.refresh(input.refreshToken);
  }

  @Mutation(() => Boolean, { ...nullable, description: 'ends the session; its refresh token no longer works' })
  async logout(@CurrentActor() actor: Actor) {
    await this.auth.logout(actor);
    return true;
  }

  @Public()
  @SignInRoute()
  @Mutation(() => Boolean, { ...nullable, description: 'a new password, proven by the current one; ends every session of the user' })
  async changePassword(@Args('input') input: ChangePasswordInput, @CurrentRequest() request: RequestContext | null) {
    await this.auth.changePassword(input.username, input.currentPassword, input.newPassword, request);
    return true;
  }

  @Mutation(() => OpenedAccountObject, { ...nullable, description: 'an account opened by school staff, affiliated to the school' })
  openAccount(@CurrentActor() actor: Actor, @Args('input') input: OpenAccountInput) {
    return this.commands.execute(new OpenAccountCommand(actor, input));
  }

  @Mutation(() => Boolean, { ...nullable, description: 'corrects the profile (rectification)' })
  async updateProfile(@CurrentActor() actor: Actor, @IdArg('userId') userId: string, @Args('input') input: UpdateProfileInput) {
    await this.commands.execute(new UpdateProfileCommand(actor, userId, input));
    return true;
  }

  @Mutation(() => PasswordResetObject, { ...nullable, description: "a temporary password, shown once; the user's sessions end" })
  resetPassword(@CurrentActor() actor: Actor, @IdArg('userId') userId: string) {
    return this.commands.execute(new ManageAccountCommand(actor, userId, { kind: 'reset_password' }));
  }

  @Mutation(() => Boolean, { ...nullable, description: 'locks the account until unlocked; its sessions end' })
  async lockUser(@CurrentActor() actor: Actor, @IdArg('userId') userId: string) {
    await this.commands.execute(new ManageAccountCommand(actor, userId, { kind: 'lock' }));
    return true;
  }

  @Mutation(() => Boolean, nullable)
  async unlockUser(@CurrentActor() actor: Actor, @IdArg('userId') userId: string) {
    await this.commands.execute(new ManageAccountCommand(actor, userId, { kind: 'unlock' }));
    return true;
  }

  @Mutation(() => Boolean, { ...nullable, description: 'platform admins only' })
  async grantPlatformRole(@CurrentActor() actor: Actor, @IdArg('userId') userId: string, @Args('role', { type: () => PlatformRoleEnum }) role: PlatformRole) {
    await this.commands.execute(new ManageAccountCommand(actor, userId, { kind: 'role', role, grant: true }));
    return true;
  }

  @Mutation(() => Boolean, { ...nullable, description: 'platform admins only' })
  async revokePlatformRole(@CurrentActor() actor: Actor, @IdArg('userId') userId: string, @Args('role', { type: () => PlatformRoleEnum }) role: PlatformRole) {
    await this.commands.execute(new ManageAccountCommand(actor, userId, { kind: 'role', role, grant: false }));
    return true;
  }

  @Mutation(() => TokenPairObject, { ...nullable, description: 'an access token acting as the user; every event in it carries realActorId' })
  async impersonate(@CurrentActor() actor: Actor, @Args('input') input: ImpersonateInput) {
    await this.policy.require(actor, { action: 'user.impersonate', userId: input.userId });
    return this.auth.impersonate(actor, input.userId, input.reason);
  }
}
