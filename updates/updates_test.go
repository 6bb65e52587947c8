package updates_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/gotd/td/bin"

	"github.com/tgraw/tgraw/session"
	"github.com/tgraw/tgraw/tg"
	"github.com/tgraw/tgraw/tgerr"
	"github.com/tgraw/tgraw/updates"
)

// server answers the update calls from a script and records them.
type server struct {
	t     *testing.T
	calls []tg.Object
	// answer returns the result of a call.
	answer func(req tg.Object) (bin.Encoder, error)
}

func (s *server) Invoke(ctx context.Context, in bin.Encoder, out bin.Decoder) error {
	var b bin.Buffer
	if err := in.Encode(&b); err != nil {
		return err
	}
	req, err := tg.DecodeObject(&b)
	if err != nil {
		return err
	}
	s.calls = append(s.calls, req)
	if s.answer == nil {
		s.t.Fatalf("unexpected call %s", req.TypeName())
	}
	res, err := s.answer(req)
	if err != nil {
		return err
	}
	b.Reset()
	if err := res.Encode(&b); err != nil {
		return err
	}
	return out.Decode(&b)
}

func (s *server) names() []string {
	var out []string
	for _, c := range s.calls {
		out = append(out, c.TypeName())
	}
	return out
}

// recorder is a Handler that keeps what it gets.
type recorder struct{ got []tg.UpdatesClass }

func (r *recorder) Handle(_ context.Context, u tg.UpdatesClass) error {
	r.got = append(r.got, u)
	return nil
}

// newMessage is updateNewMessage with message id at pts.
func newMessage(id, pts int) *tg.UpdateNewMessage {
	return &tg.UpdateNewMessage{Message: &tg.Message{ID: id, PeerID: &tg.PeerUser{UserID: 1}}, Pts: pts, PtsCount: 1}
}

func channelMessage(channel int64, id, pts int) *tg.UpdateNewChannelMessage {
	return &tg.UpdateNewChannelMessage{Message: &tg.Message{ID: id, PeerID: &tg.PeerChannel{ChannelID: channel}}, Pts: pts, PtsCount: 1}
}

func short(u tg.UpdateClass) *tg.UpdateShort { return &tg.UpdateShort{Update: u, Date: 1} }

// ids lists the message IDs of the updateNew*Message updates delivered,
// in order.
func ids(got []tg.UpdatesClass) []int {
	var out []int
	walk := func(u tg.UpdateClass) {
		switch u := u.(type) {
		case *tg.UpdateNewMessage:
			out = append(out, u.Message.(*tg.Message).ID)
		case *tg.UpdateNewChannelMessage:
			out = append(out, u.Message.(*tg.Message).ID)
		}
	}
	for _, g := range got {
		switch g := g.(type) {
		case *tg.UpdateShort:
			walk(g.Update)
		case *tg.Updates:
			for _, u := range g.Updates {
				walk(u)
			}
		case *tg.UpdatesCombined:
			for _, u := range g.Updates {
				walk(u)
			}
		}
	}
	return out
}

