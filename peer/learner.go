package peer

import (
	"context"
	"fmt"

	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/tg"
)

// Learner stores every user and chat it finds in values: results of calls,
// updates, anything decoded from the schema.
//
// It walks values generically, by reflection over the generated types, not
// by a hand list: once per program it works out from the schema which
// types can hold, at any depth, a user, chat or channel object or a
// message, and it then descends only into those. New layers need no change
// here.
//
// Min users and channels, with or without an access hash, get the message
// context they were seen in: the chat and ID of a message, in the same
// value, that they sent or that forwards one of theirs. That context
// builds inputPeerUserFromMessage and inputPeerChannelFromMessage later.
//
// A basic group that became a supergroup is recorded with the supergroup's
// ID (MigratedTo), from the chat object's migrated_to, a full channel's
// migrated_from_chat_id or the service messages of the migration.
type Learner struct {
	store   Store
	onError func(error)
}

// NewLearner returns a Learner that puts what it finds into store.
// onError, if not nil, receives the errors of the store when the Learner
// runs as middleware or update handler, where they cannot be returned.
func NewLearner(store Store, onError func(error)) *Learner {
	return &Learner{store: store, onError: onError}
}

// Learn stores the users and chats found in v, in one Put.
func (l *Learner) Learn(ctx context.Context, v any) error {
	recs := Records(v)
	if len(recs) == 0 {
		return nil
	}
	return l.store.Put(ctx, recs...)
}

// LearnEncoded stores the users and chats of any TL value that can encode
// itself, such as the updates gotd/td's telegram.Client hands to its
// update handler in its own types: the value is encoded and decoded again
// with package tg's types, then learned. A value of package tg is learned
// directly.
func (l *Learner) LearnEncoded(ctx context.Context, v bin.Encoder) error {
	if v == nil {
		return nil
	}
	if obj, ok := v.(tg.Object); ok {
		return l.Learn(ctx, obj)
	}
	var b bin.Buffer
	if err := v.Encode(&b); err != nil {
		return fmt.Errorf("peer: encoding %T to learn from it: %w", v, err)
	}
	obj, err := tg.DecodeObject(&b)
	if err != nil {
		return fmt.Errorf("peer: decoding %T to learn from it: %w", v, err)
	}
	return l.Learn(ctx, obj)
}

func (l *Learner) report(err error) {
	if err != nil && l.onError != nil {
		l.onError(err)
	}
}

// Wrap returns an Invoker that calls next and then stores every user and
// chat of the result. The call's own result and error are returned as
// they are; errors of the store go to the Learner's onError.
func (l *Learner) Wrap(next tg.Invoker) tg.Invoker {
	return &learningInvoker{next: next, l: l}
}

// UpdateHandler handles updates as the server pushes them.
type UpdateHandler interface {
	Handle(ctx context.Context, u tg.UpdatesClass) error
}

// UpdateHandlerFunc is a function that is an UpdateHandler.
type UpdateHandlerFunc func(ctx context.Context, u tg.UpdatesClass) error

// Handle calls f.
func (f UpdateHandlerFunc) Handle(ctx context.Context, u tg.UpdatesClass) error { return f(ctx, u) }

// Handler returns an UpdateHandler that stores the users and chats of each
// update before next handles it, so next can resolve them.
func (l *Learner) Handler(next UpdateHandler) UpdateHandler {
	return UpdateHandlerFunc(func(ctx context.Context, u tg.UpdatesClass) error {
		l.report(l.Learn(ctx, u))
		return next.Handle(ctx, u)
	})
}
