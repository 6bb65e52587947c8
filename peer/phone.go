package peer

import "strings"

// This file owns what a phone number is: written by hand, as digits, and
// in the normal form stores compare.

// isPhoneNumber is TDLib's is_valid_phone_number: 1 to 32 digits.
func isPhoneNumber(s string) bool { return len(s) <= 32 && isDigits(s) }

// phoneShaped reports whether s has only the characters of a phone number
// written by hand: digits, spaces, dots, dashes and parentheses.
func phoneShaped(s string) bool {
	return strings.Trim(s, "0123456789 .-()") == ""
}

// phoneDigits returns the digits of a phone number written without its
// '+'.
func phoneDigits(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')':
		default:
			return "", false
		}
	}
	n := b.Len()
	return b.String(), n >= 1 && n <= 32
}

// NormalizePhone returns the form in which phone numbers are stored and
// compared: the digits alone ("+1 (555) 123-4567" -> "15551234567").
func NormalizePhone(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			b := make([]byte, 0, len(s))
			for j := 0; j < len(s); j++ {
				if s[j] >= '0' && s[j] <= '9' {
					b = append(b, s[j])
				}
			}
			return string(b)
		}
	}
	return s
}
