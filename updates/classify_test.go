package updates

import (
	"testing"

	"github.com/tgraw/tgraw/tg"
)

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		u    tg.UpdateClass
		want position
	}{
		{&tg.UpdateNewMessage{Message: &tg.Message{PeerID: &tg.PeerUser{UserID: 1}}, Pts: 5, PtsCount: 1}, position{box: commonBox, pts: 5, count: 1}},
		{&tg.UpdateDeleteMessages{Pts: 7, PtsCount: 2}, position{box: commonBox, pts: 7, count: 2}},
		{&tg.UpdateNewChannelMessage{Message: &tg.Message{PeerID: &tg.PeerChannel{ChannelID: 9}}, Pts: 3, PtsCount: 1}, position{box: channelBox, pts: 3, count: 1, channel: 9}},
		{&tg.UpdateEditChannelMessage{Message: &tg.MessageService{PeerID: &tg.PeerChannel{ChannelID: 8}}, Pts: 4, PtsCount: 1}, position{box: channelBox, pts: 4, count: 1, channel: 8}},
		{&tg.UpdateDeleteChannelMessages{ChannelID: 6, Pts: 2, PtsCount: 1}, position{box: channelBox, pts: 2, count: 1, channel: 6}},
		{&tg.UpdateNewChannelMessage{Message: &tg.MessageEmpty{}, Pts: 3, PtsCount: 1}, position{}},
		{&tg.UpdateReadChannelInbox{ChannelID: 6, Pts: 2}, position{}},
		{&tg.UpdateBotStopped{Qts: 11}, position{box: qtsBox, pts: 11, count: 1}},
		{&tg.UpdateNewEncryptedMessage{Message: &tg.EncryptedMessage{}, Qts: 12}, position{box: qtsBox, pts: 12, count: 1}},
		{&tg.UpdateChannelTooLong{ChannelID: 5}, position{box: channelTooLong, channel: 5}},
		{&tg.UpdateUserStatus{}, position{}},
		{nil, position{}},
	} {
		if got := classify(tc.u); got != tc.want {
			t.Errorf("%T: %+v, want %+v", tc.u, got, tc.want)
		}
	}
}
