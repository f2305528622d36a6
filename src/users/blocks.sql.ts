let aliases = 0;

/**
 * SQL for "no block between the viewer and the user in `userColumn`", in either direction,
 * for the list queries of other modules (docs/api.md, Blocking and account rights: blocked people's content is left out in
 * SQL, so pages stay full and cursors stable). The blocks table belongs to the users module;
 * this is the one way its SQL reaches other modules' queries. `viewerParam` names a query
 * parameter holding the viewer's id.
 */
export function noBlockBetween(viewerParam: string, userColumn: string): string {
  aliases = (aliases + 1) % 1_000_000;
  const b = `blk${aliases}`;
  return (
    `NOT EXISTS (SELECT 1 FROM blocks ${b} WHERE ` +
    `(${b}.blocker_id = :${viewerParam} AND ${b}.blocked_id = ${userColumn}) OR ` +
    `(${b}.blocker_id = ${userColumn} AND ${b}.blocked_id = :${viewerParam}))`
  );
}

/**
 * The same for statements with positional parameters (database/statements.ts): SQL that is
 * true when a block stands between the viewer and the user in `userColumn`, either way. It
 * takes the viewer's id twice: pass `[viewerId, viewerId]` (0 for nobody: no block matches).
 */
export function blockBetweenSql(userColumn: string): string {
  return (
    `EXISTS (SELECT 1 FROM blocks blk WHERE (blk.blocker_id = ? AND blk.blocked_id = ${userColumn})` +
    ` OR (blk.blocker_id = ${userColumn} AND blk.blocked_id = ?))`
  );
}

/**
 * SQL that is true when a block stands between the users in two columns of the same row,
 * either way (e.g. the two members of a chat room).
 */
export function blockBetweenColumnsSql(aColumn: string, bColumn: string): string {
  // two lookups of the primary key rather than one OR, which MariaDB answers by scanning
  return (
    `(EXISTS (SELECT 1 FROM blocks blk WHERE blk.blocker_id = ${aColumn} AND blk.blocked_id = ${bColumn})` +
    ` OR EXISTS (SELECT 1 FROM blocks blk WHERE blk.blocker_id = ${bColumn} AND blk.blocked_id = ${aColumn}))`
  );
}

/**
 * The id whose blocks a list must respect: the signed-in caller, unless an admin (admins see
 * everything) or anonymous.
 */
export function blockViewerId(
  viewer: { id: number; role: string } | undefined,
): number | undefined {
  return viewer && viewer.role !== 'admin' ? viewer.id : undefined;
}
