package e2e

import (
	"bytes"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gotd/td/bin"
	gotdtg "github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
	"github.com/gotd/td/tgtest"

	"github.com/tgraw/tgraw/tg"
)

// msgsAckTypeID is MTProto's msgs_ack, which the client sends on its own
// and tgtest passes to the handler; it is not an RPC.
const msgsAckTypeID = 0x62d6b459

// server is the fake Telegram behind tgtest: a tgtest.Handler that answers
// the RPCs of the scenario from its world, checks every request it gets
// and records them in order, with the invokeWithLayer wrappers around
// them and the connection they came on. It decodes requests and encodes
// answers with tg's own types, but for help.getConfig at gotd/td's layer,
// which gotd/td's client sends and reads with its own.
type server struct {
	t testing.TB
	w *world
	// port is where the server listens, for the config it gives.
	port int
	// pageSize caps the dialogs of one messages.getDialogs page.
	pageSize int

	mu    sync.Mutex
	seen  map[int64]bool // msg_ids, so a resent request counts once
	calls []call         // the RPCs, in order (see Calls)
	// conns numbers the MTProto sessions (one a connection) from 1, in
	// the order of their first call; connLayers holds the layer each
	// announced with initConnection.
	conns      map[int64]int
	connLayers map[int]int
	// dialogPages are the requests of messages.getDialogs, in order.
	dialogPages []*tg.MessagesGetDialogsRequest
	// nextPage is the index of the dialog that the next page starts at;
	// the offsets of the next request must name the dialog before it.
	nextPage int
	invites  []*tg.ChannelsInviteToChannelRequest
}

// call is an RPC as the server saw it.
type call struct {
	// name is its TL name, with the username or phone number of
	// contacts.resolveUsername and contacts.resolvePhone.
	name string
	// wrappers are the TL names of the calls around it, from the outside
	// in, and layers the layers of its invokeWithLayer wrappers.
	wrappers []string
	layers   []int
	// conn is the connection it came on, numbered from 1.
	conn int
}

func newServer(t testing.TB, w *world, pageSize int) *server {
	return &server{t: t, w: w, pageSize: pageSize, seen: map[int64]bool{}, conns: map[int64]int{}, connLayers: map[int]int{}}
}

// Calls returns the names of the RPCs the server got so far, in order.
func (s *server) Calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, len(s.calls))
	for i, c := range s.calls {
		names[i] = c.name
	}
	return names
}

// Seen returns the RPCs the server got so far, in order, with their
// wrappers.
func (s *server) Seen() []call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
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

// OnMessage implements tgtest.Handler.
func (s *server) OnMessage(srv *tgtest.Server, req *tgtest.Request) error {
	id, err := req.Buf.PeekID()
	if err != nil {
		return err
	}
	if id == msgsAckTypeID {
		return nil
	}
	obj, err := tg.DecodeObject(req.Buf)
	if err != nil {
		name := tg.Name(id)
		if name == "" {
			name = fmt.Sprintf("#%08x", id)
		}
		c := call{name: name}
		s.connect(req, &c)
		s.record(req, c)
		s.t.Errorf("server: decode %s: %v", name, err)
		return tgerr.New(400, "INPUT_REQUEST_INVALID")
	}
	c, query := unwrap(obj)
	s.connect(req, &c)

	switch r := query.(type) {
	case *tg.HelpGetConfigRequest:
		s.record(req, c)
		return s.getConfig(srv, req, c)
	case *tg.ContactsResolveUsernameRequest:
		c.name += " " + r.Username
		s.record(req, c)
		return s.resolveUsername(srv, req, r)
	case *tg.ContactsResolvePhoneRequest:
		c.name += " " + r.Phone
		s.record(req, c)
		return s.resolvePhone(srv, req, r)
	case *tg.UsersGetUsersRequest:
		s.record(req, c)
		return s.getUsers(srv, req, r)
	case *tg.MessagesGetDialogsRequest:
		return s.getDialogs(srv, req, r, s.record(req, c))
	case *tg.ChannelsInviteToChannelRequest:
		return s.inviteToChannel(srv, req, r, s.record(req, c))
	case *tg.UpdatesGetDifferenceRequest:
		s.record(req, c)
		return srv.SendResult(req, s.w.difference())
	}
	s.record(req, c)
	s.t.Errorf("server: unexpected RPC %s", c.name)
	return tgerr.New(400, "INPUT_METHOD_INVALID")
}

