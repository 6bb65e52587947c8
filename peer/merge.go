package peer

import "strings"

// Merge returns what a store keeps after it learns rec about a peer of which
// it held old (oldFound reports whether it held anything). It is the one
// place of the merge rules, which every Store applies in Put:
//
//   - A full access hash replaces whatever was stored: a newer full hash is
//     the current one.
//   - A min hash (rec.Min) never replaces a full one. It is kept only when
//     no hash or another min hash was stored, and then the record stays min.
//   - A min object without a hash (rec.Min, !rec.HasHash) makes a record
//     without a full hash min: what is known of the peer is its message
//     context.
//   - Apart from the hash, a min object updates the other fields by the
//     rules below like any record (title, usernames, phone, flags, message
//     context): what a min object lacks is a usable hash, not the rest.
//   - HasHash is sticky: once a hash was seen, a record without one (a basic
//     chat reference, say) does not erase it.
//   - FromMessage, the message context of a min peer, is replaced by a newer
//     non-zero one and otherwise kept.
//   - Usernames: a non-nil slice is the peer's current list and replaces the
//     stored one (an empty non-nil slice clears it); nil means unknown and
//     keeps the stored list. Usernames are lowercased, stripped of '@' and
//     deduplicated.
//   - Title and Phone are replaced by non-empty newer values; a phone keeps
//     its digits only, and a title is valid UTF-8 (a byte that is not
//     becomes U+FFFD, as Go's text handling reads it).
//   - MigratedTo, once set, stays: a migration is final. A newer non-zero
//     value replaces it.
//   - Self, Bot and Broadcast, once set, stay set.
//   - UpdatedAt is the later of the two.
//
// Merge never modifies the slices of old or rec.
func Merge(old Record, oldFound bool, rec Record) Record {
	rec.Usernames = normalizeUsernames(rec.Usernames)
	rec.Phone = NormalizePhone(rec.Phone)
	rec.Title = validTitle(rec.Title)
	if !oldFound {
		if !rec.HasHash {
			rec.AccessHash = 0
		}
		return rec
	}
	out := old
	out.Key = rec.Key
	switch {
	case !rec.HasHash:
		// Nothing to learn about the hash.
	case !rec.Min:
		out.AccessHash, out.HasHash, out.Min = rec.AccessHash, true, false
	case !old.HasHash || old.Min:
		out.AccessHash, out.HasHash, out.Min = rec.AccessHash, true, true
	}
	if rec.Min && !rec.HasHash && (!old.HasHash || old.Min) {
		out.Min = true
	}
	if rec.FromMessage != (MessageRef{}) {
		out.FromMessage = rec.FromMessage
	}
	if rec.Usernames != nil {
		out.Usernames = rec.Usernames
	}
	if rec.Phone != "" {
		out.Phone = rec.Phone
	}
	if rec.Title != "" {
		out.Title = rec.Title
	}
	if rec.MigratedTo != 0 {
		out.MigratedTo = rec.MigratedTo
	}
	out.Self = old.Self || rec.Self
	out.Bot = old.Bot || rec.Bot
	out.Broadcast = old.Broadcast || rec.Broadcast
	if rec.UpdatedAt.After(old.UpdatedAt) {
		out.UpdatedAt = rec.UpdatedAt
	}
	return out
}

// validTitle returns title with every byte that is not valid UTF-8
// replaced by U+FFFD, as Go's text handling reads it.
func validTitle(title string) string { return strings.ToValidUTF8(title, "\uFFFD") }
