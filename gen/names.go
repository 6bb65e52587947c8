package gen

import (
	"strings"
	"unicode"
)

// initialisms are the words written in upper case in Go names, following the
// Go convention (and gotd/td's choices for Telegram names, so code ports).
var initialisms = map[string]string{
	"api":  "API",
	"cdn":  "CDN",
	"dc":   "DC",
	"id":   "ID",
	"ids":  "IDs",
	"ip":   "IP",
	"ips":  "IPs",
	"json": "JSON",
	"http": "HTTP",
	"sms":  "SMS",
	"srp":  "SRP",
	"ttl":  "TTL",
	"url":  "URL",
	"urls": "URLs",
}

// splitWords splits a TL identifier into words at underscores and at the
// humps of camelCase: "inputPeerUser_from" -> ["input", "Peer", "User", "from"].
// A run of digits stays with the word before it.
func splitWords(s string) []string {
	var words []string
	start := 0
	runes := []rune(s)
	flush := func(end int) {
		if end > start {
			words = append(words, string(runes[start:end]))
		}
		start = end
	}
	for i, r := range runes {
		switch {
		case r == '_':
			flush(i)
			start = i + 1
		case unicode.IsUpper(r) && i > start:
			prev := runes[i-1]
			nextLower := i+1 < len(runes) && unicode.IsLower(runes[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				flush(i)
			}
		}
	}
	flush(len(runes))
	return words
}

// pascal turns a TL identifier into an exported Go name with Go initialisms:
// "access_hash" -> "AccessHash", "channel_id" -> "ChannelID",
// "getCdnConfig" -> "GetCDNConfig".
func pascal(s string) string {
	var b strings.Builder
	for _, w := range splitWords(s) {
		if up, ok := initialisms[strings.ToLower(w)]; ok {
			b.WriteString(up)
			continue
		}
		r := []rune(w)
		r[0] = unicode.ToUpper(r[0])
		b.WriteString(string(r))
	}
	out := b.String()
	if out == "" {
		return "X"
	}
	if first := []rune(out)[0]; !unicode.IsLetter(first) {
		out = "X" + out
	}
	return out
}

// lowerFirst returns s with its first letter in lower case, for unexported
// names derived from exported ones: "InputPeer" -> "inputPeer",
// "IPPort" -> "iPPort". Only used where a collision-free unexported name is
// needed; the result is never part of the public API.
func lowerFirst(s string) string {
	r := []rune(s)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

// goName is the Go name of a TL name in a namespace: ("messages",
// "getHistory") -> "MessagesGetHistory".
func goName(namespace []string, name string) string {
	var b strings.Builder
	for _, ns := range namespace {
		b.WriteString(pascal(ns))
	}
	b.WriteString(pascal(name))
	return b.String()
}
