/**
 * Bulk account upload, in the style of Moodle's "Upload users": a school's
 * staff open many accounts in one request.
 *
 *   rows         what POST /users takes, one account each (no password: see below),
 *                with an optional occurredAt (history: the import permission)
 *   passwords    each account gets a temporary password, returned once in the
 *                answer and changed at first sign-in; it is stored as a
 *                SHA-256 (96 random bits need no slow hash), so no row pays
 *                argon2's sign-up cost inside the request. The new password of
 *                the first sign-in is hashed with argon2 as always.
 *   idempotent   a username that is already an account of this school, or
 *                an idNumber (external id) the school's accounts have, is
 *                `exists` (its id is given, nothing is written): the same
 *                upload sent again writes nothing and gives no new passwords
 *   validated    every row is checked first; mode all_or_nothing (default)
 *                refuses the upload (400 BULK_REJECTED, each row's problem in
 *                details); per_row opens the good rows
 *   fast         the usernames are claimed in one statement and every new user
 *                stream is appended in one atomic append
 */
import { Inject } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { query } from '@learnstream/database';
import type { DataSource } from 'typeorm';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { AccessPolicy, ForbiddenError, HistoricTime, occurredAtProblems, type Actor, type EventTime } from '@learnstream/access';
import { loadSchool } from '@learnstream/affiliations';
import { APP_CONFIG, type AppConfig } from '@learnstream/config';
import { DomainError } from '@learnstream/domain';
import type { NewAppend } from '@learnstream/event-store';
import { AccountsRepository, userStream } from '../accounts.repository';
import { PasswordHasher } from '../passwords';
import { UsernameIndex } from '../username-index';
import { checkOpening, idNumberRefusal, joinOf, openingEvents, type OpenAccountInput } from './open-account.command';

export type BulkAccountRow = Omit<OpenAccountInput, 'schoolId' | 'password'>;

export class BulkOpenAccountsCommand {
  constructor(
    readonly actor: Actor,
    readonly schoolId: string,
    readonly rows: BulkAccountRow[],
    readonly mode: 'all_or_nothing' | 'per_row' = 'all_or_nothing',
  ) {}
}

export interface BulkAccountResult {
  row: number;
  username: string;
  status: 'created' | 'exists' | 'refused';
  userId?: string;
  /** Shown once: the account must change it at first sign-in. */
  temporaryPassword?: string;
  code?: string;
  message?: string;
}

export interface BulkAccountsOutcome {
  schoolId: string;
  created: number;
  existing: number;
  refused: number;
  results: BulkAccountResult[];
}

