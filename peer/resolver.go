package peer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"golang.org/x/time/rate"

	"github.com/tgraw/tgraw/tg"
)

// Defaults of ResolverOptions.
const (
	// DefaultUsernameTTL is how long a username seen on a peer is trusted
	// before it is resolved again, as TDLib does.
	DefaultUsernameTTL = 24 * time.Hour
	// DefaultUsernameMissTTL is how long a username that Telegram reported
	// as not occupied or invalid is answered with the same error and no
	// call.
	DefaultUsernameMissTTL = 15 * time.Minute
	// DefaultInviteTTL is how long the chat an invite link led to is
	// answered from the store.
	DefaultInviteTTL = 24 * time.Hour
	// DefaultContactsInterval is the shortest time between two reads of the
	// account's contact list for phone numbers contacts.resolvePhone does
	// not find.
	DefaultContactsInterval = time.Minute
)

// maxMisses bounds the usernames remembered as missing.
const maxMisses = 10_000

// ResolverOptions configure a Resolver. The zero value gives the defaults;
// a negative duration turns its feature off.
type ResolverOptions struct {
	// UsernameTTL is how long a username seen on a peer is trusted without
	// asking Telegram again. Zero means DefaultUsernameTTL; a negative TTL
	// always asks.
	UsernameTTL time.Duration
	// UsernameMissTTL is how long a username that came back
	// USERNAME_NOT_OCCUPIED or USERNAME_INVALID is answered with the same
	// *UsernameError and no call. Zero means DefaultUsernameMissTTL; a
	// negative TTL always asks.
	UsernameMissTTL time.Duration
	// InviteTTL is how long the chat an invite link led to
	// (chatInviteAlready, chatInvitePeek) is answered from the store with
	// no call of messages.checkChatInvite. Zero means DefaultInviteTTL; a
	// negative TTL always asks.
	InviteTTL time.Duration
	// ContactsInterval is the shortest time between two reads of the
	// account's contacts (contacts.getContacts) when contacts.resolvePhone
	// answers PHONE_NOT_OCCUPIED: a contact whose number is hidden from
	// resolvePhone is still in the list. Zero means
	// DefaultContactsInterval; a negative interval never reads them.
	ContactsInterval time.Duration
	// MaxFloodWait is the longest FLOOD_WAIT (or FLOOD_PREMIUM_WAIT) the
	// Resolver waits out, in all, before it retries a call; a longer one
	// is returned as a *FloodError. The waits honour the context. Zero
	// means DefaultMaxFloodWait; a negative value never waits.
	MaxFloodWait time.Duration
	// Lookups limits the calls of contacts.resolveUsername and
	// contacts.resolvePhone, the lookups Telegram floods most readily: a
	// call waits (honouring its context) until the limiter allows it.
	// Give every Resolver of one account the same limiter. Nil means a
	// limiter of the Resolver's own allowing DefaultLookupBurst lookups at
	// once and one every DefaultLookupInterval after that;
	// rate.NewLimiter(rate.Inf, 0) turns limiting off.
	Lookups *rate.Limiter
	// KeepMigratedChats makes a basic group that became a supergroup
	// resolve to the old group itself (inputPeerChat) rather than to the
	// supergroup. Passing a *tg.InputPeerChat does so for one reference.
	KeepMigratedChats bool
	// OnLearnError, if not nil, receives the errors of the store met by
	// the resolver's Learner as middleware or update handler, where they
	// cannot be returned.
	OnLearnError func(error)
	// Clock is the clock of the TTLs, the limiter and the flood waits. Nil
	// means SystemClock().
	Clock Clock
	// PageSize is how many dialogs Dialogs asks for per call. Zero means
	// 100, the most Telegram returns.
	PageSize int
}

