package peer

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"

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

type learningInvoker struct {
	next tg.Invoker
	l    *Learner
}

// resultHolder is implemented by decoders that hold a decoded result: the
// value is walked directly, with no second decoding.
type resultHolder interface {
	Result() any
}

func (i *learningInvoker) Invoke(ctx context.Context, input bin.Encoder, output bin.Decoder) error {
	switch output.(type) {
	case resultHolder, tg.Object:
		if err := i.next.Invoke(ctx, input, output); err != nil {
			return err
		}
		var v any = output
		if h, ok := output.(resultHolder); ok {
			v = h.Result()
		}
		i.l.report(i.l.Learn(ctx, v))
		return nil
	}
	// An opaque decoder: keep a copy of the result's bytes and decode them
	// once more through the schema's registry.
	t := &teeDecoder{out: output}
	if err := i.next.Invoke(ctx, input, t); err != nil {
		return err
	}
	if t.raw != nil {
		if v := decodeAny(t.raw); v != nil {
			i.l.report(i.l.Learn(ctx, v))
		}
	}
	return nil
}

type teeDecoder struct {
	out bin.Decoder
	raw []byte
}

func (t *teeDecoder) Decode(b *bin.Buffer) error {
	raw := append([]byte(nil), b.Buf...)
	if err := t.out.Decode(b); err != nil {
		return err
	}
	t.raw = raw
	return nil
}

