package e2e

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/tgerr"
	"github.com/gotd/td/tgtest"

	"github.com/tgraw/tgraw/tg"
)

// msgsAckTypeID is MTProto's msgs_ack, which the client sends on its own
// and tgtest passes to the handler; it is not an RPC.
const msgsAckTypeID = 0x62d6b459

// server is the fake Telegram behind tgtest: a tgtest.Handler that answers
// the RPCs of the scenario from its world, checks every request it gets
// and records them in order. It decodes requests and encodes answers with
// tg's own types.
type server struct {
	t testing.TB
	w *world
	// common answers help.getConfig (tgtest/cluster's config service).
	common tgtest.Handler
	// pageSize caps the dialogs of one messages.getDialogs page.
	pageSize int

	mu    sync.Mutex
	seen  map[int64]bool // msg_ids, so a resent request counts once
	calls []string       // the RPCs, in order (see Calls)
	// dialogPages are the requests of messages.getDialogs, in order.
	dialogPages []*tg.MessagesGetDialogsRequest
	// nextPage is the index of the dialog that the next page starts at;
	// the offsets of the next request must name the dialog before it.
	nextPage int
	invites  []*tg.ChannelsInviteToChannelRequest
}

func newServer(t testing.TB, w *world, pageSize int) *server {
	return &server{t: t, w: w, pageSize: pageSize, seen: map[int64]bool{}}
}

// Calls returns the RPCs the server got so far, in order: their TL names,
// with the username or phone number of contacts.resolveUsername and
// contacts.resolvePhone.
func (s *server) Calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.calls...)
}

// DialogPages returns the messages.getDialogs requests so far.
func (s *server) DialogPages() []*tg.MessagesGetDialogsRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*tg.MessagesGetDialogsRequest(nil), s.dialogPages...)
}

// Invites returns the channels.inviteToChannel requests so far.
func (s *server) Invites() []*tg.ChannelsInviteToChannelRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*tg.ChannelsInviteToChannelRequest(nil), s.invites...)
}

// OnMessage implements tgtest.Handler. tgtest.UnpackInvoke has already
// stripped invokeWithLayer, initConnection and invokeWithoutUpdates.
func (s *server) OnMessage(srv *tgtest.Server, req *tgtest.Request) error {
	id, err := req.Buf.PeekID()
	if err != nil {
		return err
	}
	if id == msgsAckTypeID {
		return nil
	}
	name := tg.Name(id)
	if name == "" {
		name = fmt.Sprintf("#%08x", id)
	}

	switch id {
	case tg.HelpGetConfigRequestTypeID:
		s.record(req, name)
		return s.common.OnMessage(srv, req)
	case tg.ContactsResolveUsernameRequestTypeID:
		var r tg.ContactsResolveUsernameRequest
		if err := r.Decode(req.Buf); err != nil {
			return s.bad(req, name, err)
		}
		s.record(req, name+" "+r.Username)
		return s.resolveUsername(srv, req, &r)
	case tg.ContactsResolvePhoneRequestTypeID:
		var r tg.ContactsResolvePhoneRequest
		if err := r.Decode(req.Buf); err != nil {
			return s.bad(req, name, err)
		}
		s.record(req, name+" "+r.Phone)
		return s.resolvePhone(srv, req, &r)
	case tg.MessagesGetDialogsRequestTypeID:
		var r tg.MessagesGetDialogsRequest
		if err := r.Decode(req.Buf); err != nil {
			return s.bad(req, name, err)
		}
		return s.getDialogs(srv, req, &r, s.record(req, name))
	case tg.ChannelsInviteToChannelRequestTypeID:
		var r tg.ChannelsInviteToChannelRequest
		if err := r.Decode(req.Buf); err != nil {
			return s.bad(req, name, err)
		}
		return s.inviteToChannel(srv, req, &r, s.record(req, name))
	}
	s.record(req, name)
	s.t.Errorf("server: unexpected RPC %s", name)
	return tgerr.New(400, "INPUT_METHOD_INVALID")
}

// record adds an RPC to the calls and reports whether its msg_id was seen
// before: a resent request is answered again but counted once.
func (s *server) record(req *tgtest.Request, call string) (resent bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	resent = s.seen[req.MsgID]
	s.seen[req.MsgID] = true
	if !resent {
		s.calls = append(s.calls, call)
	}
	return resent
}

// bad reports a request the server could not decode.
func (s *server) bad(req *tgtest.Request, name string, err error) error {
	s.record(req, name)
	s.t.Errorf("server: decode %s: %v", name, err)
	return tgerr.New(400, "INPUT_REQUEST_INVALID")
}

func (s *server) resolveUsername(srv *tgtest.Server, req *tgtest.Request, r *tg.ContactsResolveUsernameRequest) error {
	for _, u := range s.w.users {
		if u.Username == r.Username {
			return srv.SendResult(req, &tg.ContactsResolvedPeer{
				Peer:  &tg.PeerUser{UserID: u.ID},
				Chats: []tg.ChatClass{},
				Users: []tg.UserClass{u},
			})
		}
	}
	for _, c := range s.w.channels {
		if c.Username == r.Username {
			return srv.SendResult(req, &tg.ContactsResolvedPeer{
				Peer:  &tg.PeerChannel{ChannelID: c.ID},
				Chats: []tg.ChatClass{c},
				Users: []tg.UserClass{},
			})
		}
	}
	return tgerr.New(400, "USERNAME_NOT_OCCUPIED")
}

