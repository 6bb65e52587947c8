// Package pysession reads the sessions of Pyrogram and Telethon, the
// Python Telegram libraries, so that a program moving to Go keeps its
// login and the peers it knew: their .session SQLite files and their
// string sessions.
//
// What is read:
//
//   - Pyrogram's .session file (schema versions 1 to 3, and Kurigram's 4
//     to 6): the DC, the test flag, the auth key, the user ID and the bot
//     flag of the table sessions; every row of peers (marked IDs, access
//     hashes, types, usernames, phone numbers) with Kurigram's usernames;
//     Kurigram's update_state.
//   - Telethon's .session file (versions 1 to 7): the DC, server address,
//     port and auth key of sessions; every row of entities (marked IDs,
//     access hashes, usernames, phones, names), the account's own ID from
//     its row 0; update_state.
//   - Their string sessions: Pyrogram's three layouts (351, 356 and 362
//     characters) and Telethon's (353 or 369).
//
// Files are opened read-only and never changed; a file that is neither
// library's (another SQLite database, a tgraw session file, not a
// database at all) is a *FormatError that says what it is. Marked IDs are
// turned into peer keys by peer.ParseMarked; a row whose ID is of no
// known kind is left out and listed in Imported.Skipped.
//
// An imported auth key must not stay in use by the Python program: the
// same key used by two programs at once gets AUTH_KEY_DUPLICATED, and
// Telegram then revokes it.
package pysession

import (
	"context"
	"fmt"

	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/session"
)

// Imported is a session read from another library.
type Imported struct {
	// Format says what was read: "Pyrogram session file (schema version
	// 3)", "Telethon string session"...
	Format string
	// Session is the MTProto session: its DC, auth key, test flag, and
	// what the library knew of the account and its updates. The server
	// salt is not kept by either library: the client learns it at the
	// first call.
	Session *session.Session
	// Peers are the users, chats and channels the library stored.
	Peers []peer.Record
	// APIID is the api_id Pyrogram recorded, 0 if none. An auth key is
	// not bound to it.
	APIID int
	// Skipped lists the rows left out and why, one line each.
	Skipped []string
}

// FormatError reports a file or string that is not a session of the
// library asked for (or of either, when the format was to be found).
type FormatError struct {
	Source string // the path, or "string session"
	Reason string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("pysession: %s is not a Pyrogram or Telethon session: %s", e.Source, e.Reason)
}

// Save writes the session to sessions, replacing the one there, and
// merges the peers into peers (in batches). Either may be the same
// peer/sqlitestore file.
func (imp *Imported) Save(ctx context.Context, sessions session.Storage, peers peer.Store) error {
	if err := sessions.Save(ctx, imp.Session); err != nil {
		return fmt.Errorf("pysession: save the session: %w", err)
	}
	const batch = 500
	for i := 0; i < len(imp.Peers); i += batch {
		if err := peers.Put(ctx, imp.Peers[i:min(i+batch, len(imp.Peers))]...); err != nil {
			return fmt.Errorf("pysession: save the peers: %w", err)
		}
	}
	return nil
}

// markSelf marks the record of the account's user, if there is one.
func markSelf(recs []peer.Record, userID int64) {
	if userID == 0 {
		return
	}
	for i := range recs {
		if recs[i].Key == peer.UserKey(userID) {
			recs[i].Self = true
		}
	}
}
