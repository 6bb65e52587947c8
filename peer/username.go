package peer

import (
	"strings"

	"github.com/tgraw/tgraw/tg"
)

// This file owns what a username is: valid (TDLib's rules), its normal
// form, and the list an object carries. What a store does with usernames
// (one owner each, moves) is the rules of IndexedStore.

// usernameProblem returns why name is not a valid username by TDLib's
// is_valid_username rules, or "" if it is one: 1 to 32 characters, a Latin
// letter first, then Latin letters, digits and underscores, with no double
// underscore and no underscore at the end. The server enforces more (at
// least 4 or 5 characters); those rules are left to it.
func usernameProblem(name string) string {
	switch {
	case name == "":
		return "empty username"
	case len(name) > 32:
		return "username longer than 32 characters"
	case !isLetter(name[0]):
		return "a username starts with a Latin letter"
	case name[len(name)-1] == '_':
		return "a username does not end with an underscore"
	case strings.Contains(name, "__"):
		return "a username has no double underscore"
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !isLetter(c) && !(c >= '0' && c <= '9') && c != '_' {
			return "a username has only Latin letters, digits and underscores"
		}
	}
	return ""
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// NormalizeUsername returns the form in which usernames are stored and
// compared: without a leading '@' and lowercased. It does not validate.
func NormalizeUsername(s string) string {
	s = strings.TrimPrefix(s, "@")
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' || c >= 0x80 {
			return strings.ToLower(s)
		}
	}
	return s
}

// normalizeUsernames lowercases and deduplicates names, dropping empty ones.
// It returns names itself when nothing changes, and keeps nil apart from an
// empty slice.
func normalizeUsernames(names []string) []string {
	clean := true
	for i, n := range names {
		if n == "" || NormalizeUsername(n) != n {
			clean = false
			break
		}
		for _, m := range names[:i] {
			if m == n {
				clean = false
				break
			}
		}
	}
	if clean {
		return names
	}
	out := make([]string, 0, len(names))
next:
	for _, n := range names {
		n = NormalizeUsername(n)
		if n == "" {
			continue
		}
		for _, m := range out {
			if m == n {
				continue next
			}
		}
		out = append(out, n)
	}
	return out
}

// usernames lists the active usernames of an object: the main one and the
// active ones of the usernames vector. A full object's list is complete,
// so an empty one is returned as an empty, non-nil slice; a min object
// without usernames says nothing about them and gives nil.
func usernames(minObj bool, main string, list []tg.Username) []string {
	if main == "" && len(list) == 0 {
		if minObj {
			return nil
		}
		return []string{}
	}
	out := make([]string, 0, 1+len(list))
	main = NormalizeUsername(main)
	if main != "" {
		out = append(out, main)
	}
	for _, u := range list {
		if u.Active && u.Username != "" {
			if n := NormalizeUsername(u.Username); n != main {
				out = append(out, n)
			}
		}
	}
	return out
}
