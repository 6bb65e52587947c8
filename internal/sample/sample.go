// Package sample holds the values that the benchmarks of tg and of the
// differential tests measure, so that both measure the same bytes.
package sample

import (
	"fmt"

	"github.com/tgraw/tgraw/tg"
)

// Messages is a messages.messages as a chat history call returns it:
// 100 messages of a channel, with text entities, replies and forwards, and
// the 100 users they mention.
func Messages() *tg.MessagesMessages {
	const channelID = 1_500_000_001
	r := &tg.MessagesMessages{}
	for i := 0; i < 100; i++ {
		text := fmt.Sprintf("Message %d: the quick brown fox jumps over the lazy dog, https://example.org/%d", i, i)
		m := &tg.Message{
			Out:      i%5 == 0,
			ID:       100_000 + i,
			FromID:   &tg.PeerUser{UserID: int64(1_000_000 + i)},
			PeerID:   &tg.PeerChannel{ChannelID: channelID},
			Date:     1_700_000_000 + 60*i,
			Message:  text,
			Entities: []tg.MessageEntityClass{&tg.MessageEntityBold{Offset: 0, Length: 7}, &tg.MessageEntityURL{Offset: len(text) - 24, Length: 24}},
			Views:    1000 + i,
			Forwards: i % 3,
			EditDate: 1_700_100_000 + i,
		}
		if i%4 == 1 {
			m.ReplyTo = &tg.MessageReplyHeader{ReplyToMsgID: 100_000 + i - 1}
		}
		if i%10 == 3 {
			m.FwdFrom = &tg.MessageFwdHeader{FromID: &tg.PeerUser{UserID: 42}, Date: 1_690_000_000}
		}
		r.Messages = append(r.Messages, m)

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
	r.Chats = []tg.ChatClass{&tg.Channel{
		Broadcast:  true,
		ID:         channelID,
		AccessHash: 77,
		Title:      "tgraw news",
		Username:   "tgraw",
		Photo:      &tg.ChatPhotoEmpty{},
		Date:       1_600_000_000,
	}}
	return r
}
