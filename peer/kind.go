package peer

import "strconv"

// Kind is the kind of a peer: a user, a basic chat or a channel (a
// supergroup or a broadcast channel). The zero Kind is invalid.
type Kind uint8

// The kinds of peers of the raw API.
const (
	KindUser    Kind = 1 // a user or a bot
	KindChat    Kind = 2 // a basic group chat
	KindChannel Kind = 3 // a channel, a supergroup or a monoforum
)

// String returns "user", "chat" or "channel", or "Kind(N)" for an invalid kind.
func (k Kind) String() string {
	switch k {
	case KindUser:
		return "user"
	case KindChat:
		return "chat"
	case KindChannel:
		return "channel"
	default:
		return "Kind(" + strconv.Itoa(int(k)) + ")"
	}
}

// Valid reports whether k is one of KindUser, KindChat and KindChannel.
func (k Kind) Valid() bool { return k >= KindUser && k <= KindChannel }

// Key names a peer: its kind and its raw ID, the ID that Telegram sends in
// user.id, chat.id and channel.id (never a marked ID).
type Key struct {
	Kind Kind
	ID   int64
}

// UserKey, ChatKey and ChannelKey build keys from raw IDs.
func UserKey(id int64) Key { return Key{Kind: KindUser, ID: id} }

// ChatKey returns the key of the basic chat with the raw ID id.
func ChatKey(id int64) Key { return Key{Kind: KindChat, ID: id} }

// ChannelKey returns the key of the channel with the raw ID id.
func ChannelKey(id int64) Key { return Key{Kind: KindChannel, ID: id} }

// String returns the kind and the raw ID, for example "channel 1234567890".
func (k Key) String() string {
	return k.Kind.String() + " " + strconv.FormatInt(k.ID, 10)
}

// IsZero reports whether k is the zero Key.
func (k Key) IsZero() bool { return k == Key{} }
