/**
 * Migrations of the key store's database (KEYSTORE_DATABASE_URL), a list apart
 * from the event database's: the two databases are backed up and restored apart.
 */
import { KeyStore1733000500000 } from './1733000500000-key-store';

export const keyStoreMigrations = [KeyStore1733000500000];
