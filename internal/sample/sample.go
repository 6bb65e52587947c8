// Package sample holds the values that the benchmarks of tg and of the
// differential tests measure, so that both measure the same bytes.
package sample

import (
	"fmt"

	"github.com/tgraw/tgraw/tg"
)

// ChannelMessages is a messages.channelMessages as a channel history call
// returns it, about 25 KB: 100 messages of a channel, with text entities,
// replies and forwards from 20 channels, and the 50 users who wrote them.
func ChannelMessages() *tg.MessagesChannelMessages {
	const channelID = 1_500_000_001
	r := &tg.MessagesChannelMessages{Pts: 4_000_000, Count: 100_000}
	for i := 0; i < 100; i++ {
		text := fmt.Sprintf("Message %d: the quick brown fox jumps over the lazy dog", i)
		m := &tg.Message{
			Out:      i%5 == 0,
			ID:       100_000 + i,
			FromID:   &tg.PeerUser{UserID: int64(1_000_000 + i%50)},
			PeerID:   &tg.PeerChannel{ChannelID: channelID},
			Date:     1_700_000_000 + 60*i,
			Message:  text,
			Entities: []tg.MessageEntityClass{&tg.MessageEntityBold{Offset: 0, Length: 7}, &tg.MessageEntityURL{Offset: 11, Length: 5}},
			Views:    1000 + i,
			Forwards: i % 3,
		}
		if i%4 == 1 {
			m.ReplyTo = &tg.MessageReplyHeader{ReplyToMsgID: 100_000 + i - 1}
		}
		if i%5 == 3 {
			m.FwdFrom = &tg.MessageFwdHeader{FromID: &tg.PeerChannel{ChannelID: int64(channelID + 1 + i%19)}, Date: 1_690_000_000}
		}
		r.Messages = append(r.Messages, m)
	}
	for i := 0; i < 50; i++ {
		r.Users = append(r.Users, &tg.User{
			Contact:    i%2 == 0,
			Premium:    i%7 == 0,
			ID:         int64(1_000_000 + i),
			AccessHash: int64(i) * 0x1234_5678_9abc,
			FirstName:  fmt.Sprintf("User%d", i),
			LastName:   "Tès",
			Username:   fmt.Sprintf("user_%d", i),
			Photo:      &tg.UserProfilePhoto{PhotoID: int64(5_000_000_000 + i), StrippedThumb: make([]byte, 40), DCID: 2},
			Status:     &tg.UserStatusOffline{WasOnline: 1_700_000_000 - i},
			LangCode:   "en",
		})
	}
	for i := 0; i < 20; i++ {
		r.Chats = append(r.Chats, &tg.Channel{
			Broadcast:  true,
			ID:         int64(channelID + i),
			AccessHash: int64(77 + i),
			Title:      fmt.Sprintf("tgraw news %d", i),
			Username:   fmt.Sprintf("tgraw%d", i),
			Photo:      &tg.ChatPhotoEmpty{},
			Date:       1_600_000_000,
		})
	}
	return r
}
