package peer

import (
	"fmt"
	"strconv"
)

// Limits of raw IDs, as TDLib checks them.
const (
	// MaxUserID is the largest user ID: 2^40-1.
	MaxUserID int64 = 1<<40 - 1
	// MaxChatID is the largest basic chat ID.
	MaxChatID int64 = 999999999999
	// MaxChannelID is the largest ID of a regular channel: 10^12 - 2^31 - 1.
	MaxChannelID int64 = 997852516352 - 1
	// MinMonoforumID and MaxMonoforumID bound the IDs of monoforum channels
	// (the direct-message forums of broadcast channels).
	MinMonoforumID int64 = 1002147483649
	MaxMonoforumID int64 = 3000000000000 - 1

	// zeroChannelID is the marked ID of channel 0: channel N is
	// zeroChannelID - N.
	zeroChannelID int64 = -1000000000000
	// zeroSecretChatID is the marked ID of secret chat 0: secret chat N is
	// zeroSecretChatID + N.
	zeroSecretChatID int64 = -2000000000000
)

// Ranges of marked IDs, as TDLib's DialogId lays them out from 0 downwards.
const (
	minMarkedChat       = -MaxChatID                     // -999999999999
	maxMarkedChannel    = zeroChannelID - 1              // -1000000000001
	minMarkedChannel    = zeroChannelID - MaxChannelID   // -1997852516351
	maxMarkedSecretChat = zeroSecretChatID + (1<<31 - 1) // -1997852516353
	minMarkedSecretChat = zeroSecretChatID - 1<<31       // -2002147483648
	maxMarkedMonoforum  = zeroChannelID - MinMonoforumID // -2002147483649
	minMarkedMonoforum  = zeroChannelID - MaxMonoforumID // -3999999999999
	markedRanges        = "users are 1..1099511627775, basic chats -1..-999999999999, " +
		"channels -1000000000001..-1997852516351 and, for monoforums, -2002147483649..-3999999999999"
)

// IDError reports an ID outside the ranges Telegram uses. Kind is the kind
// the ID was given for (zero for a marked ID of no known kind); Marked
// reports whether ID is a marked (Bot API style) ID.
type IDError struct {
	ID     int64
	Kind   Kind
	Marked bool
	// SecretChat is set for the marked ID of a secret chat.
	SecretChat bool
}

func (e *IDError) Error() string { return "peer: " + e.reason() }

// reason is the message of the error without the package prefix, for
// errors that wrap it.
func (e *IDError) reason() string {
	id := strconv.FormatInt(e.ID, 10)
	switch {
	case e.SecretChat:
		return fmt.Sprintf("marked ID %s is secret chat %d: secret chats are not peers of the raw API "+
			"(use the user you chat with, or the end-to-end encrypted layer)", id, e.ID-zeroSecretChatID)
	case e.Marked && e.Kind == 0:
		return "marked ID " + id + " is not a peer ID: " + markedRanges
	case e.Marked:
		return "marked ID " + id + " is not a valid " + e.Kind.String() + " ID: " + kindRange(e.Kind, true)
	case !e.Kind.Valid():
		return "invalid peer kind " + e.Kind.String() + " for ID " + id + ": want user, chat or channel"
	default:
		return e.Kind.String() + " ID " + id + " is out of range: " + kindRange(e.Kind, false)
	}
}

func kindRange(k Kind, marked bool) string {
	switch {
	case k == KindUser:
		return "users are 1..1099511627775"
	case k == KindChat && marked:
		return "basic chats are -1..-999999999999"
	case k == KindChat:
		return "basic chats are 1..999999999999"
	case k == KindChannel && marked:
		return "channels are -1000000000001..-1997852516351, monoforums -2002147483649..-3999999999999"
	case k == KindChannel:
		return "channels are 1..997852516351, monoforums 1002147483649..2999999999999"
	}
	return "no such kind"
}

// Validate returns an *IDError if k's kind is invalid or its ID is outside
// the range of that kind.
func (k Key) Validate() error {
	ok := false
	switch k.Kind {
	case KindUser:
		ok = k.ID >= 1 && k.ID <= MaxUserID
	case KindChat:
		ok = k.ID >= 1 && k.ID <= MaxChatID
	case KindChannel:
		ok = k.ID >= 1 && k.ID <= MaxChannelID || k.ID >= MinMonoforumID && k.ID <= MaxMonoforumID
	}
	if !ok {
		return &IDError{ID: k.ID, Kind: k.Kind}
	}
	return nil
}

// Marked returns the marked (Bot API and TDLib) ID of the peer: the user ID
// itself for a user, -id for a basic chat and -1000000000000-id for a
// channel. It returns an *IDError if k is not valid.
func (k Key) Marked() (int64, error) {
	if err := k.Validate(); err != nil {
		return 0, err
	}
	switch k.Kind {
	case KindChat:
		return -k.ID, nil
	case KindChannel:
		return zeroChannelID - k.ID, nil
	default:
		return k.ID, nil
	}
}

// ParseMarked returns the key of a marked ID. A marked ID in the range of
// secret chats, or outside every range, gives an *IDError naming the ranges.
func ParseMarked(id int64) (Key, error) {
	switch {
	case id >= 1 && id <= MaxUserID:
		return Key{Kind: KindUser, ID: id}, nil
	case id >= minMarkedChat && id <= -1:
		return Key{Kind: KindChat, ID: -id}, nil
	case id >= minMarkedChannel && id <= maxMarkedChannel:
		return Key{Kind: KindChannel, ID: zeroChannelID - id}, nil
	case id == minMarkedChannel-1:
		// TDLib's DialogId still calls this a channel, but no channel has it.
		return Key{}, &IDError{ID: id, Kind: KindChannel, Marked: true}
	case id >= minMarkedSecretChat && id <= maxMarkedSecretChat && id != zeroSecretChatID:
		return Key{}, &IDError{ID: id, Marked: true, SecretChat: true}
	case id >= minMarkedMonoforum && id <= maxMarkedMonoforum:
		return Key{Kind: KindChannel, ID: zeroChannelID - id}, nil
	case id == minMarkedMonoforum-1:
		return Key{}, &IDError{ID: id, Kind: KindChannel, Marked: true}
	}
	return Key{}, &IDError{ID: id, Marked: true}
}
