package peer

import (
	"errors"
	"testing"
)

// FuzzParseRef checks that no string makes ParseRef panic, that every
// failure is a *RefError, and that every success is a query of a known
// kind with a valid key or username.
func FuzzParseRef(f *testing.F) {
	for _, seed := range []string{
		"durov", "@Durov", "t.me/durov/123", "https://t.me/+AbCd", "t.me/+15551234567", "+34 600 000 000",
		"-1001234567890", "t.me/c/1234567890/55", "tg://resolve?domain=durov&post=5", "tg://join?invite=x",
		"tg://privatepost?channel=5&post=6", "name.t.me", "www.telegram.dog/s/durov", "me", "", "ab__c",
		"tg://resolve?phone=%2B1", "t.me/joinchat/", "https://t.me/c/", "-1999999999999", "tg:", "t.me/+",
		"393281234567", "(555) 123-45.67", "-", "-12 34", "()", "tg://user?id=777000", "0",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseRef(s)
		if err != nil {
			var refErr *RefError
			if !errors.As(err, &refErr) {
				t.Fatalf("ParseRef(%q) error %T is not a *RefError", s, err)
			}
			return
		}
		switch q.Kind {
		case QueryPeer:
			if err := q.Key.Validate(); err != nil {
				t.Fatalf("ParseRef(%q) = invalid key %v", s, q.Key)
			}
		case QueryUsername:
			if usernameProblem(q.Username) != "" || NormalizeUsername(q.Username) != q.Username {
				t.Fatalf("ParseRef(%q) = bad username %q", s, q.Username)
			}
		case QueryPhone:
			if !isPhoneNumber(q.Phone) {
				t.Fatalf("ParseRef(%q) = bad phone %q", s, q.Phone)
			}
		case QueryInvite:
			if !isInviteHash(q.Invite) {
				t.Fatalf("ParseRef(%q) = bad invite %q", s, q.Invite)
			}
		case QuerySelf:
		default:
			t.Fatalf("ParseRef(%q) = query of kind %v", s, q.Kind)
		}
		if q.MsgID < 0 {
			t.Fatalf("ParseRef(%q) = negative message ID", s)
		}
	})
}
