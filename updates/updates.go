// Package updates keeps an account's updates in order: the common pts
// and qts sequences, seq and date, and the pts of each channel. It applies
// the updates the server pushes in their order, skips those already
// applied, and fills gaps with updates.getDifference and
// updates.getChannelDifference, as https://core.telegram.org/api/updates
// describes; at start it catches up from a saved state. It needs no
// network of its own: calls go through a tg.Invoker, and the state goes to
// a Save function after each change.
package updates

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"

	"github.com/tgraw/tgraw/session"
	"github.com/tgraw/tgraw/tg"
	"github.com/tgraw/tgraw/tgerr"
)

// Handler handles updates. It has the method of peer.UpdateHandler, so a
// peer.Learner's Handler, which stores the users and chats of each update
// first, is one.
type Handler interface {
	Handle(ctx context.Context, u tg.UpdatesClass) error
}

// HandlerFunc is a function that is a Handler.
type HandlerFunc func(ctx context.Context, u tg.UpdatesClass) error

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, u tg.UpdatesClass) error { return f(ctx, u) }

// Options configure a Manager.
type Options struct {
	// Handler gets every update applied: the server's Updates values with
	// the updates already applied or fetched in a difference left out, and
	// the differences as tg.Updates (their new messages as
	// updateNewMessage and updateNewChannelMessage with pts_count 0). Its
	// errors are logged; the state moves on.
	Handler Handler
	// Save stores the state after each change; nil keeps it in memory.
	Save func(ctx context.Context, s session.UpdateState) error
	// ChannelHash returns the access hash of a channel, for its
	// difference, when no update has shown the channel yet (after a
	// restart, say): from the peer store.
	ChannelHash func(ctx context.Context, channelID int64) (hash int64, ok bool, err error)
	// Bot raises the channel difference limit to a bot's.
	Bot bool
	// Logger receives gaps, differences and handler errors (debug and
	// warning); nothing by default.
	Logger *slog.Logger
}

// Manager applies one account's updates. Its methods are called from one
// goroutine.
type Manager struct {
	api    *tg.Client
	opts   Options
	log    *slog.Logger
	state  session.UpdateState
	hashes map[int64]int64 // channel access hashes seen in updates
}

// maxRounds bounds the calls of one difference: a server sending slices
// forever cannot keep the client busy forever.
const maxRounds = 1000

// New returns a Manager starting from state that calls api.
func New(api tg.Invoker, state session.UpdateState, opts Options) *Manager {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	state = state.Clone()
	if state.Channels == nil {
		state.Channels = map[int64]int{}
	}
	return &Manager{api: tg.NewClient(api), opts: opts, log: opts.Logger, state: state, hashes: map[int64]int64{}}
}

// State returns a copy of the current state.
func (m *Manager) State() session.UpdateState { return m.state.Clone() }

func (m *Manager) save(ctx context.Context) error {
	if m.opts.Save == nil {
		return nil
	}
	return m.opts.Save(ctx, m.state.Clone())
}

func (m *Manager) deliver(ctx context.Context, u tg.UpdatesClass) {
	if m.opts.Handler == nil {
		return
	}
	if err := m.opts.Handler.Handle(ctx, u); err != nil {
		m.log.Warn("updates: the handler failed", "error", err)
	}
}

