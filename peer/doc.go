// Package peer turns what a person has (a username, a t.me link, a phone
// number, a Bot API style ID, a tg value) into the InputPeer, InputUser and
// InputChannel values that raw calls take, and remembers every peer it has
// seen so that it rarely needs to ask Telegram.
//
// The pieces:
//
//   - Key and the marked-ID conversions (ParseMarked, Key.Marked) follow
//     TDLib's ranges, monoforums and secret chats included.
//   - ParseRef parses a reference into a Query with no network call; bad
//     input fails there with a *RefError.
//   - A Store keeps Records; Merge is the one place of the rules that keep
//     a min access hash from overwriting a full one. MemoryStore is an
//     in-memory Store bounded by LRU lists; package peer/sqlitestore is a
//     persistent one; package peer/storetest checks any Store.
//   - A Learner stores the users and chats of every result (Learner.Wrap,
//     an Invoker middleware) and update (Learner.Handler).
//   - A Resolver looks in the store first and makes the cheapest correct
//     call otherwise, one call for concurrent lookups of one reference.
//     Its iterators, Dialogs, Participants and Messages, meet peers on
//     purpose.
//
// Errors are typed and say what to do next: *NotFoundError (meet the peer
// first: by username, dialogs, members), *UsernameError, *PhoneError,
// *InviteError (all matching ErrNotFound), *NotMemberError (join the chat)
// and *KindError (a user where a channel is needed, say).
//
// Telegram RPC errors are recognised by their IsType(string) bool method,
// which gotd/td's tgerr.Error has, so this package needs neither gotd/td's
// MTProto client nor its error package.
package peer
