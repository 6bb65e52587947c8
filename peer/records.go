package peer

import (
	"reflect"
	"slices"
	"strings"

	"github.com/tgraw/tgraw/tg"
)

// This file finds the peers in a value: the records of users, chats and
// channels, the message context of min peers and the migrations of basic
// groups. schema.go tells it where to look.

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
