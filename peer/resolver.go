package peer

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/tgraw/tgraw/tg"
)

// DefaultUsernameTTL is how long a username seen on a peer is trusted
// before it is resolved again, as TDLib does.
const DefaultUsernameTTL = 24 * time.Hour

// ResolverOptions configure a Resolver. The zero value gives the defaults.
type ResolverOptions struct {
	// UsernameTTL is how long a username seen on a peer is trusted without
	// asking Telegram again. Zero means DefaultUsernameTTL; a negative TTL
	// always asks.
	UsernameTTL time.Duration
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
	// PageSize is how many dialogs Dialogs asks for per call. Zero means
	// 100, the most Telegram returns.
	PageSize int
}

// Resolver turns references (see ParseRef) into the InputPeer, InputUser
// and InputChannel values of raw calls. It looks in its Store first and
// makes the cheapest correct call only when the store cannot answer:
//
//   - a username: contacts.resolveUsername (after the store's username
//     index, whose entries expire after the username TTL);
//   - a phone number: contacts.resolvePhone;
//   - an invite link: messages.checkChatInvite;
//   - a user or channel ID the store has no hash for: users.getUsers or
//     channels.getChannels with access hash 0 (which works for bots and
//     for peers the server lets the account see);
//   - a basic chat ID the store has not met: messages.getChats.
//
// Concurrent resolutions of one reference make one call. Every result is
// stored, so the next resolution is served from the store.
//
// A Resolver is safe for concurrent use.
type Resolver struct {
	api     *tg.Client
	store   Store
	learner *Learner
	ttl     time.Duration
	now     func() time.Time
	calls   singleflight.Group
	page    int
}

// NewResolver returns a Resolver that calls Telegram through inv and keeps
// peers in store. inv may be the raw transport or one wrapped by a Learner:
// the Resolver stores the results of its own calls either way.
func NewResolver(inv tg.Invoker, store Store, opts ResolverOptions) *Resolver {
	if opts.UsernameTTL == 0 {
		opts.UsernameTTL = DefaultUsernameTTL
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.PageSize <= 0 {
		opts.PageSize = dialogsPage
	}
	// The Resolver stores the results of its calls itself; a Learner on
	// the same store around inv would store each of them a second time.
	if li, ok := inv.(*learningInvoker); ok && li.l.store == store {
		inv = li.next
	}
	return &Resolver{
		page:    opts.PageSize,
		api:     tg.NewClient(inv),
		store:   store,
		learner: NewLearner(store, nil),
		ttl:     opts.UsernameTTL,
		now:     opts.Now,
	}
}

// Store returns the resolver's store.
func (r *Resolver) Store() Store { return r.store }

// Learner returns a Learner on the resolver's store, for wrapping the
// Invoker of other calls (Learner.Wrap) and the update handler
// (Learner.Handler).
func (r *Resolver) Learner() *Learner { return r.learner }

// ResolvePeer returns the InputPeer of the peer that ref names. ref is
// anything ParseRef accepts. A bad reference gives a *RefError before any
// call; a peer that cannot be found gives an error matching ErrNotFound
// (*NotFoundError, *UsernameError, *PhoneError or *InviteError); an invite
// to a chat the account is not in gives a *NotMemberError.
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
		rec, found, err := r.store.Peer(ctx, q.Key)
		if err != nil {
			return nil, err
		}
		if found {
			if p, ok := r.inputOf(ctx, rec, 0); ok {
				return p, nil
			}
		}
		return r.shared(ctx, "k"+strconv.Itoa(int(q.Key.Kind))+":"+strconv.FormatInt(q.Key.ID, 10),
			func(ctx context.Context) (tg.InputPeerClass, error) { return r.fetchKey(ctx, q.Key) })
	case QueryUsername:
		if p, ok, err := r.fromUsernameIndex(ctx, q.Username); err != nil || ok {
			return p, err
		}
		return r.shared(ctx, "u:"+q.Username,
			func(ctx context.Context) (tg.InputPeerClass, error) { return r.resolveUsername(ctx, q.Username) })
	case QueryPhone:
		rec, found, err := r.store.Phone(ctx, q.Phone)
		if err != nil {
			return nil, err
		}
		if found {
			if p, ok := r.inputOf(ctx, rec, 0); ok {
				return p, nil
			}
		}
		return r.shared(ctx, "p:"+q.Phone,
			func(ctx context.Context) (tg.InputPeerClass, error) { return r.resolvePhone(ctx, q.Phone) })
	case QueryInvite:
		return r.shared(ctx, "i:"+q.Invite,
			func(ctx context.Context) (tg.InputPeerClass, error) { return r.checkInvite(ctx, q.Invite) })
	}
	return nil, refErr(q.String(), "query of unknown kind")
}

// shared runs fn once for concurrent callers with the same key. The call
// runs on a context that is not canceled when the first caller gives up,
// so the others still get its result; each caller stops waiting when its
// own ctx is done.
func (r *Resolver) shared(ctx context.Context, key string, fn func(context.Context) (tg.InputPeerClass, error)) (tg.InputPeerClass, error) {
	ch := r.calls.DoChan(key, func() (any, error) {
		return fn(context.WithoutCancel(ctx))
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.(tg.InputPeerClass), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// fromUsernameIndex answers a username from the store while its entry is
// fresh.
func (r *Resolver) fromUsernameIndex(ctx context.Context, username string) (tg.InputPeerClass, bool, error) {
	rec, seen, found, err := r.store.Username(ctx, username)
	if err != nil || !found || r.ttl < 0 || r.now().Sub(seen) >= r.ttl {
		return nil, false, err
	}
	p, ok := r.inputOf(ctx, rec, 0)
	return p, ok, nil
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
		if p, ok := r.inputOf(ctx, rec, 0); ok {
			return p, nil
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
	res, err := r.api.ContactsResolveUsername(ctx, &tg.ContactsResolveUsernameRequest{Username: username})
	if err != nil {
		if rpcType(err, "USERNAME_NOT_OCCUPIED", "USERNAME_INVALID") {
			if ferr := r.store.ForgetUsername(ctx, username); ferr != nil {
				return nil, ferr
			}
			return nil, &UsernameError{Username: username, Err: err}
		}
		return nil, err
	}
	key, err := KeyOfPeer(res.Peer)
	if err != nil {
		return nil, fmt.Errorf("peer: contacts.resolveUsername(%q) returned a bad peer: %w", username, err)
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
	res, err := r.api.ContactsResolvePhone(ctx, &tg.ContactsResolvePhoneRequest{Phone: phone})
	if err != nil {
		if rpcType(err, "PHONE_NOT_OCCUPIED", "PHONE_NUMBER_INVALID", "PHONE_NUMBER_BANNED") {
			return nil, &PhoneError{Phone: phone, Err: err}
		}
		return nil, err
	}
	key, err := KeyOfPeer(res.Peer)
	if err != nil {
		return nil, fmt.Errorf("peer: contacts.resolvePhone returned a bad peer: %w", err)
	}
	return r.learned(ctx, key, Records(res))
}

func (r *Resolver) checkInvite(ctx context.Context, hash string) (tg.InputPeerClass, error) {
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
	return r.learned(ctx, recs[0].Key, recs)
}

func isPeerObject(obj tg.Object) bool {
	switch obj.(type) {
	case *tg.User, *tg.Chat, *tg.ChatForbidden, *tg.Channel, *tg.ChannelForbidden:
		return true
	}
	return false
}
