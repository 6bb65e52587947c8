package peer

import (
	"context"
	"fmt"
	"iter"

	"github.com/tgraw/tgraw/tg"
)

// Page sizes of the iterators: the largest Telegram serves.
const (
	dialogsPage      = 100
	participantsPage = 200
	messagesPage     = 100
)

// Dialog is one entry of the dialog list.
type Dialog struct {
	// Key is the dialog's peer.
	Key Key
	// Peer addresses it; nil in the rare case no access hash came with it.
	Peer tg.InputPeerClass
	// Dialog is the entry itself: *tg.Dialog or *tg.DialogFolder.
	Dialog tg.DialogClass
	// TopMessage is the dialog's last message, when the page carried it.
	TopMessage tg.MessageClass
}

// fetch makes the call of one page of an iteration, and reports whether
// the iteration goes on. An error is yielded through fail and ends the
// iteration, except a *FloodError: if the loop goes on after it, fetch
// waits the flood out (honouring ctx) and makes the call again, so the
// iteration resumes at the page it stopped at.
func (r *Resolver) fetch(ctx context.Context, fail func(error) bool, call func() error) bool {
	for {
		err := call()
		if err == nil {
			return true
		}
		until, flood := floodUntil(err, r.clock.Now())
		if !fail(err) || !flood || ctx.Err() != nil {
			return false
		}
		if err := r.clock.Sleep(ctx, until.Sub(r.clock.Now())); err != nil {
			fail(err)
			return false
		}
	}
}

// Dialogs iterates over every dialog of the account, asking
// messages.getDialogs page after page (offset by the date, ID and peer of
// the last dialog's top message) until the end. Every user and chat the
// pages carry is stored, so after one walk any peer of the dialog list
// resolves with no call.
//
// An error ends the iteration: it is yielded with a zero Dialog. A
// *FloodError (a wait longer than ResolverOptions.MaxFloodWait) ends it
// only if the loop breaks: if it goes on, the iterator waits the flood out
// and asks for the same page again.
func (r *Resolver) Dialogs(ctx context.Context) iter.Seq2[Dialog, error] {
	return func(yield func(Dialog, error) bool) {
		fail := func(err error) bool { return yield(Dialog{}, err) }
		req := &tg.MessagesGetDialogsRequest{OffsetPeer: &tg.InputPeerEmpty{}, Limit: r.opts.PageSize}
		seen := 0
		for {
			var res tg.MessagesDialogsClass
			if !r.fetch(ctx, fail, func() (err error) {
				res, err = r.api.MessagesGetDialogs(ctx, req)
				return err
			}) {
				return
			}
			var (
				dialogs  []tg.DialogClass
				messages []tg.MessageClass
				total    = -1
			)
			switch v := res.(type) {
			case *tg.MessagesDialogs:
				dialogs, messages = v.Dialogs, v.Messages
			case *tg.MessagesDialogsSlice:
				dialogs, messages, total = v.Dialogs, v.Messages, v.Count
			default: // messages.dialogsNotModified: nothing new.
				return
			}
			if err := r.learner.Learn(ctx, res); err != nil {
				yield(Dialog{}, err)
				return
			}
			tops := make(map[MessageRef]tg.MessageClass, len(messages))
			for _, m := range messages {
				if ref, ok := refOfMessage(m); ok {
					tops[ref] = m
				}
			}
			var last Dialog
			for _, d := range dialogs {
				peer, top := dialogPeer(d)
				key, err := KeyOfPeer(peer)
				if err != nil {
					yield(Dialog{}, fmt.Errorf("peer: messages.getDialogs returned a dialog with a bad peer: %w", err))
					return
				}
				item := Dialog{Key: key, Dialog: d, TopMessage: tops[MessageRef{Peer: key, MsgID: top}]}
				item.Peer, _ = r.storedInput(ctx, key)
				if !yield(item, nil) {
					return
				}
				last = item
			}
			seen += len(dialogs)
			if total < 0 || len(dialogs) == 0 || seen >= total {
				return
			}
			next := &tg.MessagesGetDialogsRequest{OffsetPeer: last.Peer, Limit: r.opts.PageSize}
			if next.OffsetPeer == nil {
				next.OffsetPeer = &tg.InputPeerEmpty{}
			}
			if last.TopMessage != nil {
				next.OffsetID, next.OffsetDate = messageIDDate(last.TopMessage)
			}
			if next.OffsetID == req.OffsetID && next.OffsetDate == req.OffsetDate {
				// No progress: the server would send the same page again.
				return
			}
			req = next
		}
	}
}

