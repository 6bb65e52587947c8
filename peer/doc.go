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
//   - A Store keeps Records and the invite links it met. IndexedStore
//     keeps the rules of every store (Merge, which keeps a min access hash
//     from overwriting a full one; a username belongs to one peer; a phone
//     number to one user) over an Index, the primitives of a storage
//     engine, as database/sql keeps its rules over drivers. MemoryStore is
//     an IndexedStore in memory bounded by LRU lists; package
//     peer/sqlitestore is a persistent one; package peer/storetest checks
//     any Store or Index.
//   - A Learner stores the users and chats of every result (Learner.Wrap,
//     an Invoker middleware) and update (Learner.Handler): min peers with
//     the message they were seen in, basic groups with the supergroup they
//     became. A Resolver's Learner (Resolver.Learner) leaves the
//     resolver's own calls to the resolver, which stores them itself.
//   - A Resolver looks in the store first and makes the cheapest correct
//     call otherwise, one call for concurrent lookups of one reference.
//     Its iterators, Dialogs, Participants and Messages, meet peers on
//     purpose.
//
// # References
//
// The grammar of ParseRef, with what each form resolves to:
//
//	reference                     example                                       names
//	Go integer                    777000, -123456, int64(-1001234567890)        a marked ID: user, basic chat, channel
//	negative decimal string       "-123456", "-1001234567890"                   a marked chat or channel ID
//	string of digits, with or     "393281234567", "+34 600 000 000",            a phone number, never a user ID
//	  without '+', spaces, dots,  "(555) 123-45.67"
//	  dashes, parentheses
//	tg://user?id=N                "tg://user?id=777000"                         a user ID, as a string
//	"me", "self"                  "me"                                          the account's own user
//	username                      "durov", "@Durov"                             a public username, any case
//	t.me link                     "t.me/durov", "telegram.dog/durov",           a public username
//	                              "https://telegram.me/durov", "durov.t.me",
//	                              "tg://resolve?domain=durov"
//	message link                  "t.me/durov/42", "t.me/c/1234567890/42",      its chat (t.me/c/ takes the unmarked ID)
//	                              "tg://privatepost?channel=1234567890&post=42"
//	invite link                   "t.me/+AbCd", "t.me/joinchat/AbCd",           the chat of the invite link
//	                              "tg://join?invite=AbCd"
//	phone link                    "t.me/+15551234567",                          a phone number
//	                              "tg://resolve?phone=15551234567"
//	Key                           peer.ChannelKey(1234567890)                   a raw ID of a kind
//	tg value                      *tg.PeerUser, *tg.InputPeerChannel,           itself, or its key
//	                              *tg.User, *tg.Chat, *tg.Channel, ...
//
// A string of digits is a phone number, as Pyrogram and Telethon read it;
// when no user has the number and the digits could be a user ID, the
// *PhoneError says how to pass the ID instead.
//
// # Resolution
//
// A username is answered from the store's username index while fresh
// (ResolverOptions.UsernameTTL), else by contacts.resolveUsername; a
// phone number from the store's phone index, else by contacts.resolvePhone
// and, when that finds no one, the account's contacts
// (contacts.getContacts with the hash of the list read last, at most once
// per ContactsInterval); an invite link from the links the store
// remembers (InviteTTL), else by messages.checkChatInvite; an ID from the
// store, else by users.getUsers, channels.getChannels (access hash 0) or
// messages.getChats. A min user or channel that only came with a message
// resolves to inputPeerUserFromMessage or inputPeerChannelFromMessage;
// a basic group that became a supergroup resolves to the supergroup
// (KeepMigratedChats keeps the old group).
//
// # Floods
//
// Telegram answers calls it wants fewer of with FLOOD_WAIT_X (or
// FLOOD_PREMIUM_WAIT_X): wait X seconds. A Resolver:
//
//   - waits out a flood and calls again when its waits stay within
//     ResolverOptions.MaxFloodWait (DefaultMaxFloodWait, a minute; negative
//     never waits), honouring the context, on ResolverOptions.Clock;
//   - otherwise returns a *FloodError{Method, Wait}, which wraps the
//     transport's error, and makes no call of that method until the wait
//     is over; iterators yield it, and resume at the page they stopped at
//     if the loop goes on;
//   - passes contacts.resolveUsername and contacts.resolvePhone through a
//     per-account limiter (ResolverOptions.Lookups, a *rate.Limiter of
//     golang.org/x/time/rate: by default DefaultLookupBurst at once, then
//     one every DefaultLookupInterval);
//   - answers a username that came back USERNAME_NOT_OCCUPIED or
//     USERNAME_INVALID with the same *UsernameError and no call for
//     UsernameMissTTL.
//
// # Errors
//
// Errors are typed and say what to do next: *NotFoundError (meet the peer
// first: by username, dialogs, members), *UsernameError, *PhoneError,
// *InviteError (all matching ErrNotFound), *NotMemberError (join the
// chat), *KindError (a user where a channel is needed, say) and
// *FloodError (wait).
//
// Telegram RPC errors are recognised by their type alone: any error in the
// chain with an IsType(string) bool method, such as gotd/td's
// *tgerr.Error, whose exported Type field, if it has one, is read too
// (FLOOD_WAIT_30 whole, or split into Type and Argument as gotd/td does).
// So this package needs neither gotd/td's MTProto client nor its error
// package.
package peer
