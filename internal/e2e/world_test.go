package e2e

import (
	"fmt"

	"github.com/tgraw/tgraw/tg"
)

// The fake account's world: its contacts, chats and dialogs. Every access
// hash is distinct, so a hash sent for the wrong peer never matches.
const (
	aliceID   int64 = 1000001 // met in the dialogs, resolved by ID
	bobID     int64 = 1000002 // resolved by username
	carolID   int64 = 1000003 // resolved by phone
	daveID    int64 = 1000004
	erinID    int64 = 1000005
	frankID   int64 = 1000006 // a bot with a username
	graceID   int64 = 1000007
	heidiID   int64 = 1000008
	ivanID    int64 = 1000009    // resolved by username with a raw call
	newsID    int64 = 1234567890 // a broadcast channel
	groupID   int64 = 1987654321 // a supergroup
	familyID  int64 = 4242       // a basic chat
	bobName         = "bob_builder"
	carolTel        = "15551234567"
	newsName        = "tgraw_news"
	frankName       = "frank_bot"
	ivanName        = "ivan_raw"

	carolStars int64 = 25 // the Stars Carol charges for a message

	// newsMarked is the Bot API (TDLib) ID of the news channel.
	newsMarked int64 = -1000000000000 - newsID
)

// hashOf gives each peer of the world its access hash.
func hashOf(id int64) int64 { return id*2654435761 ^ 0x5eed_0000_0000 }

// world is what the fake server knows.
type world struct {
	users    map[int64]*tg.User
	channels map[int64]*tg.Channel
	chats    map[int64]*tg.Chat
	dialogs  []dialogEntry
}

// dialogEntry is one dialog and its top message.
type dialogEntry struct {
	peer tg.PeerClass
	top  *tg.Message
}

func newWorld() *world {
	w := &world{
		users:    map[int64]*tg.User{},
		channels: map[int64]*tg.Channel{},
		chats:    map[int64]*tg.Chat{},
	}
	user := func(id int64, first, username, phone string) *tg.User {
		u := &tg.User{
			ID:         id,
			AccessHash: hashOf(id),
			FirstName:  first,
			Username:   username,
			Phone:      phone,
			Contact:    phone != "",
		}
		w.users[id] = u
		return u
	}
	user(aliceID, "Alice", "", "")
	user(bobID, "Bob", bobName, "")
	// Carol charges Stars for messages: a field that layer 170 does not
	// have.
	user(carolID, "Carol", "", carolTel).SendPaidMessagesStars = carolStars
	user(daveID, "Dave", "", "")
	user(erinID, "Erin", "", "")
	user(frankID, "Frank", frankName, "").Bot = true
	user(graceID, "Grace", "", "")
	user(heidiID, "Heidi", "", "")
	user(ivanID, "Ivan", ivanName, "")
	w.channels[newsID] = &tg.Channel{
		ID:         newsID,
		AccessHash: hashOf(newsID),
		Title:      "tgraw news",
		Username:   newsName,
		Broadcast:  true,
		Photo:      &tg.ChatPhotoEmpty{},
		Date:       1600000000,
	}
	w.channels[groupID] = &tg.Channel{
		ID:         groupID,
		AccessHash: hashOf(groupID),
		Title:      "tgraw users",
		Megagroup:  true,
		Photo:      &tg.ChatPhotoEmpty{},
		Date:       1600000001,
	}
	w.chats[familyID] = &tg.Chat{
		ID:                familyID,
		Title:             "Family",
		Photo:             &tg.ChatPhotoEmpty{},
		ParticipantsCount: 3,
		Date:              1600000002,
		Version:           1,
	}

	// Ten dialogs, newest first. With pages of three, the pages end on a
	// channel, a basic chat and a user, so each kind of offset_peer is sent.
	const newest = 1700001000
	add := func(peer tg.PeerClass, msgID int, from tg.PeerClass) {
		m := &tg.Message{
			ID:      msgID,
			PeerID:  peer,
			FromID:  from,
			Date:    newest - 10*len(w.dialogs),
			Message: fmt.Sprintf("message %d", msgID),
		}
		w.dialogs = append(w.dialogs, dialogEntry{peer: peer, top: m})
	}
	add(&tg.PeerUser{UserID: aliceID}, 910, &tg.PeerUser{UserID: aliceID})
	add(&tg.PeerChannel{ChannelID: newsID}, 77, nil)
	add(&tg.PeerChannel{ChannelID: groupID}, 5150, &tg.PeerUser{UserID: daveID}) // end of page 1
	add(&tg.PeerUser{UserID: daveID}, 905, &tg.PeerUser{UserID: daveID})
	add(&tg.PeerUser{UserID: erinID}, 904, &tg.PeerUser{UserID: erinID})
	add(&tg.PeerChat{ChatID: familyID}, 903, &tg.PeerUser{UserID: graceID}) // end of page 2
	add(&tg.PeerUser{UserID: frankID}, 902, &tg.PeerUser{UserID: frankID})
	add(&tg.PeerUser{UserID: graceID}, 901, &tg.PeerUser{UserID: graceID})
	add(&tg.PeerUser{UserID: heidiID}, 900, &tg.PeerUser{UserID: heidiID}) // end of page 3
	add(&tg.PeerChat{ChatID: familyID + 1}, 899, &tg.PeerUser{UserID: heidiID})
	w.chats[familyID+1] = &tg.Chat{
		ID:                familyID + 1,
		Title:             "Old group",
		Photo:             &tg.ChatPhotoEmpty{},
		ParticipantsCount: 2,
		Date:              1600000003,
		Version:           1,
	}
	return w
}