// CatchUp brings the state up to date at start: with a state never
// fetched, updates.getState (nothing before it is fetched); else
// updates.getDifference, then updates.getChannelDifference for each
// channel of the state.
func (m *Manager) CatchUp(ctx context.Context) error {
	if m.state.Pts == 0 && m.state.Date == 0 {
		st, err := m.api.UpdatesGetState(ctx, nil)
		if err != nil {
			return fmt.Errorf("updates: updates.getState: %w", err)
		}
		m.setState(*st)
		return m.save(ctx)
	}
	if err := m.Difference(ctx); err != nil {
		return err
	}
	for _, id := range sortedChannels(m.state.Channels) {
		if err := m.ChannelDifference(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

func (m *Manager) setState(s tg.UpdatesState) {
	m.state.Pts, m.state.Qts, m.state.Date, m.state.Seq = s.Pts, s.Qts, s.Date, s.Seq
}

// Handle applies updates the server pushed.
func (m *Manager) Handle(ctx context.Context, u tg.UpdatesClass) error {
	switch u := u.(type) {
	case *tg.UpdatesTooLong:
		return m.Difference(ctx)
	case *tg.UpdateShort:
		kept, gaps := m.filter([]tg.UpdateClass{u.Update})
		if kept != nil {
			m.deliver(ctx, u)
		}
		return m.after(ctx, gaps)
	case *tg.UpdateShortMessage:
		return m.short(ctx, u, u.Pts, u.PtsCount)
	case *tg.UpdateShortChatMessage:
		return m.short(ctx, u, u.Pts, u.PtsCount)
	case *tg.UpdateShortSentMessage:
		return m.short(ctx, u, u.Pts, u.PtsCount)
	case *tg.Updates:
		return m.combined(ctx, u, u.Updates, u.Chats, u.Seq, u.Seq, u.Date, func(kept []tg.UpdateClass) tg.UpdatesClass {
			c := *u
			c.Updates = kept
			return &c
		})
	case *tg.UpdatesCombined:
		return m.combined(ctx, u, u.Updates, u.Chats, u.SeqStart, u.Seq, u.Date, func(kept []tg.UpdateClass) tg.UpdatesClass {
			c := *u
			c.Updates = kept
			return &c
		})
	}
	m.log.Debug("updates: a value of an unknown form is passed on", "type", fmt.Sprintf("%T", u))
	m.deliver(ctx, u)
	return nil
}

// short applies an update of the short forms, which sit in the common
// box.
func (m *Manager) short(ctx context.Context, u tg.UpdatesClass, pts, count int) error {
	switch compare(m.state.Pts, count, pts) {
	case old:
		return nil
	case gap:
		m.log.Debug("updates: gap in pts", "local", m.state.Pts, "pts", pts, "pts_count", count)
		return m.Difference(ctx)
	}
	m.state.Pts = pts
	m.deliver(ctx, u)
	return m.save(ctx)
}

// combined applies updates and updatesCombined: seq first, then each
// update in its own sequence.
func (m *Manager) combined(ctx context.Context, u tg.UpdatesClass, list []tg.UpdateClass, chats []tg.ChatClass,
	seqStart, seq, date int, rebuild func([]tg.UpdateClass) tg.UpdatesClass) error {
	if seqStart != 0 {
		switch {
		case m.state.Seq+1 > seqStart:
			return nil // applied before
		case m.state.Seq+1 < seqStart:
			m.log.Debug("updates: gap in seq", "local", m.state.Seq, "seq_start", seqStart)
			return m.Difference(ctx)
		}
	}
	m.learnHashes(chats)
	kept, gaps := m.filter(list)
	if len(kept) > 0 {
		if len(kept) == len(list) {
			m.deliver(ctx, u)
		} else {
			m.deliver(ctx, rebuild(kept))
		}
	}
	if seq != 0 {
		m.state.Seq, m.state.Date = seq, date
	}
	return m.after(ctx, gaps)
}

// gaps is what filter found missing.
type gaps struct {
	common   bool
	channels []int64
}

// filter keeps the updates that apply now, moving the state past them,
// and reports gaps. An update of a channel whose pts the state does not
// hold yet applies and starts that channel's state.
func (m *Manager) filter(list []tg.UpdateClass) ([]tg.UpdateClass, gaps) {
	var kept []tg.UpdateClass
	var g gaps
	for _, u := range list {
		p := classify(u)
		switch p.box {
		case commonBox, qtsBox:
			local := &m.state.Pts
			if p.box == qtsBox {
				local = &m.state.Qts
			}
			switch compare(*local, p.count, p.pts) {
			case apply:
				*local = p.pts
			case old:
				continue
			case gap:
				g.common = true
				continue
			}
		case channelBox:
			local, known := m.state.Channels[p.channel]
			if known {
				switch compare(local, p.count, p.pts) {
				case old:
					continue
				case gap:
					g.channels = appendNew(g.channels, p.channel)
					continue
				}
			}
			m.state.Channels[p.channel] = p.pts
		case channelTooLong:
			g.channels = appendNew(g.channels, p.channel)
		}
		kept = append(kept, u)
	}
	return kept, g
}

func appendNew(ids []int64, id int64) []int64 {
	for _, x := range ids {
		if x == id {
			return ids
		}
	}
	return append(ids, id)
}

// after saves the state and fills the gaps found.
func (m *Manager) after(ctx context.Context, g gaps) error {
	if err := m.save(ctx); err != nil {
		return err
	}
	if g.common {
		if err := m.Difference(ctx); err != nil {
			return err
		}
	}
	for _, id := range g.channels {
		if err := m.ChannelDifference(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// learnHashes keeps the access hashes of the channels in chats, for their
// differences.
func (m *Manager) learnHashes(chats []tg.ChatClass) {
	for _, c := range chats {
		if ch, ok := c.(*tg.Channel); ok && !ch.Min && ch.AccessHash != 0 {
			m.hashes[ch.ID] = ch.AccessHash
		}
	}
}

// Difference fetches the updates of the common sequences since the state:
// updates.getDifference until the server says it is complete.
func (m *Manager) Difference(ctx context.Context) error {
	for round := 0; round < maxRounds; round++ {
		d, err := m.api.UpdatesGetDifference(ctx, &tg.UpdatesGetDifferenceRequest{
			Pts: m.state.Pts, Date: m.state.Date, Qts: m.state.Qts,
		})
		if err != nil {
			return fmt.Errorf("updates: updates.getDifference: %w", err)
		}
		var g gaps
		switch d := d.(type) {
		case *tg.UpdatesDifferenceEmpty:
			m.state.Date, m.state.Seq = d.Date, d.Seq
			return m.save(ctx)
		case *tg.UpdatesDifference:
			g = m.applyDifference(ctx, d.NewMessages, d.OtherUpdates, d.Users, d.Chats, d.State)
			return m.after(ctx, g)
		case *tg.UpdatesDifferenceSlice:
			g = m.applyDifference(ctx, d.NewMessages, d.OtherUpdates, d.Users, d.Chats, d.IntermediateState)
			if err := m.after(ctx, g); err != nil {
				return err
			}
		case *tg.UpdatesDifferenceTooLong:
			m.state.Pts = d.Pts
			if err := m.save(ctx); err != nil {
				return err
			}
		default:
			return fmt.Errorf("updates: updates.getDifference returned %T", d)
		}
	}
	return fmt.Errorf("updates: updates.getDifference did not end in %d calls", maxRounds)
}

// applyDifference hands a difference to the handler, moves channel states
// forward and takes the difference's state; it returns the channels to
// fetch (updateChannelTooLong).
func (m *Manager) applyDifference(ctx context.Context, msgs []tg.MessageClass, other []tg.UpdateClass,
	users []tg.UserClass, chats []tg.ChatClass, state tg.UpdatesState) gaps {
	m.learnHashes(chats)
	list := make([]tg.UpdateClass, 0, len(msgs)+len(other))
	for _, msg := range msgs {
		list = append(list, &tg.UpdateNewMessage{Message: msg})
	}
	var g gaps
	for _, u := range other {
		p := classify(u)
		switch p.box {
		case channelBox:
			if p.pts > m.state.Channels[p.channel] {
				m.state.Channels[p.channel] = p.pts
			}
		case channelTooLong:
			g.channels = appendNew(g.channels, p.channel)
		}
		list = append(list, u)
	}
	m.setState(state)
	if len(list) > 0 {
		m.deliver(ctx, &tg.Updates{Updates: list, Users: users, Chats: chats, Date: state.Date})
	}
	return g
}

// ChannelDifference fetches a channel's updates since its pts:
// updates.getChannelDifference until the server says they are final. A
// channel whose access hash is unknown is skipped with a warning; one the
// account can no longer read (CHANNEL_PRIVATE, CHANNEL_INVALID) leaves the
// state.
func (m *Manager) ChannelDifference(ctx context.Context, id int64) error {
	hash, ok, err := m.channelHash(ctx, id)
	if err != nil {
		return err
	}
	if !ok {
		m.log.Warn("updates: no access hash for a channel; its updates are not fetched", "channel_id", id)
		return nil
	}
	limit := 100
	if m.opts.Bot {
		limit = 100000
	}
	for round := 0; round < maxRounds; round++ {
		pts, known := m.state.Channels[id]
		if !known || pts == 0 {
			return nil // nothing to start from
		}
		d, err := m.api.UpdatesGetChannelDifference(ctx, &tg.UpdatesGetChannelDifferenceRequest{
			Channel: &tg.InputChannel{ChannelID: id, AccessHash: hash},
			Filter:  &tg.ChannelMessagesFilterEmpty{},
			Pts:     pts,
			Limit:   limit,
		})
		if tgerr.Is(err, "CHANNEL_PRIVATE", "CHANNEL_INVALID") {
			m.log.Debug("updates: a channel left the state", "channel_id", id, "error", err)
			delete(m.state.Channels, id)
			return m.save(ctx)
		}
		if err != nil {
			return fmt.Errorf("updates: updates.getChannelDifference of channel %d: %w", id, err)
		}
		final := false
		switch d := d.(type) {
		case *tg.UpdatesChannelDifferenceEmpty:
			m.state.Channels[id], final = d.Pts, d.Final
		case *tg.UpdatesChannelDifference:
			m.learnHashes(d.Chats)
			m.deliverChannel(ctx, d.NewMessages, d.OtherUpdates, d.Users, d.Chats)
			m.state.Channels[id], final = d.Pts, d.Final
		case *tg.UpdatesChannelDifferenceTooLong:
			m.learnHashes(d.Chats)
			m.deliverChannel(ctx, d.Messages, nil, d.Users, d.Chats)
			if dialog, ok := d.Dialog.(*tg.Dialog); ok && dialog.Pts != 0 {
				m.state.Channels[id] = dialog.Pts
			}
			final = d.Final
		default:
			return fmt.Errorf("updates: updates.getChannelDifference returned %T", d)
		}
		if err := m.save(ctx); err != nil {
			return err
		}
		if final {
			return nil
		}
	}
	return fmt.Errorf("updates: updates.getChannelDifference of channel %d did not end in %d calls", id, maxRounds)
}

func (m *Manager) deliverChannel(ctx context.Context, msgs []tg.MessageClass, other []tg.UpdateClass, users []tg.UserClass, chats []tg.ChatClass) {
	list := make([]tg.UpdateClass, 0, len(msgs)+len(other))
	for _, msg := range msgs {
		list = append(list, &tg.UpdateNewChannelMessage{Message: msg})
	}
	list = append(list, other...)
	if len(list) > 0 {
		m.deliver(ctx, &tg.Updates{Updates: list, Users: users, Chats: chats, Date: m.state.Date})
	}
}

// channelHash finds a channel's access hash: seen in updates, or from
// Options.ChannelHash.
func (m *Manager) channelHash(ctx context.Context, id int64) (int64, bool, error) {
	if h, ok := m.hashes[id]; ok {
		return h, true, nil
	}
	if m.opts.ChannelHash == nil {
		return 0, false, nil
	}
	h, ok, err := m.opts.ChannelHash(ctx, id)
	if err != nil {
		return 0, false, fmt.Errorf("updates: the access hash of channel %d: %w", id, err)
	}
	if ok {
		m.hashes[id] = h
	}
	return h, ok, nil
}

// sortedChannels returns the channel IDs of a state in increasing order,
// so that catching up is deterministic.
func sortedChannels(ch map[int64]int) []int64 {
	return slices.Sorted(maps.Keys(ch))
}