// decodeAny decodes a boxed object or a vector of boxed objects, or
// returns nil.
func decodeAny(raw []byte) any {
	b := &bin.Buffer{Buf: raw}
	id, err := b.PeekID()
	if err != nil {
		return nil
	}
	if id != bin.TypeVector {
		v, err := tg.DecodeObject(b)
		if err != nil {
			return nil
		}
		return v
	}
	n, err := b.VectorHeader()
	if err != nil || n > b.Len()/4 {
		return nil
	}
	out := make([]tg.Object, 0, n)
	for range n {
		v, err := tg.DecodeObject(b)
		if err != nil {
			return nil // a vector of primitives, or garbage
		}
		out = append(out, v)
	}
	return out
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

// Records returns a record for every user, chat and channel found in v, at
// any depth, in the order met. v is usually a result or an update; min
// peers get the message context they were seen in.
func Records(v any) []Record {
	if v == nil {
		return nil
	}
	c := collector{an: schemaAnalysis()}
	c.walk(reflect.ValueOf(v))
	if len(c.ctx) > 0 {
		for i := range c.recs {
			if r := &c.recs[i]; r.Min {
				r.FromMessage = c.ctx[r.Key]
			}
		}
	}
	return c.recs
}

type collector struct {
	an   *analysis
	recs []Record
	ctx  map[Key]MessageRef
}

func (c *collector) walk(v reflect.Value) {
	switch v.Kind() {
	case reflect.Interface:
		if !v.IsNil() {
			c.walk(v.Elem())
		}
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		fields, ok := c.an.fields[v.Type()]
		if !ok {
			return
		}
		if c.leaf(v.Interface()) {
			return
		}
		s := v.Elem()
		for _, i := range fields {
			c.walk(s.Field(i))
		}
	case reflect.Slice:
		t := v.Type()
		if known, ok := c.an.slices[t]; ok && !known {
			return
		}
		if t == userSliceType || t == chatSliceType {
			c.recs = slices.Grow(c.recs, v.Len())
		}
		for i := range v.Len() {
			c.walk(v.Index(i))
		}
	}
}

// leaf records users, chats and message contexts. It returns true when
// nothing inside x needs walking.
func (c *collector) leaf(x any) bool {
	switch o := x.(type) {
	case *tg.User:
		c.recs = append(c.recs, UserRecord(o))
	case *tg.Chat:
		rec := Record{Key: ChatKey(o.ID), Title: o.Title}
		// A basic group that became a supergroup names it, access hash
		// included.
		if to, ok := o.MigratedTo.(*tg.InputChannel); ok && ChannelKey(to.ChannelID).Validate() == nil {
			rec.MigratedTo = to.ChannelID
			c.recs = append(c.recs, rec, Record{
				Key: ChannelKey(to.ChannelID), AccessHash: to.AccessHash, HasHash: to.AccessHash != 0,
			})
			return true
		}
		c.recs = append(c.recs, rec)
	case *tg.ChatForbidden:
		c.recs = append(c.recs, Record{Key: ChatKey(o.ID), Title: o.Title})
	case *tg.Channel:
		c.recs = append(c.recs, ChannelRecord(o))
	case *tg.ChannelForbidden:
		c.recs = append(c.recs, Record{
			Key: ChannelKey(o.ID), AccessHash: o.AccessHash, HasHash: true,
			Title: o.Title, Broadcast: o.Broadcast,
		})
	case *tg.Message:
		if ref, ok := messageRef(o.PeerID, o.ID); ok {
			c.sighting(o.FromID, ref)
			if o.FwdFrom != nil {
				c.sighting(o.FwdFrom.FromID, ref)
			}
		}
		return false
	case *tg.MessageService:
		if ref, ok := messageRef(o.PeerID, o.ID); ok {
			c.sighting(o.FromID, ref)
			c.migration(o.Action, ref.Peer)
		}
		return false
	case *tg.ChannelFull:
		c.migrated(o.MigratedFromChatID, o.ID, "")
		return false
	default:
		return false
	}
	return true
}

func messageRef(p tg.PeerClass, id int) (MessageRef, bool) {
	key, err := KeyOfPeer(p)
	if err != nil || id == 0 {
		return MessageRef{}, false
	}
	return MessageRef{Peer: key, MsgID: id}, true
}

// sighting notes the first message p was seen in. The chat the message is
// in is not noted: a peer cannot be addressed through its own messages.
func (c *collector) sighting(p tg.PeerClass, ref MessageRef) {
	if p == nil {
		return
	}
	key, err := KeyOfPeer(p)
	if err != nil || key.Kind == KindChat || key == ref.Peer {
		return
	}
	if c.ctx == nil {
		c.ctx = make(map[Key]MessageRef)
	}
	if _, ok := c.ctx[key]; !ok {
		c.ctx[key] = ref
	}
}

// migration records the migration of a basic group to a supergroup that a
// service message in the chat in announces.
func (c *collector) migration(action tg.MessageActionClass, in Key) {
	switch a := action.(type) {
	case *tg.MessageActionChatMigrateTo:
		if in.Kind == KindChat {
			c.migrated(in.ID, a.ChannelID, "")
		}
	case *tg.MessageActionChannelMigrateFrom:
		if in.Kind == KindChannel {
			c.migrated(a.ChatID, in.ID, a.Title)
		}
	}
}

// migrated records that basic chat became supergroup channel, if both IDs
// are valid.
func (c *collector) migrated(chat, channel int64, title string) {
	if ChatKey(chat).Validate() == nil && ChannelKey(channel).Validate() == nil {
		c.recs = append(c.recs, Record{Key: ChatKey(chat), Title: title, MigratedTo: channel})
	}
}

// UserRecord returns the record of a user object.
func UserRecord(u *tg.User) Record {
	return Record{
		Key:        UserKey(u.ID),
		AccessHash: u.AccessHash,
		HasHash:    userHasHash(u),
		Min:        u.Min,
		Usernames:  usernames(u.Min, u.Username, u.Usernames),
		Phone:      u.Phone,
		Self:       u.Self,
		Bot:        u.Bot,
		Title:      strings.TrimSpace(u.FirstName + " " + u.LastName),
	}
}

// ChannelRecord returns the record of a channel object.
func ChannelRecord(ch *tg.Channel) Record {
	return Record{
		Key:        ChannelKey(ch.ID),
		AccessHash: ch.AccessHash,
		HasHash:    channelHasHash(ch),
		Min:        ch.Min,
		Usernames:  usernames(ch.Min, ch.Username, ch.Usernames),
		Broadcast:  ch.Broadcast,
		Title:      ch.Title,
	}
}

// usernames lists the active usernames of an object: the main one and the
// active ones of the usernames vector. A full object's list is complete,
// so an empty one is returned as an empty, non-nil slice; a min object
// without usernames says nothing about them and gives nil.
func usernames(minObj bool, main string, list []tg.Username) []string {
	if main == "" && len(list) == 0 {
		if minObj {
			return nil
		}
		return []string{}
	}
	out := make([]string, 0, 1+len(list))
	main = NormalizeUsername(main)
	if main != "" {
		out = append(out, main)
	}
	for _, u := range list {
		if u.Active && u.Username != "" {
			if n := NormalizeUsername(u.Username); n != main {
				out = append(out, n)
			}
		}
	}
	return out
}

// analysis tells, for each type of the schema, whether a value of it can
// hold a user, chat, channel or message, and through which fields.
type analysis struct {
	// fields maps each pointer-to-struct type that can hold one to the
	// indexes of the fields that can. A type missing here holds none.
	fields map[reflect.Type][]int
	// slices records, for slice types met in fields, whether their
	// elements can hold one. Unknown slices are walked.
	slices map[reflect.Type]bool
}

var (
	analysisOnce sync.Once
	theAnalysis  *analysis
)

func schemaAnalysis() *analysis {
	analysisOnce.Do(func() { theAnalysis = analyze() })
	return theAnalysis
}

var (
	userSliceType = reflect.TypeFor[[]tg.UserClass]()
	chatSliceType = reflect.TypeFor[[]tg.ChatClass]()
)

var targetTypes = []reflect.Type{
	reflect.TypeFor[*tg.User](),
	reflect.TypeFor[*tg.Chat](),
	reflect.TypeFor[*tg.ChatForbidden](),
	reflect.TypeFor[*tg.Channel](),
	reflect.TypeFor[*tg.ChannelForbidden](),
	reflect.TypeFor[*tg.Message](),
	reflect.TypeFor[*tg.MessageService](),
	reflect.TypeFor[*tg.ChannelFull](),
}

// analyze builds the reverse type graph of the schema (which types each
// type can be found in) and marks everything a target can be found in.
func analyze() *analysis {
	var concrete []reflect.Type
	for _, id := range tg.IDs() {
		if obj := tg.New(id); obj != nil {
			concrete = append(concrete, reflect.TypeOf(obj))
		}
	}
	// parents[t] lists the types a value of type t can be found in.
	parents := make(map[reflect.Type][]reflect.Type)
	ifaces := make(map[reflect.Type]bool)
	seen := make(map[reflect.Type]bool)
	var addEdges func(t reflect.Type)
	addEdges = func(t reflect.Type) {
		if seen[t] {
			return
		}
		seen[t] = true
		switch t.Kind() {
		case reflect.Pointer:
			if t.Elem().Kind() == reflect.Struct {
				s := t.Elem()
				for i := range s.NumField() {
					ft := s.Field(i).Type
					parents[ft] = append(parents[ft], t)
					addEdges(ft)
				}
			}
		case reflect.Slice:
			parents[t.Elem()] = append(parents[t.Elem()], t)
			addEdges(t.Elem())
		case reflect.Interface:
			ifaces[t] = true
		}
	}
	for _, t := range concrete {
		addEdges(t)
	}
	for it := range ifaces {
		for _, t := range concrete {
			if t.Implements(it) {
				parents[t] = append(parents[t], it)
			}
		}
	}
	holds := make(map[reflect.Type]bool)
	queue := append([]reflect.Type(nil), targetTypes...)
	for _, t := range queue {
		holds[t] = true
	}
	for len(queue) > 0 {
		t := queue[0]
		queue = queue[1:]
		for _, p := range parents[t] {
			if !holds[p] {
				holds[p] = true
				queue = append(queue, p)
			}
		}
	}
	an := &analysis{fields: make(map[reflect.Type][]int), slices: make(map[reflect.Type]bool)}
	for t := range seen {
		switch t.Kind() {
		case reflect.Pointer:
			if !holds[t] || t.Elem().Kind() != reflect.Struct {
				continue
			}
			s := t.Elem()
			idx := []int{}
			for i := range s.NumField() {
				if holds[s.Field(i).Type] {
					idx = append(idx, i)
				}
			}
			an.fields[t] = idx
		case reflect.Slice:
			an.slices[t] = holds[t]
		}
	}
	// Results of calls that return a vector, such as users.getUsers.
	for _, t := range []reflect.Type{reflect.TypeFor[[]tg.Object]()} {
		an.slices[t] = true
	}
	return an
}