// Resolver turns references (see ParseRef) into the InputPeer, InputUser
// and InputChannel values of raw calls. It looks in its Store first and
// makes the cheapest correct call only when the store cannot answer:
//
//   - a username: contacts.resolveUsername (after the store's username
//     index, whose entries expire after the username TTL, and the
//     usernames that recently came back as not occupied);
//   - a phone number: contacts.resolvePhone, then the account's contacts
//     (contacts.getContacts) if it finds no one;
//   - an invite link: messages.checkChatInvite (after the invite links
//     the store remembers);
//   - a user or channel ID the store has no hash for: users.getUsers or
//     channels.getChannels with access hash 0 (which works for bots and
//     for peers the server lets the account see);
//   - a basic chat ID the store has not met: messages.getChats. A basic
//     group that became a supergroup resolves to the supergroup.
//
// Concurrent resolutions of one reference make one call. Every result is
// stored, so the next resolution is served from the store.
//
// Username and phone lookups pass a per-account rate limiter. A call
// answered with FLOOD_WAIT_X is retried after X seconds when the waits
// stay within MaxFloodWait, and otherwise fails with a *FloodError; until
// the wait is over, calls of that method fail at once with the time left.
//
// A Resolver is safe for concurrent use.
type Resolver struct {
	api     *tg.Client
	store   Store
	learner *Learner
	clock   Clock
	opts    ResolverOptions
	calls   group[tg.InputPeerClass]
	misses  missCache
	contact contactList
}

// NewResolver returns a Resolver that calls Telegram through inv and keeps
// peers in store. The Resolver stores what its own calls return; its
// Learner (Resolver.Learner) stores what other calls and updates bring:
//
//	r := peer.NewResolver(client, store, peer.ResolverOptions{})
//	api := tg.NewClient(r.Learner().Wrap(client))
//
// inv may be wrapped by a Learner too: a Learner on the same store leaves
// the Resolver's calls to it, so each result is stored once.
func NewResolver(inv tg.Invoker, store Store, opts ResolverOptions) *Resolver {
	if opts.UsernameTTL == 0 {
		opts.UsernameTTL = DefaultUsernameTTL
	}
	if opts.UsernameMissTTL == 0 {
		opts.UsernameMissTTL = DefaultUsernameMissTTL
	}
	if opts.InviteTTL == 0 {
		opts.InviteTTL = DefaultInviteTTL
	}
	if opts.ContactsInterval == 0 {
		opts.ContactsInterval = DefaultContactsInterval
	}
	if opts.MaxFloodWait == 0 {
		opts.MaxFloodWait = DefaultMaxFloodWait
	}
	if opts.Lookups == nil {
		opts.Lookups = newLookupLimiter()
	}
	if opts.Clock == nil {
		opts.Clock = SystemClock()
	}
	if opts.PageSize <= 0 {
		opts.PageSize = dialogsPage
	}
	// The Resolver stores the results of its calls itself, and marks
	// them so that a Learner on the same store in inv leaves them be.
	inv = storingInvoker{next: inv, store: store}
	r := &Resolver{
		api:     tg.NewClient(newFloodGuard(inv, opts.Clock, opts.MaxFloodWait)),
		store:   store,
		learner: NewLearner(store, opts.OnLearnError),
		clock:   opts.Clock,
		opts:    opts,
	}
	r.misses.init(maxMisses)
	return r
}

// Store returns the resolver's store.
func (r *Resolver) Store() Store { return r.store }

// Learner returns the Learner on the resolver's store, for wrapping the
// Invoker of other calls (Learner.Wrap) and the update handler
// (Learner.Handler). Errors of the store that the Learner cannot return
// go to ResolverOptions.OnLearnError.
func (r *Resolver) Learner() *Learner { return r.learner }

// ResolvePeer returns the InputPeer of the peer that ref names. ref is
// anything ParseRef accepts. A bad reference gives a *RefError before any
// call; a peer that cannot be found gives an error matching ErrNotFound
// (*NotFoundError, *UsernameError, *PhoneError or *InviteError); an invite
// to a chat the account is not in gives a *NotMemberError; a flood wait
// longer than ResolverOptions.MaxFloodWait gives a *FloodError.
func (r *Resolver) ResolvePeer(ctx context.Context, ref any) (tg.InputPeerClass, error) {
	q, err := ParseRef(ref)
	if err != nil {
		return nil, err
	}
	if obj, ok := ref.(tg.Object); ok && isPeerObject(obj) {
		// A User, Chat or Channel value teaches the store about itself.
		if err := r.learner.Learn(ctx, obj); err != nil {
			return nil, err
		}
	}
	return r.Resolve(ctx, q)
}

// ResolveUser is ResolvePeer for calls that take an InputUser. A peer that
// is not a user gives a *KindError.
func (r *Resolver) ResolveUser(ctx context.Context, ref any) (tg.InputUserClass, error) {
	p, err := r.ResolvePeer(ctx, ref)
	if err != nil {
		return nil, err
	}
	return InputUser(p)
}