func newManager(t *testing.T, srv *server, st session.UpdateState, opts updates.Options) (*updates.Manager, *recorder, *[]session.UpdateState) {
	rec := &recorder{}
	var saved []session.UpdateState
	opts.Handler = rec
	opts.Save = func(_ context.Context, s session.UpdateState) error {
		saved = append(saved, s)
		return nil
	}
	return updates.New(srv, st, opts), rec, &saved
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestPtsOrder: the next pts applies, a repeated one is skipped, a gap
// fetches the difference, which is delivered and gives the new state.
func TestPtsOrder(t *testing.T) {
	ctx := context.Background()
	srv := &server{t: t}
	m, rec, saved := newManager(t, srv, session.UpdateState{Pts: 10, Date: 100}, updates.Options{})

	must(t, m.Handle(ctx, short(newMessage(1, 11))))
	must(t, m.Handle(ctx, short(newMessage(1, 11)))) // again: skipped
	if got := ids(rec.got); !slices.Equal(got, []int{1}) || m.State().Pts != 11 {
		t.Fatalf("delivered %v, pts %d; want [1], 11", got, m.State().Pts)
	}
	if len(*saved) == 0 || (*saved)[len(*saved)-1].Pts != 11 {
		t.Error("the state was not saved")
	}

	// pts 14 after 11: messages 2 and 3 are missing.
	srv.answer = func(req tg.Object) (bin.Encoder, error) {
		r := req.(*tg.UpdatesGetDifferenceRequest)
		if r.Pts != 11 || r.Date != 100 {
			t.Errorf("getDifference from pts %d date %d, want 11 and 100", r.Pts, r.Date)
		}
		return &tg.UpdatesDifference{
			NewMessages:  []tg.MessageClass{newMessage(2, 0).Message, newMessage(3, 0).Message, newMessage(4, 0).Message},
			OtherUpdates: []tg.UpdateClass{}, Chats: []tg.ChatClass{}, Users: []tg.UserClass{},
			NewEncryptedMessages: []tg.EncryptedMessageClass{},
			State:                tg.UpdatesState{Pts: 14, Qts: 0, Date: 200, Seq: 7},
		}, nil
	}
	must(t, m.Handle(ctx, short(newMessage(4, 14))))
	if got := ids(rec.got); !slices.Equal(got, []int{1, 2, 3, 4}) {
		t.Errorf("delivered %v, want [1 2 3 4]", got)
	}
	if st := m.State(); st.Pts != 14 || st.Seq != 7 || st.Date != 200 {
		t.Errorf("state %+v, want the difference's", st)
	}
	// The update that showed the gap came in the difference: not again.
	must(t, m.Handle(ctx, short(newMessage(4, 14))))
	if len(rec.got) != 2 {
		t.Errorf("%d deliveries, want 2", len(rec.got))
	}
}

// TestSeq: updates with seq apply in order; seq 0 always.
func TestSeq(t *testing.T) {
	ctx := context.Background()
	srv := &server{t: t}
	m, rec, _ := newManager(t, srv, session.UpdateState{Pts: 10, Seq: 5, Date: 100}, updates.Options{})
	upd := func(seq int, u ...tg.UpdateClass) *tg.Updates {
		return &tg.Updates{Updates: u, Users: []tg.UserClass{}, Chats: []tg.ChatClass{}, Date: 300 + seq, Seq: seq}
	}
	must(t, m.Handle(ctx, upd(6, newMessage(1, 11))))
	must(t, m.Handle(ctx, upd(6, newMessage(9, 99)))) // seq already applied: all skipped
	must(t, m.Handle(ctx, upd(0, &tg.UpdateUserStatus{UserID: 1, Status: &tg.UserStatusEmpty{}})))
	must(t, m.Handle(ctx, &tg.UpdatesCombined{Updates: []tg.UpdateClass{newMessage(2, 12)}, Users: []tg.UserClass{},
		Chats: []tg.ChatClass{}, Date: 400, SeqStart: 7, Seq: 8}))
	if st := m.State(); st.Seq != 8 || st.Date != 400 || st.Pts != 12 {
		t.Errorf("state %+v, want seq 8, date 400, pts 12", st)
	}
	if got := ids(rec.got); !slices.Equal(got, []int{1, 2}) || len(rec.got) != 3 {
		t.Errorf("delivered %v in %d values", got, len(rec.got))
	}
	// seq 10 after 8: a gap.
	srv.answer = func(tg.Object) (bin.Encoder, error) { return &tg.UpdatesDifferenceEmpty{Date: 500, Seq: 10}, nil }
	must(t, m.Handle(ctx, upd(10, newMessage(3, 13))))
	if names := srv.names(); !slices.Equal(names, []string{"updates.getDifference"}) {
		t.Errorf("calls %v", names)
	}
	if st := m.State(); st.Seq != 10 || st.Date != 500 {
		t.Errorf("state %+v after differenceEmpty", st)
	}
}

// TestPartlyApplied: of an Updates value whose first update was applied
// before, only the rest is delivered.
func TestPartlyApplied(t *testing.T) {
	ctx := context.Background()
	m, rec, _ := newManager(t, &server{t: t}, session.UpdateState{Pts: 11, Date: 1}, updates.Options{})
	must(t, m.Handle(ctx, &tg.Updates{Updates: []tg.UpdateClass{newMessage(1, 11), newMessage(2, 12)},
		Users: []tg.UserClass{}, Chats: []tg.ChatClass{}}))
	if got := ids(rec.got); !slices.Equal(got, []int{2}) {
		t.Errorf("delivered %v, want [2]", got)
	}
}

func TestQts(t *testing.T) {
	ctx := context.Background()
	srv := &server{t: t}
	m, rec, _ := newManager(t, srv, session.UpdateState{Pts: 1, Qts: 4, Date: 1}, updates.Options{})
	stop := func(qts int) *tg.UpdateShort {
		return short(&tg.UpdateBotStopped{UserID: 1, Date: 1, Stopped: true, Qts: qts})
	}
	must(t, m.Handle(ctx, stop(5)))
	must(t, m.Handle(ctx, stop(5)))
	if m.State().Qts != 5 || len(rec.got) != 1 {
		t.Errorf("qts %d after %d deliveries", m.State().Qts, len(rec.got))
	}
	srv.answer = func(req tg.Object) (bin.Encoder, error) {
		if r := req.(*tg.UpdatesGetDifferenceRequest); r.Qts != 5 {
			t.Errorf("getDifference from qts %d", r.Qts)
		}
		return &tg.UpdatesDifferenceEmpty{Date: 2, Seq: 0}, nil
	}
	must(t, m.Handle(ctx, stop(7)))
	if len(srv.calls) != 1 {
		t.Error("a qts gap did not fetch the difference")
	}
}

// TestChannel: a channel's first update starts its state; a gap fetches
// that channel's difference with the access hash seen in the update's
// chats, until final.
func TestChannel(t *testing.T) {
	ctx := context.Background()
	const ch = 777
	srv := &server{t: t}
	m, rec, _ := newManager(t, srv, session.UpdateState{Pts: 1, Date: 1}, updates.Options{})
	chats := []tg.ChatClass{&tg.Channel{ID: ch, AccessHash: 4242, Title: "news", Photo: &tg.ChatPhotoEmpty{}}}
	must(t, m.Handle(ctx, &tg.Updates{Updates: []tg.UpdateClass{channelMessage(ch, 1, 50)}, Users: []tg.UserClass{}, Chats: chats}))
	if m.State().Channels[ch] != 50 || m.State().Pts != 1 {
		t.Fatalf("state %+v", m.State())
	}
	round := 0
	srv.answer = func(req tg.Object) (bin.Encoder, error) {
		r := req.(*tg.UpdatesGetChannelDifferenceRequest)
		in := r.Channel.(*tg.InputChannel)
		if in.ChannelID != ch || in.AccessHash != 4242 {
			t.Errorf("getChannelDifference of %+v", in)
		}
		round++
		if round == 1 {
			if r.Pts != 50 {
				t.Errorf("first round from pts %d", r.Pts)
			}
			return &tg.UpdatesChannelDifference{Pts: 52, NewMessages: []tg.MessageClass{channelMessage(ch, 2, 0).Message},
				OtherUpdates: []tg.UpdateClass{}, Chats: chats, Users: []tg.UserClass{}}, nil
		}
		if r.Pts != 52 {
			t.Errorf("second round from pts %d", r.Pts)
		}
		return &tg.UpdatesChannelDifference{Final: true, Pts: 53, NewMessages: []tg.MessageClass{channelMessage(ch, 3, 0).Message},
			OtherUpdates: []tg.UpdateClass{}, Chats: chats, Users: []tg.UserClass{}}, nil
	}
	must(t, m.Handle(ctx, &tg.Updates{Updates: []tg.UpdateClass{channelMessage(ch, 3, 53)}, Users: []tg.UserClass{}, Chats: chats}))
	if got := ids(rec.got); !slices.Equal(got, []int{1, 2, 3}) {
		t.Errorf("delivered %v, want [1 2 3]", got)
	}
	if m.State().Channels[ch] != 53 || round != 2 {
		t.Errorf("channel pts %d after %d rounds", m.State().Channels[ch], round)
	}
	// updateChannelTooLong asks for the difference too; the channel is
	// gone: CHANNEL_PRIVATE removes it from the state.
	srv.answer = func(tg.Object) (bin.Encoder, error) { return nil, tgerr.New(400, "CHANNEL_PRIVATE") }
	must(t, m.Handle(ctx, short(&tg.UpdateChannelTooLong{ChannelID: ch})))
	if _, ok := m.State().Channels[ch]; ok {
		t.Error("a private channel stayed in the state")
	}
}

// TestCatchUp: a state never fetched takes updates.getState; a saved one
// fetches the difference, slices and all, then each channel's, with the
// access hash from ChannelHash; a channel with no known hash is skipped.
func TestCatchUp(t *testing.T) {
	ctx := context.Background()
	srv := &server{t: t, answer: func(tg.Object) (bin.Encoder, error) {
		return &tg.UpdatesState{Pts: 5, Qts: 1, Date: 9, Seq: 3}, nil
	}}
	m, _, saved := newManager(t, srv, session.UpdateState{}, updates.Options{})
	must(t, m.CatchUp(ctx))
	if st := m.State(); st.Pts != 5 || st.Seq != 3 || len(*saved) != 1 {
		t.Errorf("state %+v, %d saves", st, len(*saved))
	}

	srv = &server{t: t}
	srv.answer = func(req tg.Object) (bin.Encoder, error) {
		switch r := req.(type) {
		case *tg.UpdatesGetDifferenceRequest:
			if r.Pts == 5 {
				return &tg.UpdatesDifferenceSlice{NewMessages: []tg.MessageClass{newMessage(1, 0).Message},
					OtherUpdates: []tg.UpdateClass{}, Chats: []tg.ChatClass{}, Users: []tg.UserClass{},
					NewEncryptedMessages: []tg.EncryptedMessageClass{},
					IntermediateState:    tg.UpdatesState{Pts: 6, Date: 10, Seq: 3}}, nil
			}
			return &tg.UpdatesDifference{NewMessages: []tg.MessageClass{newMessage(2, 0).Message},
				OtherUpdates: []tg.UpdateClass{}, Chats: []tg.ChatClass{}, Users: []tg.UserClass{},
				NewEncryptedMessages: []tg.EncryptedMessageClass{},
				State:                tg.UpdatesState{Pts: 7, Date: 11, Seq: 4}}, nil
		case *tg.UpdatesGetChannelDifferenceRequest:
			in := r.Channel.(*tg.InputChannel)
			if in.AccessHash != in.ChannelID*10 {
				t.Errorf("channel %d with hash %d", in.ChannelID, in.AccessHash)
			}
			return &tg.UpdatesChannelDifferenceEmpty{Final: true, Pts: r.Pts + 1}, nil
		}
		return nil, fmt.Errorf("unexpected %s", req.TypeName())
	}
	hashes := func(_ context.Context, id int64) (int64, bool, error) { return id * 10, id != 3, nil }
	m, rec, _ := newManager(t, srv, session.UpdateState{Pts: 5, Date: 9, Seq: 3, Channels: map[int64]int{1: 10, 2: 20, 3: 30}},
		updates.Options{ChannelHash: hashes})
	must(t, m.CatchUp(ctx))
	want := []string{"updates.getDifference", "updates.getDifference", "updates.getChannelDifference", "updates.getChannelDifference"}
	if got := srv.names(); !slices.Equal(got, want) {
		t.Errorf("calls %v, want %v", got, want)
	}
	st := m.State()
	if st.Pts != 7 || st.Channels[1] != 11 || st.Channels[2] != 21 || st.Channels[3] != 30 {
		t.Errorf("state %+v", st)
	}
	if got := ids(rec.got); !slices.Equal(got, []int{1, 2}) {
		t.Errorf("delivered %v", got)
	}
}

func TestDifferenceTooLong(t *testing.T) {
	ctx := context.Background()
	srv := &server{t: t}
	srv.answer = func(req tg.Object) (bin.Encoder, error) {
		if req.(*tg.UpdatesGetDifferenceRequest).Pts == 1 {
			return &tg.UpdatesDifferenceTooLong{Pts: 1000}, nil
		}
		return &tg.UpdatesDifferenceEmpty{Date: 5, Seq: 1}, nil
	}
	m, _, _ := newManager(t, srv, session.UpdateState{Pts: 1, Date: 1}, updates.Options{})
	must(t, m.Handle(ctx, &tg.UpdatesTooLong{}))
	if st := m.State(); st.Pts != 1000 || st.Date != 5 || len(srv.calls) != 2 {
		t.Errorf("state %+v after %d calls", st, len(srv.calls))
	}
}

// TestEndless: a server that slices forever is given up on.
func TestEndless(t *testing.T) {
	srv := &server{t: t, answer: func(tg.Object) (bin.Encoder, error) {
		return &tg.UpdatesDifferenceTooLong{Pts: 2}, nil
	}}
	m, _, _ := newManager(t, srv, session.UpdateState{Pts: 1, Date: 1}, updates.Options{})
	if err := m.Difference(context.Background()); err == nil {
		t.Error("no error")
	}
}

func TestCallError(t *testing.T) {
	srv := &server{t: t, answer: func(tg.Object) (bin.Encoder, error) { return nil, errors.New("network down") }}
	m, _, _ := newManager(t, srv, session.UpdateState{Pts: 1, Date: 1}, updates.Options{})
	if err := m.Handle(context.Background(), &tg.UpdatesTooLong{}); err == nil {
		t.Error("no error")
	}
}