// storedInput returns the InputPeer of key from the store alone.
func (r *Resolver) storedInput(ctx context.Context, key Key) (tg.InputPeerClass, bool) {
	rec, found, err := r.store.Peer(ctx, key)
	if err != nil || !found {
		if key.Kind == KindChat {
			return &tg.InputPeerChat{ChatID: key.ID}, true
		}
		return nil, false
	}
	return r.inputOf(ctx, rec, 0)
}

func dialogPeer(d tg.DialogClass) (tg.PeerClass, int) {
	switch v := d.(type) {
	case *tg.Dialog:
		return v.Peer, v.TopMessage
	case *tg.DialogFolder:
		return v.Peer, v.TopMessage
	}
	return nil, 0
}

func refOfMessage(m tg.MessageClass) (MessageRef, bool) {
	switch v := m.(type) {
	case *tg.Message:
		return messageRef(v.PeerID, v.ID)
	case *tg.MessageService:
		return messageRef(v.PeerID, v.ID)
	}
	return MessageRef{}, false
}

func messageIDDate(m tg.MessageClass) (id, date int) {
	switch v := m.(type) {
	case *tg.Message:
		return v.ID, v.Date
	case *tg.MessageService:
		return v.ID, v.Date
	case *tg.MessageEmpty:
		return v.ID, 0
	}
	return 0, 0
}

// Participant is one member of a group or channel.
type Participant struct {
	// Key is the member: a user, or for banned and left entries of a
	// channel, possibly a chat or channel.
	Key Key
	// Peer addresses the member; nil if no access hash came with it.
	Peer tg.InputPeerClass
	// Participant is the entry: a tg.ChannelParticipantClass for channels
	// and supergroups, a tg.ChatParticipantClass for basic groups.
	Participant tg.Object
}

// Participants iterates over the members of the group or channel that
// chat names (any reference ResolvePeer takes): channels.getParticipants
// page after page for channels and supergroups, messages.getFullChat for
// basic groups. Every user and chat met is stored.
//
// An error ends the iteration: it is yielded with a zero Participant. A
// *FloodError ends it only if the loop breaks: if it goes on, the
// iterator waits the flood out and asks for the same page again.
func (r *Resolver) Participants(ctx context.Context, chat any) iter.Seq2[Participant, error] {
	return func(yield func(Participant, error) bool) {
		in, err := r.ResolvePeer(ctx, chat)
		if err != nil {
			yield(Participant{}, err)
			return
		}
		switch v := in.(type) {
		case *tg.InputPeerChat:
			r.chatParticipants(ctx, v.ChatID, yield)
		case *tg.InputPeerChannel, *tg.InputPeerChannelFromMessage:
			ch, _ := InputChannel(in)
			r.channelParticipants(ctx, ch, yield)
		default:
			yield(Participant{}, &KindError{Want: KindChannel, Got: describeInput(in) + " (a user has no members)"})
		}
	}
}

func (r *Resolver) channelParticipants(ctx context.Context, ch tg.InputChannelClass, yield func(Participant, error) bool) {
	fail := func(err error) bool { return yield(Participant{}, err) }
	offset := 0
	for {
		var res tg.ChannelsChannelParticipantsClass
		if !r.fetch(ctx, fail, func() (err error) {
			res, err = r.api.ChannelsGetParticipants(ctx, &tg.ChannelsGetParticipantsRequest{
				Channel: ch, Filter: &tg.ChannelParticipantsRecent{}, Offset: offset, Limit: participantsPage,
			})
			return err
		}) {
			return
		}
		page, ok := res.(*tg.ChannelsChannelParticipants)
		if !ok {
			return // channels.channelParticipantsNotModified
		}
		if err := r.learner.Learn(ctx, page); err != nil {
			yield(Participant{}, err)
			return
		}
		for _, p := range page.Participants {
			if !r.yieldParticipant(ctx, p, yield) {
				return
			}
		}
		offset += len(page.Participants)
		if len(page.Participants) == 0 || offset >= page.Count {
			return
		}
	}
}

