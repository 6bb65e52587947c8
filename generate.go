// Package tgraw is the typed raw Telegram API for Go: package tg is
// generated from schema/api.tl by gen and cmd/tlgen, and package peer
// resolves what a person has to the InputPeer values raw calls take.
//
// tg keeps generated codecs (-code) for the types on the hot path of
// decoding: messages and what they hold, peers, users, chats and updates,
// and for the input peers, users and channels that requests carry.
// Its other definitions are encoded and decoded from its wire table, so
// that tg compiles in a fraction of the time and memory.
package tgraw

//go:generate go run ./cmd/tlgen generate -schema schema/api.tl -out tg -package tg -code Message,MessageEntity,Peer,InputPeer,InputUser,InputChannel,User,UserStatus,Chat,ChatPhoto,UserProfilePhoto,MessageReplyHeader,MessageFwdHeader,messages.Messages,MessageMedia,Photo,PhotoSize,Document,DocumentAttribute,MessageReplies,MessageReactions,ReactionCount,Reaction,RestrictionReason,Username,EmojiStatus,PeerColor,Update,Updates
//go:generate go run ./cmd/tlgen generate -schema schema/mtproto.tl -out mt -package mt
