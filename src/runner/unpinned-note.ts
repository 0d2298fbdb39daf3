/**
 * The plan note of a trial that asked for pinning but ran without it, carrying why. It is a note
 * and not a noise reason: it holds for every trial on the machine, so re-measuring cannot clear it
 * and flagging it as noise would only blur which trials really measured unsteadily.
 */
const PREFIX = 'runs unpinned: ';

export function unpinnedNote(reason: string): string {
  return `${PREFIX}${reason}`;
}

/** Why a stored plan ran unpinned, or null when its notes do not say. */
export function unpinnedReasonIn(notes: readonly string[]): string | null {
  const note = notes.find((n) => n.startsWith(PREFIX));
  return note === undefined ? null : note.slice(PREFIX.length);
}