func (s *server) resolvePhone(srv *tgtest.Server, req *tgtest.Request, r *tg.ContactsResolvePhoneRequest) error {
	for _, u := range s.w.users {
		if u.Phone != "" && u.Phone == r.Phone {
			return srv.SendResult(req, &tg.ContactsResolvedPeer{
				Peer:  &tg.PeerUser{UserID: u.ID},
				Chats: []tg.ChatClass{},
				Users: []tg.UserClass{u},
			})
		}
	}
	return tgerr.New(400, "PHONE_NOT_OCCUPIED")
}

// getDialogs answers one page of the dialog list. Pages are keyed by the
// offsets, as on Telegram: the first page has offset_date 0, offset_id 0
// and inputPeerEmpty; each next page names the last dialog of the page
// before: the date and ID of its top message and its InputPeer, access
// hash included. Any other offset is a client bug and fails the test.
func (s *server) getDialogs(srv *tgtest.Server, req *tgtest.Request, r *tg.MessagesGetDialogsRequest, resent bool) error {
	s.mu.Lock()
	if !resent {
		s.dialogPages = append(s.dialogPages, r)
	}
	start := s.nextPage
	s.mu.Unlock()

	if r.FolderID != 0 || r.ExcludePinned || r.Hash != 0 {
		s.t.Errorf("server: messages.getDialogs with folder_id %d, exclude_pinned %v, hash %d; want none",
			r.FolderID, r.ExcludePinned, r.Hash)
	}
	if r.Limit <= 0 {
		s.t.Errorf("server: messages.getDialogs limit %d", r.Limit)
		return tgerr.New(400, "LIMIT_INVALID")
	}
	var want *tg.MessagesGetDialogsRequest
	if start == 0 {
		want = &tg.MessagesGetDialogsRequest{OffsetPeer: &tg.InputPeerEmpty{}, Limit: r.Limit}
	} else {
		last := s.w.dialogs[start-1]
		want = &tg.MessagesGetDialogsRequest{
			OffsetDate: last.top.Date,
			OffsetID:   last.top.ID,
			OffsetPeer: s.w.inputPeer(last.peer),
			Limit:      r.Limit,
		}
	}
	if !sameTL(r, want) {
		s.t.Errorf("server: page starting at dialog %d: got offsets date=%d id=%d peer=%s, want date=%d id=%d peer=%s",
			start, r.OffsetDate, r.OffsetID, tlString(r.OffsetPeer), want.OffsetDate, want.OffsetID, tlString(want.OffsetPeer))
		return tgerr.New(400, "OFFSET_PEER_ID_INVALID")
	}

	end := min(start+min(r.Limit, s.pageSize), len(s.w.dialogs))
	page := &tg.MessagesDialogsSlice{
		Count:    len(s.w.dialogs),
		Dialogs:  []tg.DialogClass{},
		Messages: []tg.MessageClass{},
	}
	ents := s.w.entities()
	for _, d := range s.w.dialogs[start:end] {
		page.Dialogs = append(page.Dialogs, &tg.Dialog{
			Peer:           d.peer,
			TopMessage:     d.top.ID,
			ReadInboxMaxID: d.top.ID,
		})
		page.Messages = append(page.Messages, d.top)
		ents.add(d.peer)
		ents.add(d.top.FromID)
	}
	page.Users = append([]tg.UserClass{}, ents.users...)
	page.Chats = append([]tg.ChatClass{}, ents.chats...)

	s.mu.Lock()
	if !resent {
		s.nextPage = end
	}
	s.mu.Unlock()
	return srv.SendResult(req, page)
}

// inviteToChannel accepts only the access hashes the server gave out, as
// Telegram does (CHANNEL_INVALID, USER_ID_INVALID otherwise). It answers
// with Updates, the result type of channels.inviteToChannel in layer 170.
func (s *server) inviteToChannel(srv *tgtest.Server, req *tgtest.Request, r *tg.ChannelsInviteToChannelRequest, resent bool) error {
	s.mu.Lock()
	if !resent {
		s.invites = append(s.invites, r)
	}
	s.mu.Unlock()

	ch, ok := r.Channel.(*tg.InputChannel)
	if !ok || s.w.channels[ch.ChannelID] == nil || !sameTL(ch, s.w.inputChannel(ch.ChannelID)) {
		s.t.Errorf("server: channels.inviteToChannel channel %s: not a channel of the world with its access hash", tlString(r.Channel))
		return tgerr.New(400, "CHANNEL_INVALID")
	}
	for _, in := range r.Users {
		u, ok := in.(*tg.InputUser)
		if !ok || s.w.users[u.UserID] == nil || !sameTL(u, s.w.inputUser(u.UserID)) {
			s.t.Errorf("server: channels.inviteToChannel user %s: not a user of the world with its access hash", tlString(in))
			return tgerr.New(400, "USER_ID_INVALID")
		}
	}
	return srv.SendResult(req, &tg.Updates{
		Updates: []tg.UpdateClass{&tg.UpdateChannel{ChannelID: ch.ChannelID}},
		Users:   []tg.UserClass{},
		Chats:   []tg.ChatClass{s.w.channels[ch.ChannelID]},
		Date:    1700002000,
		Seq:     0,
	})
}

// sameTL reports whether a and b have the same TL encoding.
func sameTL(a, b bin.Encoder) bool {
	var x, y bin.Buffer
	if a == nil || b == nil {
		return false
	}
	if err := a.Encode(&x); err != nil {
		return false
	}
	if err := b.Encode(&y); err != nil {
		return false
	}
	return bytes.Equal(x.Buf, y.Buf)
}

// tlString prints a tg value with its TL name.
func tlString(v any) string {
	if o, ok := v.(tg.Object); ok {
		return fmt.Sprintf("%s%+v", o.TypeName(), o)
	}
	return fmt.Sprintf("%#v", v)
}