// ResolveChannel is ResolvePeer for calls that take an InputChannel. A peer
// that is not a channel or supergroup gives a *KindError.
func (r *Resolver) ResolveChannel(ctx context.Context, ref any) (tg.InputChannelClass, error) {
	p, err := r.ResolvePeer(ctx, ref)
	if err != nil {
		return nil, err
	}
	return InputChannel(p)
}

// Resolve returns the InputPeer of a parsed query.
func (r *Resolver) Resolve(ctx context.Context, q Query) (tg.InputPeerClass, error) {
	switch q.Kind {
	case QueryInput:
		return q.Input, nil
	case QuerySelf:
		return &tg.InputPeerSelf{}, nil
	case QueryPeer:
		return r.resolveKey(ctx, q.Key)
	case QueryUsername:
		if p, ok, err := r.fromUsernameIndex(ctx, q.Username); err != nil || ok {
			return p, err
		}
		if err := r.misses.get(q.Username, r.clock.Now()); err != nil {
			return nil, err
		}
		return r.calls.do(ctx, "u:"+q.Username,
			func(ctx context.Context) (tg.InputPeerClass, error) { return r.resolveUsername(ctx, q.Username) })
	case QueryPhone:
		if p, ok, err := r.fromPhoneIndex(ctx, q.Phone); err != nil || ok {
			return p, err
		}
		return r.calls.do(ctx, "p:"+q.Phone,
			func(ctx context.Context) (tg.InputPeerClass, error) { return r.resolvePhone(ctx, q.Phone) })
	case QueryInvite:
		if p, ok, err := r.fromInvites(ctx, q.Invite); err != nil || ok {
			return p, err
		}
		return r.calls.do(ctx, "i:"+q.Invite,
			func(ctx context.Context) (tg.InputPeerClass, error) { return r.checkInvite(ctx, q.Invite) })
	}
	return nil, refErr(q.String(), "query of unknown kind")
}

// resolveKey returns the InputPeer of the peer named by key: from the
// store, or with one call.
func (r *Resolver) resolveKey(ctx context.Context, key Key) (tg.InputPeerClass, error) {
	rec, found, err := r.store.Peer(ctx, key)
	if err != nil {
		return nil, err
	}
	if found {
		if p, ok, err := r.fromRecord(ctx, rec); err != nil || ok {
			return p, err
		}
	}
	return r.calls.do(ctx, "k"+strconv.Itoa(int(key.Kind))+":"+strconv.FormatInt(key.ID, 10),
		func(ctx context.Context) (tg.InputPeerClass, error) { return r.fetchKey(ctx, key) })
}

// fromRecord returns the InputPeer of a stored record if it has what it
// takes; a basic group that became a supergroup leads to the supergroup,
// resolved in turn.
func (r *Resolver) fromRecord(ctx context.Context, rec Record) (tg.InputPeerClass, bool, error) {
	if to := rec.MigratedTo; rec.Key.Kind == KindChat && to != 0 && !r.opts.KeepMigratedChats {
		channel := ChannelKey(to)
		if err := channel.Validate(); err == nil {
			p, err := r.resolveKey(ctx, channel)
			if err != nil {
				return nil, false, fmt.Errorf("peer: basic group %d became supergroup %v: %w", rec.Key.ID, channel, err)
			}
			return p, true, nil
		}
	}
	p, ok := r.inputOf(ctx, rec, 0)
	return p, ok, nil
}

// fromUsernameIndex answers a username from the store while its entry is
// fresh.
func (r *Resolver) fromUsernameIndex(ctx context.Context, username string) (tg.InputPeerClass, bool, error) {
	rec, seen, found, err := r.store.Username(ctx, username)
	if err != nil || !found || !fresh(r.clock.Now(), seen, r.opts.UsernameTTL) {
		return nil, false, err
	}
	return r.fromRecord(ctx, rec)
}

// fromPhoneIndex answers a phone number from the store.
func (r *Resolver) fromPhoneIndex(ctx context.Context, phone string) (tg.InputPeerClass, bool, error) {
	rec, found, err := r.store.Phone(ctx, phone)
	if err != nil || !found {
		return nil, false, err
	}
	return r.fromRecord(ctx, rec)
}

// fromInvites answers an invite link from the store while its entry is
// fresh.
func (r *Resolver) fromInvites(ctx context.Context, hash string) (tg.InputPeerClass, bool, error) {
	rec, seen, found, err := r.store.Invite(ctx, hash)
	if err != nil || !found || !fresh(r.clock.Now(), seen, r.opts.InviteTTL) {
		return nil, false, err
	}
	return r.fromRecord(ctx, rec)
}

