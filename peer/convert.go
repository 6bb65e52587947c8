package peer

import (
	"fmt"

	"github.com/tgraw/tgraw/tg"
)

// KeyOfPeer returns the key of a tg Peer value.
func KeyOfPeer(p tg.PeerClass) (Key, error) {
	var key Key
	switch v := p.(type) {
	case *tg.PeerUser:
		if v != nil {
			key = UserKey(v.UserID)
		}
	case *tg.PeerChat:
		if v != nil {
			key = ChatKey(v.ChatID)
		}
	case *tg.PeerChannel:
		if v != nil {
			key = ChannelKey(v.ChannelID)
		}
	}
	if key.IsZero() {
		return Key{}, fmt.Errorf("peer: %T is not a peer", p)
	}
	return key, key.Validate()
}

// Peer returns the tg Peer value of the key.
func (k Key) Peer() tg.PeerClass {
	switch k.Kind {
	case KindChat:
		return &tg.PeerChat{ChatID: k.ID}
	case KindChannel:
		return &tg.PeerChannel{ChannelID: k.ID}
	default:
		return &tg.PeerUser{UserID: k.ID}
	}
}

// KeyOfInputPeer returns the key of the peer an InputPeer names. It fails
// for inputPeerSelf and inputPeerEmpty, which carry no ID.
func KeyOfInputPeer(p tg.InputPeerClass) (Key, error) {
	var key Key
	switch v := p.(type) {
	case *tg.InputPeerUser:
		if v != nil {
			key = UserKey(v.UserID)
		}
	case *tg.InputPeerChat:
		if v != nil {
			key = ChatKey(v.ChatID)
		}
	case *tg.InputPeerChannel:
		if v != nil {
			key = ChannelKey(v.ChannelID)
		}
	case *tg.InputPeerUserFromMessage:
		if v != nil {
			key = UserKey(v.UserID)
		}
	case *tg.InputPeerChannelFromMessage:
		if v != nil {
			key = ChannelKey(v.ChannelID)
		}
	}
	if key.IsZero() {
		return Key{}, fmt.Errorf("peer: %T carries no peer ID", p)
	}
	return key, key.Validate()
}

// InputUser converts an InputPeer of a user into the InputUser that calls
// such as users.getUsers and channels.inviteToChannel take: inputPeerSelf,
// inputPeerUser and inputPeerUserFromMessage have one. Others give a
// *KindError.
func InputUser(p tg.InputPeerClass) (tg.InputUserClass, error) {
	switch v := p.(type) {
	case *tg.InputPeerSelf:
		return &tg.InputUserSelf{}, nil
	case *tg.InputPeerUser:
		if v != nil {
			return &tg.InputUser{UserID: v.UserID, AccessHash: v.AccessHash}, nil
		}
	case *tg.InputPeerUserFromMessage:
		if v != nil {
			return &tg.InputUserFromMessage{Peer: v.Peer, MsgID: v.MsgID, UserID: v.UserID}, nil
		}
	}
	return nil, &KindError{Want: KindUser, Got: describeInput(p)}
}

// InputChannel converts an InputPeer of a channel into an InputChannel:
// inputPeerChannel and inputPeerChannelFromMessage have one. Others give a
// *KindError.
func InputChannel(p tg.InputPeerClass) (tg.InputChannelClass, error) {
	switch v := p.(type) {
	case *tg.InputPeerChannel:
		if v != nil {
			return &tg.InputChannel{ChannelID: v.ChannelID, AccessHash: v.AccessHash}, nil
		}
	case *tg.InputPeerChannelFromMessage:
		if v != nil {
			return &tg.InputChannelFromMessage{Peer: v.Peer, MsgID: v.MsgID, ChannelID: v.ChannelID}, nil
		}
	}
	return nil, &KindError{Want: KindChannel, Got: describeInput(p)}
}

// InputPeerOfUser converts an InputUser back into an InputPeer.
func InputPeerOfUser(u tg.InputUserClass) (tg.InputPeerClass, error) {
	switch v := u.(type) {
	case *tg.InputUserSelf:
		return &tg.InputPeerSelf{}, nil
	case *tg.InputUser:
		if v != nil {
			return &tg.InputPeerUser{UserID: v.UserID, AccessHash: v.AccessHash}, nil
		}
	case *tg.InputUserFromMessage:
		if v != nil {
			return &tg.InputPeerUserFromMessage{Peer: v.Peer, MsgID: v.MsgID, UserID: v.UserID}, nil
		}
	}
	return nil, fmt.Errorf("peer: %T names no user", u)
}

// InputPeerOfChannel converts an InputChannel back into an InputPeer.
func InputPeerOfChannel(c tg.InputChannelClass) (tg.InputPeerClass, error) {
	switch v := c.(type) {
	case *tg.InputChannel:
		if v != nil {
			return &tg.InputPeerChannel{ChannelID: v.ChannelID, AccessHash: v.AccessHash}, nil
		}
	case *tg.InputChannelFromMessage:
		if v != nil {
			return &tg.InputPeerChannelFromMessage{Peer: v.Peer, MsgID: v.MsgID, ChannelID: v.ChannelID}, nil
		}
	}
	return nil, fmt.Errorf("peer: %T names no channel", c)
}

func describeInput(p tg.InputPeerClass) string {
	if key, err := KeyOfInputPeer(p); err == nil {
		return key.String()
	}
	if p == nil {
		return "a nil InputPeer"
	}
	return p.TypeName()
}
