/**
 * The identity feature's read model as other features read it, inside their
 * TenantDb transaction (row-level security on): the names of accounts.
 * Set-wise (an array of ids in, one statement). Reports read `accounts` only
 * through here.
 */
import { knownRead, query, read, runRead, type Queryable, type Read } from '@learnstream/database';

export interface AccountName {
  userId: string;
  displayName: string | null;
}

/**
 * The display names of these accounts (those the reader may see), ordered by name (the database's
 * collation, accounts without one last) then id: a report lists people in this order.
 */
export function accountNamesRead(userIds: readonly string[]): Read<AccountName[]> {
  if (!userIds.length) return knownRead([]);
  return read(
    'SELECT user_id, display_name FROM accounts WHERE user_id = ANY ($1) ORDER BY display_name NULLS LAST, user_id',
    [userIds],
    (rows: { user_id: string; display_name: string | null }[]) => rows.map((r) => ({ userId: r.user_id, displayName: r.display_name })),
  );
}

export const readAccountNames = (db: Queryable, userIds: readonly string[]): Promise<AccountName[]> => runRead(db, accountNamesRead(userIds));

export interface AccountCountry {
  userId: string;
  /** ISO 3166-1 alpha-2, as the profile says now; null if none. */
  country: string | null;
}

/** The profile's country of these accounts (those the reader may see): usage statistics by country. */
export async function readAccountCountries(db: Queryable, userIds: readonly string[]): Promise<AccountCountry[]> {
  if (!userIds.length) return [];
  const rows = await query<{ user_id: string; country: string | null }>(db, 'SELECT user_id, country FROM accounts WHERE user_id = ANY ($1)', [userIds]);
  return rows.map((r) => ({ userId: r.user_id, country: r.country }));
}