// fresh reports whether an entry seen at seen is younger than ttl at now.
func fresh(now, seen time.Time, ttl time.Duration) bool {
	return ttl >= 0 && now.Sub(seen) < ttl
}

// inputOf builds the InputPeer of a stored record, if it has what it
// takes: a full hash, or the message context of a min peer whose chat can
// be built in turn.
func (r *Resolver) inputOf(ctx context.Context, rec Record, depth int) (tg.InputPeerClass, bool) {
	k := rec.Key
	switch {
	case k.Kind == KindChat:
		return &tg.InputPeerChat{ChatID: k.ID}, true
	case rec.Self && k.Kind == KindUser:
		return &tg.InputPeerSelf{}, true
	case rec.HasHash && !rec.Min && k.Kind == KindUser:
		return &tg.InputPeerUser{UserID: k.ID, AccessHash: rec.AccessHash}, true
	case rec.HasHash && !rec.Min && k.Kind == KindChannel:
		return &tg.InputPeerChannel{ChannelID: k.ID, AccessHash: rec.AccessHash}, true
	case rec.FromMessage.MsgID == 0 || depth > 1:
		return nil, false
	}
	// A min peer, seen in a message of a chat we can address.
	chat, found, err := r.store.Peer(ctx, rec.FromMessage.Peer)
	if err != nil || !found {
		return nil, false
	}
	in, ok := r.inputOf(ctx, chat, depth+1)
	if !ok {
		return nil, false
	}
	if k.Kind == KindUser {
		return &tg.InputPeerUserFromMessage{Peer: in, MsgID: rec.FromMessage.MsgID, UserID: k.ID}, true
	}
	return &tg.InputPeerChannelFromMessage{Peer: in, MsgID: rec.FromMessage.MsgID, ChannelID: k.ID}, true
}

// learned stores the peers of a response and returns the InputPeer of key,
// from the store (which merges what it knew) or else from the response.
func (r *Resolver) learned(ctx context.Context, key Key, recs []Record) (tg.InputPeerClass, error) {
	if err := r.store.Put(ctx, recs...); err != nil {
		return nil, fmt.Errorf("peer: storing the result for %v: %w", key, err)
	}
	if rec, found, err := r.store.Peer(ctx, key); err == nil && found {
		if p, ok, err := r.fromRecord(ctx, rec); err != nil || ok {
			return p, err
		}
	}
	for _, rec := range recs {
		if rec.Key == key {
			if p, ok := r.inputOf(ctx, rec, 0); ok {
				return p, nil
			}
		}
	}
	return nil, &NotFoundError{Key: key}
}

func (r *Resolver) fetchKey(ctx context.Context, key Key) (tg.InputPeerClass, error) {
	var (
		res any
		err error
	)
	switch key.Kind {
	case KindUser:
		res, err = r.api.UsersGetUsers(ctx, &tg.UsersGetUsersRequest{
			ID: []tg.InputUserClass{&tg.InputUser{UserID: key.ID}},
		})
	case KindChannel:
		res, err = r.api.ChannelsGetChannels(ctx, &tg.ChannelsGetChannelsRequest{
			ID: []tg.InputChannelClass{&tg.InputChannel{ChannelID: key.ID}},
		})
	case KindChat:
		res, err = r.api.MessagesGetChats(ctx, &tg.MessagesGetChatsRequest{ID: []int64{key.ID}})
	}
	if err != nil {
		if rpcType(err, "PEER_ID_INVALID", "USER_ID_INVALID", "CHANNEL_INVALID", "CHANNEL_PRIVATE",
			"CHAT_ID_INVALID", "MSG_ID_INVALID") {
			return nil, &NotFoundError{Key: key, Err: err}
		}
		return nil, err
	}
	return r.learned(ctx, key, Records(res))
}