// difference is the answer to updates.getDifference: a message from
// Carol, with the Stars she charged for it.
func (w *world) difference() *tg.UpdatesDifference {
	return &tg.UpdatesDifference{
		NewMessages: []tg.MessageClass{&tg.Message{
			ID:               912,
			PeerID:           &tg.PeerUser{UserID: carolID},
			FromID:           &tg.PeerUser{UserID: carolID},
			Date:             1700001100,
			Message:          "paid for",
			PaidMessageStars: carolStars,
		}},
		NewEncryptedMessages: []tg.EncryptedMessageClass{},
		OtherUpdates:         []tg.UpdateClass{},
		Chats:                []tg.ChatClass{},
		Users:                []tg.UserClass{w.users[carolID]},
		State:                tg.UpdatesState{Pts: 2, Date: 1700001100, Seq: 1},
	}
}

// inputPeer is the InputPeer a client must send for peer.
func (w *world) inputPeer(p tg.PeerClass) tg.InputPeerClass {
	switch p := p.(type) {
	case *tg.PeerUser:
		return &tg.InputPeerUser{UserID: p.UserID, AccessHash: w.users[p.UserID].AccessHash}
	case *tg.PeerChat:
		return &tg.InputPeerChat{ChatID: p.ChatID}
	case *tg.PeerChannel:
		return &tg.InputPeerChannel{ChannelID: p.ChannelID, AccessHash: w.channels[p.ChannelID].AccessHash}
	}
	panic(fmt.Sprintf("unknown peer %T", p))
}

// inputUser and inputChannel are what a client must send for a user or a
// channel of the world.
func (w *world) inputUser(id int64) tg.InputUserClass {
	return &tg.InputUser{UserID: id, AccessHash: w.users[id].AccessHash}
}

func (w *world) inputChannel(id int64) tg.InputChannelClass {
	return &tg.InputChannel{ChannelID: id, AccessHash: w.channels[id].AccessHash}
}

// entities collects the users and chats that peers refer to, each once,
// in the order met.
type entities struct {
	w     *world
	seen  map[string]bool
	users []tg.UserClass
	chats []tg.ChatClass
}

func (w *world) entities() *entities { return &entities{w: w, seen: map[string]bool{}} }

func (e *entities) add(p tg.PeerClass) {
	switch p := p.(type) {
	case nil:
	case *tg.PeerUser:
		if k := fmt.Sprint("u", p.UserID); !e.seen[k] {
			e.seen[k] = true
			e.users = append(e.users, e.w.users[p.UserID])
		}
	case *tg.PeerChat:
		if k := fmt.Sprint("c", p.ChatID); !e.seen[k] {
			e.seen[k] = true
			e.chats = append(e.chats, e.w.chats[p.ChatID])
		}
	case *tg.PeerChannel:
		if k := fmt.Sprint("ch", p.ChannelID); !e.seen[k] {
			e.seen[k] = true
			e.chats = append(e.chats, e.w.channels[p.ChannelID])
		}
	}
}