// unwrap takes the query out of the calls a client wraps it in.
func unwrap(obj tg.Object) (call, tg.Object) {
	var c call
	for {
		wrapper := obj.TypeName()
		switch v := obj.(type) {
		case *tg.InvokeWithoutUpdatesRequest:
			obj = v.Query
		case *tg.InvokeWithLayerRequest:
			c.layers = append(c.layers, v.Layer)
			obj = v.Query
		case *tg.InitConnectionRequest:
			obj = v.Query
		default:
			c.name = obj.TypeName()
			return c, obj
		}
		c.wrappers = append(c.wrappers, wrapper)
	}
}

// connect numbers the connection of a call and keeps the layer that a
// call inside initConnection announces for its connection.
func (s *server) connect(req *tgtest.Request, c *call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.conn = s.conns[req.Session.ID]
	if c.conn == 0 {
		c.conn = len(s.conns) + 1
		s.conns[req.Session.ID] = c.conn
	}
	if len(c.layers) > 0 && slices.Contains(c.wrappers, "initConnection") {
		s.connLayers[c.conn] = c.layers[len(c.layers)-1]
	}
}

// record adds an RPC to the calls and reports whether its msg_id was seen
// before: a resent request is answered again but counted once.
func (s *server) record(req *tgtest.Request, c call) (resent bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	resent = s.seen[req.MsgID]
	s.seen[req.MsgID] = true
	if !resent {
		s.calls = append(s.calls, c)
	}
	return resent
}

// layerOf is the layer a call is read and answered in: that of its
// innermost invokeWithLayer, or the one its connection announced.
func (s *server) layerOf(c call) (int, bool) {
	if len(c.layers) > 0 {
		return c.layers[len(c.layers)-1], true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	layer, ok := s.connLayers[c.conn]
	return layer, ok
}

// getConfig answers help.getConfig in the layer it is asked in: gotd/td's
// client asks at gotd/td's layer when it connects and reads the config
// with its own types; tgraw's asks at tg.Layer and reads it with tg's.
func (s *server) getConfig(srv *tgtest.Server, req *tgtest.Request, c call) error {
	switch layer, _ := s.layerOf(c); layer {
	case gotdtg.Layer:
		return srv.SendResult(req, &gotdtg.Config{
			ThisDC:    dcID,
			DCOptions: []gotdtg.DCOption{{ID: dcID, IPAddress: "127.0.0.1", Port: s.port, Static: true}},
		})
	case tg.Layer:
		now := time.Now()
		return srv.SendResult(req, &tg.Config{
			Date:            int(now.Unix()),
			Expires:         int(now.Add(time.Hour).Unix()),
			ThisDC:          dcID,
			DCOptions:       []tg.DCOption{{ID: dcID, IPAddress: "127.0.0.1", Port: s.port, Static: true}},
			MeURLPrefix:     "https://t.me/",
			DCTxtDomainName: "localhost",
		})
	default:
		s.t.Errorf("server: help.getConfig at layer %d, want gotd/td's %d or tg's %d", layer, gotdtg.Layer, tg.Layer)
		return tgerr.New(400, "LAYER_INVALID")
	}
}

// getUsers answers with the users of the world named with their access
// hashes, and skips the others, as Telegram does.
func (s *server) getUsers(srv *tgtest.Server, req *tgtest.Request, r *tg.UsersGetUsersRequest) error {
	var users []bin.Encoder
	for _, in := range r.ID {
		if u, ok := in.(*tg.InputUser); ok && s.w.users[u.UserID] != nil && sameTL(u, s.w.inputUser(u.UserID)) {
			users = append(users, s.w.users[u.UserID])
		}
	}
	return srv.SendVector(req, users...)
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
// with messages.invitedUsers, no one missing.
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
	return srv.SendResult(req, &tg.MessagesInvitedUsers{
		Updates: &tg.Updates{
			Updates: []tg.UpdateClass{&tg.UpdateChannel{ChannelID: ch.ChannelID}},
			Users:   []tg.UserClass{},
			Chats:   []tg.ChatClass{s.w.channels[ch.ChannelID]},
			Date:    1700002000,
			Seq:     0,
		},
		MissingInvitees: []tg.MissingInvitee{},
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
