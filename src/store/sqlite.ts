import Database from 'better-sqlite3';

/**
 * The one module that imports better-sqlite3: the rest of the store sees only these names, so a
 * change of driver or of its major version touches one file.
 */
export type Db = Database.Database;
export const openSqlite = (path: string, options: Database.Options): Db => new Database(path, options);
export const SqliteError = Database.SqliteError;
