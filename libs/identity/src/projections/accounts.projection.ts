/**
 * The accounts read model: one row per user with their profile (decrypted:
 * read models hold personal data in clear and are deleted or anonymised on
 * erasure), platform roles, status and last sign-in.
 *
 * Erasure: the person's row is deleted; where they opened or vouched for
 * someone else's account, the erasure's anonymous id takes their place.
 * A cancelled account (the privacy feature's AccountCancelled) shows as such.
 *
 * Sessions end with the change that ends them, in the same transaction (the
 * append's, on PostgreSQL): a staff lock, a cancellation, a password change
 * and a withdrawn platform role revoke the user's open sessions, and those in
 * which they impersonated someone (endSessions). Only sessions opened before
 * the event: a replay or rebuild never ends a later session.
 */
import type { StoredEvent } from '@learnstream/event-store';
import { inRuns, type ErasedSubject, type Projection } from '@learnstream/projections/headless';
import type { EntityManager } from 'typeorm';
import type { AccountEvent, Profile } from '../account.events';

const COLUMNS: Record<keyof Profile, string> = {
  displayName: 'display_name',
  givenName: 'given_name',
  familyName: 'family_name',
  email: 'email',
  phone: 'phone',
  dateOfBirth: 'date_of_birth',
  gender: 'gender',
  nationalId: 'national_id',
  country: 'country',
  interests: 'interests',
};

/** Why a session ends, by the event that ends it (the revoked_reason of auth_sessions). */
function endsSessions(event: StoredEvent): string | null {
  switch (event.type) {
    case 'AccountLocked':
      return event.data.reason === 'staff' ? 'lock' : null;
    case 'AccountCancelled':
      return 'account_cancelled';
    case 'PasswordChanged':
      return event.data.reason === 'reset' ? 'reset_password' : 'password_changed';
    case 'PlatformRoleRevoked':
      return 'role';
    default:
      return null;
  }
}

/** Revokes the sessions of `userId` (and their impersonations) opened before `before`; the trigger on auth_sessions pushes each revocation at commit. */
async function endSessions(tx: EntityManager, userId: unknown, reason: string, before: Date): Promise<void> {
  await tx.query('UPDATE auth_sessions SET revoked_at = now(), revoked_reason = $2 WHERE (user_id = $1 OR real_actor_id = $1) AND revoked_at IS NULL AND created_at <= $3', [userId, reason, before]);
}

const value = (field: keyof Profile, v: unknown) => (field === 'interests' ? JSON.stringify(v ?? []) : (v ?? null));

/**
 * The rows of AccountCreated events, in one statement (a bulk upload opens a
 * thousand accounts in one append): the columns are read from one JSON array
 * by the table's own types (jsonb_populate_recordset). A replay adds nothing.
 */
async function insertAccounts(events: StoredEvent[], tx: EntityManager): Promise<void> {
  const fields = Object.keys(COLUMNS) as (keyof Profile)[];
  const rows = events.map((event) => {
    const d = event.data as Extract<AccountEvent, { type: 'AccountCreated' }>['data'];
    const p = d.profile as Record<keyof Profile, unknown>;
    const at = new Date(event.envelope.occurredAt).toISOString();
    return {
      user_id: d.userId,
      username: (d.username as string | null) ?? '(erased)',
      ...Object.fromEntries(fields.map((f) => [COLUMNS[f], f === 'interests' ? (p[f] ?? []) : (p[f] ?? null)])),
      platform_roles: d.platformRoles,
      status: 'active',
      origin: d.origin,
      opened_by: d.openedBy,
      opened_in_school: event.envelope.schoolId,
      consent_recorded: d.consent ?? null,
      must_change_password: d.mustChangePassword,
      id_number: d.idNumber ?? null,
      created_at: at,
      updated_at: at,
    };
  });
  const columns = Object.keys(rows[0]).join(', ');
  await tx.query(`INSERT INTO accounts (${columns}) SELECT ${columns} FROM jsonb_populate_recordset(NULL::accounts, $1::jsonb) ON CONFLICT (user_id) DO NOTHING`, [JSON.stringify(rows)]);
}

export class AccountsProjection implements Projection {
  readonly name = 'accounts';
  readonly inline = true;
  readonly eventTypes = ['AccountCreated', 'ProfileUpdated', 'PasswordChanged', 'UserLoggedIn', 'AccountLocked', 'AccountUnlocked', 'PlatformRoleGranted', 'PlatformRoleRevoked', 'ParentalConsentGiven', 'ParentalConsentWithdrawn', 'AccountCancelled'];