func (r *Resolver) chatParticipants(ctx context.Context, chatID int64, yield func(Participant, error) bool) {
	var res *tg.MessagesChatFull
	if !r.fetch(ctx, func(err error) bool { return yield(Participant{}, err) }, func() (err error) {
		res, err = r.api.MessagesGetFullChat(ctx, &tg.MessagesGetFullChatRequest{ChatID: chatID})
		return err
	}) {
		return
	}
	if err := r.learner.Learn(ctx, res); err != nil {
		yield(Participant{}, err)
		return
	}
	full, ok := res.FullChat.(*tg.ChatFull)
	if !ok {
		yield(Participant{}, fmt.Errorf("peer: messages.getFullChat(%d) returned %T, not a basic group", chatID, res.FullChat))
		return
	}
	var list []tg.ChatParticipantClass
	switch v := full.Participants.(type) {
	case *tg.ChatParticipants:
		list = v.Participants
	case *tg.ChatParticipantsForbidden:
		if v.SelfParticipant != nil {
			list = []tg.ChatParticipantClass{v.SelfParticipant}
		}
	}
	for _, p := range list {
		if !r.yieldParticipant(ctx, p, yield) {
			return
		}
	}
}

func (r *Resolver) yieldParticipant(ctx context.Context, p tg.Object, yield func(Participant, error) bool) bool {
	var key Key
	switch v := p.(type) {
	case *tg.ChannelParticipant:
		key = UserKey(v.UserID)
	case *tg.ChannelParticipantSelf:
		key = UserKey(v.UserID)
	case *tg.ChannelParticipantCreator:
		key = UserKey(v.UserID)
	case *tg.ChannelParticipantAdmin:
		key = UserKey(v.UserID)
	case *tg.ChannelParticipantBanned:
		key, _ = KeyOfPeer(v.Peer)
	case *tg.ChannelParticipantLeft:
		key, _ = KeyOfPeer(v.Peer)
	case *tg.ChatParticipant:
		key = UserKey(v.UserID)
	case *tg.ChatParticipantCreator:
		key = UserKey(v.UserID)
	case *tg.ChatParticipantAdmin:
		key = UserKey(v.UserID)
	}
	item := Participant{Key: key, Participant: p}
	if !key.IsZero() {
		item.Peer, _ = r.storedInput(ctx, key)
	}
	return yield(item, nil)
}

// Messages iterates over the messages with the given IDs in the chat that
// chat names: channels.getMessages for channels and supergroups,
// messages.getMessages for private chats and basic groups (whose message
// IDs are shared by the account). Asking for a forwarded message is how
// its original sender is met; every user and chat the results carry is
// stored, min ones with their message context.
//
// IDs that do not exist come back as *tg.MessageEmpty. An error ends the
// iteration: it is yielded with a nil message. A *FloodError ends it only
// if the loop breaks: if it goes on, the iterator waits the flood out and
// asks for the same messages again.
func (r *Resolver) Messages(ctx context.Context, chat any, ids ...int) iter.Seq2[tg.MessageClass, error] {
	return func(yield func(tg.MessageClass, error) bool) {
		for _, id := range ids {
			if id <= 0 {
				yield(nil, fmt.Errorf("peer: message ID %d is not positive", id))
				return
			}
		}
		in, err := r.ResolvePeer(ctx, chat)
		if err != nil {
			yield(nil, err)
			return
		}
		ch, chErr := InputChannel(in)
		fail := func(err error) bool { return yield(nil, err) }
		for start := 0; start < len(ids); start += messagesPage {
			batch := ids[start:min(start+messagesPage, len(ids))]
			req := make([]tg.InputMessageClass, len(batch))
			for i, id := range batch {
				req[i] = &tg.InputMessageID{ID: id}
			}
			var res tg.MessagesMessagesClass
			if !r.fetch(ctx, fail, func() (err error) {
				if chErr == nil {
					res, err = r.api.ChannelsGetMessages(ctx, &tg.ChannelsGetMessagesRequest{Channel: ch, ID: req})
				} else {
					res, err = r.api.MessagesGetMessages(ctx, &tg.MessagesGetMessagesRequest{ID: req})
				}
				return err
			}) {
				return
			}
			if err := r.learner.Learn(ctx, res); err != nil {
				yield(nil, err)
				return
			}
			var msgs []tg.MessageClass
			switch v := res.(type) {
			case *tg.MessagesMessages:
				msgs = v.Messages
			case *tg.MessagesMessagesSlice:
				msgs = v.Messages
			case *tg.MessagesChannelMessages:
				msgs = v.Messages
			}
			for _, m := range msgs {
				if !yield(m, nil) {
					return
				}
			}
		}
	}
}