@CommandHandler(BulkOpenAccountsCommand)
export class BulkOpenAccountsHandler implements ICommandHandler<BulkOpenAccountsCommand, BulkAccountsOutcome> {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly policy: AccessPolicy,
    private readonly accounts: AccountsRepository,
    private readonly usernames: UsernameIndex,
    private readonly time: HistoricTime,
    @Inject(getDataSourceToken()) private readonly db: DataSource,
  ) {}

  /** The accounts the school opened that have these external ids, by id. */
  private async byIdNumber(schoolId: string, idNumbers: string[]): Promise<Map<string, string>> {
    if (!idNumbers.length) return new Map();
    const rows = await query<{ id_number: string; user_id: string }>(this.db, 'SELECT id_number, user_id FROM accounts WHERE opened_in_school = $1 AND id_number = ANY ($2::text[])', [schoolId, idNumbers]);
    return new Map(rows.map((r) => [r.id_number, r.user_id]));
  }

  async execute({ actor, schoolId, rows, mode }: BulkOpenAccountsCommand): Promise<BulkAccountsOutcome> {
    const school = await loadSchool(this.accounts.log, schoolId);
    for (const role of new Set(rows.map((r) => r.role))) await this.policy.require(actor, { action: 'account.open', schoolId, role });
    // A row's idNumber finds the account holding it (`exists`, with its id): external ids are the school's admins', never shown to a teacher.
    if (rows.some((r) => r.idNumber != null) && !(await this.policy.can(actor, { action: 'school.manage', schoolId }))) {
      throw new ForbiddenError('only the school’s admins and platform admins may upload accounts with external ids (idNumber)');
    }
    const historic = rows.some((r) => r.occurredAt !== undefined);
    if (historic) await this.time.requireImport(actor, schoolId);
    const now = this.time.now();

    const results: BulkAccountResult[] = [];
    const planned: { index: number; userId: string; username: string; temporaryPassword: string; input: OpenAccountInput; checked: ReturnType<typeof checkOpening>; time: EventTime }[] = [];
    const seen = new Set<string>();
    const known = await this.usernames.findMany(rows.map((r) => r.username));
    const members = await this.policy.membersOf(schoolId, [...known.values()]);
    const knownIds = await this.byIdNumber(schoolId, [...new Set(rows.flatMap((r) => (r.idNumber == null ? [] : [r.idNumber.trim()])))]);
    const seenIds = new Set<string>();
    rows.forEach((row, index) => {
      const refuse = (code: string, message: string) => results.push({ row: index, username: row.username, status: 'refused', code, message });
      try {
        const input: OpenAccountInput = { ...row, schoolId };
        const checked = checkOpening(input, now, this.config);
        if (seen.has(checked.username)) return refuse('DUPLICATE_ROW', `username ${checked.username} is in the upload more than once`);
        seen.add(checked.username);
        if (checked.idNumber !== null && seenIds.has(checked.idNumber)) return refuse('DUPLICATE_ROW', `idNumber ${checked.idNumber} is in the upload more than once`);
        if (checked.idNumber !== null) seenIds.add(checked.idNumber);
        const existing = known.get(checked.username);
        const byId = checked.idNumber === null ? undefined : knownIds.get(checked.idNumber);
        if (byId !== undefined && existing !== undefined && byId !== existing) return refuse('IDNUMBER_TAKEN', 'another account of this school has this idNumber');
        if (byId !== undefined) return results.push({ row: index, username: checked.username, status: 'exists', userId: byId });
        if (existing) {
          if (members.has(existing)) return results.push({ row: index, username: checked.username, status: 'exists', userId: existing });
          return refuse('USERNAME_TAKEN', 'this username is taken');
        }
        const [bad] = row.occurredAt === undefined ? [] : occurredAtProblems(row.occurredAt, now, null);
        if (bad) return refuse(bad.code, bad.message);
        const time: EventTime = row.occurredAt === undefined ? { at: now.toISOString(), imported: false } : { at: new Date(row.occurredAt).toISOString(), imported: true };
        const userId = randomUUID();
        planned.push({ index, userId, username: checked.username, temporaryPassword: PasswordHasher.temporary(), input, checked, time });
        results.push({ row: index, username: checked.username, status: 'created', userId });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        refuse(error.code, error.message);
      }
    });
    const refusedRows = () => results.filter((r) => r.status === 'refused');
    if (mode === 'all_or_nothing' && refusedRows().length) {
      throw new DomainError('invalid', 'BULK_REJECTED', `${refusedRows().length} of ${rows.length} rows cannot be opened: nothing was written`, refusedRows().sort((a, b) => a.row - b.row));
    }

    // Usernames claimed in one statement; one taken meanwhile refuses its row (or, all or nothing, the upload).
    const claimed = await this.usernames.claimMany(planned.map((p) => ({ username: p.username, userId: p.userId })));
    const lost = planned.filter((p) => !claimed.has(p.userId));
    for (const p of lost) Object.assign(results.find((r) => r.row === p.index)!, { status: 'refused', userId: undefined, code: 'USERNAME_TAKEN', message: 'this username is taken' });
    const toWrite = planned.filter((p) => claimed.has(p.userId));
    try {
      if (mode === 'all_or_nothing' && lost.length) throw new DomainError('invalid', 'BULK_REJECTED', `${lost.length} usernames were taken meanwhile: nothing was written`, refusedRows());
      const appends: NewAppend[] = toWrite.map((p) => ({
        streamId: userStream(p.userId),
        events: openingEvents(this.accounts, actor, p.userId, p.input, p.checked, { passwordHash: PasswordHasher.temporaryHash(p.temporaryPassword), mustChangePassword: true }, joinOf(actor, p.userId, p.input, school, p.time), p.time),
        expectedRevision: 'no_stream',
      }));
      if (appends.length) await this.accounts.log.appendBatch(appends);
    } catch (error) {
      await this.usernames.releaseMany(toWrite.map((p) => p.userId));
      throw idNumberRefusal(error);
    }
    for (const p of toWrite) results.find((r) => r.row === p.index)!.temporaryPassword = p.temporaryPassword;
    results.sort((a, b) => a.row - b.row);
    const count = (status: BulkAccountResult['status']) => results.filter((r) => r.status === status).length;
    return { schoolId, created: count('created'), existing: count('exists'), refused: count('refused'), results };
  }
}