func (r *Resolver) resolveUsername(ctx context.Context, username string) (tg.InputPeerClass, error) {
	// Another caller may have resolved it while this one waited.
	if p, ok, err := r.fromUsernameIndex(ctx, username); err != nil || ok {
		return p, err
	}
	if err := r.misses.get(username, r.clock.Now()); err != nil {
		return nil, err
	}
	const method = "contacts.resolveUsername"
	if err := r.lookupSlot(ctx, method); err != nil {
		return nil, err
	}
	res, err := r.api.ContactsResolveUsername(ctx, &tg.ContactsResolveUsernameRequest{Username: username})
	if err != nil {
		if rpcType(err, "USERNAME_NOT_OCCUPIED", "USERNAME_INVALID") {
			if ferr := r.store.ForgetUsername(ctx, username); ferr != nil {
				return nil, ferr
			}
			uerr := &UsernameError{Username: username, Err: err}
			if r.opts.UsernameMissTTL > 0 {
				r.misses.add(username, uerr, r.clock.Now().Add(r.opts.UsernameMissTTL))
			}
			return nil, uerr
		}
		return nil, err
	}
	key, err := KeyOfPeer(res.Peer)
	if err != nil {
		return nil, fmt.Errorf("peer: %s(%q) returned a bad peer: %w", method, username, err)
	}
	recs := Records(res)
	for i := range recs {
		// The peer owns the name it was resolved by, even if its object
		// does not list it (an inactive collectible username, say).
		if rec := &recs[i]; rec.Key == key && rec.Usernames != nil && !slices.Contains(rec.Usernames, username) {
			rec.Usernames = append(slices.Clip(rec.Usernames), username)
		}
	}
	return r.learned(ctx, key, recs)
}

func (r *Resolver) resolvePhone(ctx context.Context, phone string) (tg.InputPeerClass, error) {
	if p, ok, err := r.fromPhoneIndex(ctx, phone); err != nil || ok {
		return p, err
	}
	const method = "contacts.resolvePhone"
	if err := r.lookupSlot(ctx, method); err != nil {
		return nil, err
	}
	res, err := r.api.ContactsResolvePhone(ctx, &tg.ContactsResolvePhoneRequest{Phone: phone})
	switch {
	case err == nil:
	case rpcType(err, "PHONE_NOT_OCCUPIED"):
		// A contact may hide the number from resolvePhone.
		p, ok, cerr := r.fromContacts(ctx, phone)
		switch {
		case ok:
			return p, nil
		case cerr != nil && ctx.Err() != nil:
			return nil, cerr
		case cerr != nil:
			err = errors.Join(err, fmt.Errorf("reading the contacts: %w", cerr))
		}
		return nil, &PhoneError{Phone: phone, Err: err}
	case rpcType(err, "PHONE_NUMBER_INVALID", "PHONE_NUMBER_BANNED"):
		return nil, &PhoneError{Phone: phone, Err: err}
	default:
		return nil, err
	}
	key, err := KeyOfPeer(res.Peer)
	if err != nil {
		return nil, fmt.Errorf("peer: %s returned a bad peer: %w", method, err)
	}
	return r.learned(ctx, key, Records(res))
}

func (r *Resolver) checkInvite(ctx context.Context, hash string) (tg.InputPeerClass, error) {
	if p, ok, err := r.fromInvites(ctx, hash); err != nil || ok {
		return p, err
	}
	res, err := r.api.MessagesCheckChatInvite(ctx, &tg.MessagesCheckChatInviteRequest{Hash: hash})
	if err != nil {
		if rpcType(err, "INVITE_HASH_EXPIRED", "INVITE_HASH_INVALID", "INVITE_HASH_EMPTY") {
			return nil, &InviteError{Hash: hash, Err: err}
		}
		return nil, err
	}
	var chat tg.ChatClass
	switch v := res.(type) {
	case *tg.ChatInviteAlready:
		chat = v.Chat
	case *tg.ChatInvitePeek:
		chat = v.Chat
	case *tg.ChatInvite:
		return nil, &NotMemberError{
			Hash: hash, Title: v.Title, Channel: v.Channel, RequestNeeded: v.RequestNeeded,
		}
	}
	recs := Records(chat)
	if len(recs) == 0 {
		return nil, &InviteError{Hash: hash, Err: fmt.Errorf("messages.checkChatInvite returned %T with no chat", res)}
	}
	key := recs[0].Key
	p, err := r.learned(ctx, key, recs)
	if err != nil {
		return nil, err
	}
	if r.opts.InviteTTL >= 0 {
		if err := r.store.PutInvite(ctx, hash, key, r.clock.Now()); err != nil {
			return nil, fmt.Errorf("peer: storing invite link %q: %w", hash, err)
		}
	}
	return p, nil
}

func isPeerObject(obj tg.Object) bool {
	switch obj.(type) {
	case *tg.User, *tg.Chat, *tg.ChatForbidden, *tg.Channel, *tg.ChannelForbidden:
		return true
	}
	return false
}