  async handle(event: StoredEvent, tx: EntityManager): Promise<void> {
    const e = { type: event.type, data: event.data } as AccountEvent;
    const at = new Date(event.envelope.occurredAt);
    const ends = endsSessions(event);
    if (ends) await endSessions(tx, event.data.userId, ends, event.recordedAt);
    // Parental consent (the affiliations feature's events on the child's stream) shows on the child's account.
    if (event.type === 'ParentalConsentGiven' || event.type === 'ParentalConsentWithdrawn') {
      // inForceSince: since when some parent's consent has been in force (null once none is left).
      const since = event.data.inForceSince as string | null;
      await tx.query('UPDATE accounts SET parental_consent_at = $2, updated_at = $3 WHERE user_id = $1', [event.data.childId, since ? new Date(since) : null, at]);
      return;
    }
    if (event.type === 'AccountCancelled') {
      await tx.query(`UPDATE accounts SET status = 'cancelled', updated_at = $2 WHERE user_id = $1`, [event.data.userId, at]);
      return;
    }
    switch (e.type) {
      case 'AccountCreated':
        await insertAccounts([event], tx);
        return;
      case 'ProfileUpdated': {
        const entries = Object.entries(e.data.changes).filter(([f]) => f in COLUMNS) as [keyof Profile, unknown][];
        if (!entries.length) return;
        await tx.query(`UPDATE accounts SET ${entries.map(([f], i) => `${COLUMNS[f]} = $${i + 2}`).join(', ')}, updated_at = $${entries.length + 2} WHERE user_id = $1`, [
          e.data.userId,
          ...entries.map(([f, v]) => value(f, v)),
          at,
        ]);
        return;
      }
      case 'PasswordChanged':
        await tx.query('UPDATE accounts SET must_change_password = $2, updated_at = $3 WHERE user_id = $1', [e.data.userId, e.data.mustChangePassword, at]);
        return;
      case 'UserLoggedIn':
        await tx.query('UPDATE accounts SET last_login_at = $2 WHERE user_id = $1', [e.data.userId, at]);
        return;
      case 'AccountLocked':
        await tx.query(`UPDATE accounts SET status = $2, updated_at = $3 WHERE user_id = $1`, [e.data.userId, e.data.reason === 'staff' ? 'locked' : 'locked_temporarily', at]);
        return;
      case 'AccountUnlocked':
        await tx.query(`UPDATE accounts SET status = 'active', updated_at = $2 WHERE user_id = $1`, [e.data.userId, at]);
        return;
      case 'PlatformRoleGranted':
        await tx.query(`UPDATE accounts SET platform_roles = array(SELECT DISTINCT unnest(platform_roles || $2::text)), updated_at = $3 WHERE user_id = $1`, [e.data.userId, e.data.role, at]);
        return;
      case 'PlatformRoleRevoked':
        await tx.query(`UPDATE accounts SET platform_roles = array_remove(platform_roles, $2::text), updated_at = $3 WHERE user_id = $1`, [e.data.userId, e.data.role, at]);
        return;
      case 'LoginFailed':
      case 'UserLoggedOut':
      case 'ImpersonationStarted':
      case 'ImpersonationEnded':
        return; // not in this read model (and not in eventTypes)
    }
  }

  /** handle() event by event, but each run of AccountCreated is one statement. */
  async handleBatch(events: StoredEvent[], tx: EntityManager): Promise<void> {
    await inRuns(events, 'AccountCreated', (run) => insertAccounts(run, tx), (event) => this.handle(event, tx));
  }

  async reset(tx: EntityManager): Promise<void> {
    await tx.query('DELETE FROM accounts');
  }

  async forgetSubject({ userId, anonymousId }: ErasedSubject, tx: EntityManager): Promise<void> {
    await tx.query('DELETE FROM accounts WHERE user_id = $1', [userId]);
    await tx.query('UPDATE accounts SET opened_by = $2 WHERE opened_by = $1', [userId, anonymousId]);
    await tx.query(
      `UPDATE accounts SET consent_recorded = jsonb_set(consent_recorded, '{recordedBy}', to_jsonb($2::text)) WHERE consent_recorded->>'recordedBy' = $1::text`,
      [userId, anonymousId],
    );
  }
}
