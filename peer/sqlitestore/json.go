package sqlitestore

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// The keys, phone numbers and usernames a batch looks up reach SQLite as
// one JSON array each, unpacked by json_each: with modernc.org/sqlite every
// statement is compiled on each execution, so one statement over 250 keys
// costs far less than 250 statements. Rows are written with bound
// parameters instead (values.go): extracting columns from JSON in SQL
// costs more than binding them.

// appendString appends s as a JSON string. Bytes that are not valid UTF-8
// pass through unchanged, as SQLite's JSON functions keep them.
func appendString[S string | []byte](b []byte, s S) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendInt appends v as a JSON number.
func appendInt(b []byte, v int64) []byte { return strconv.AppendInt(b, v, 10) }

// appendNames appends names as a JSON array of strings, or null for nil.
func appendNames(b []byte, names []string) []byte {
	if names == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, n := range names {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, n)
	}
	return append(b, ']')
}

var errNames = errors.New("not a JSON array of strings")

// decodeNames parses a JSON array of strings. The result is never nil.
// Bytes that are not valid UTF-8 are kept.
func decodeNames(s string) ([]string, error) {
	p := jsonParser{s: s}
	p.space()
	names, ok := p.names()
	if !ok {
		return nil, errNames
	}
	return names, p.end()
}

// jsonParser reads the JSON that this package writes, and any other valid
// JSON of the same shape.
type jsonParser struct {
	s string
	i int
}

func (p *jsonParser) space() {
	for p.i < len(p.s) && strings.IndexByte(" \t\n\r", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *jsonParser) next(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *jsonParser) end() error {
	p.space()
	if p.i != len(p.s) {
		return errors.New("unexpected text after the JSON value")
	}
	return nil
}

// names parses an array of strings. The result is never nil.
func (p *jsonParser) names() ([]string, bool) {
	if !p.next('[') {
		return nil, false
	}
	names := make([]string, 0, 2)
	p.space()
	if p.next(']') {
		return names, true
	}
	for {
		p.space()
		name, ok := p.string()
		if !ok {
			return nil, false
		}
		names = append(names, name)
		p.space()
		if p.next(']') {
			return names, true
		}
		if !p.next(',') {
			return nil, false
		}
	}
}

// int parses an integer that fits in an int64.
func (p *jsonParser) int() (int64, bool) {
	start := p.i
	if p.i < len(p.s) && p.s[p.i] == '-' {
		p.i++
	}
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	v, err := strconv.ParseInt(p.s[start:p.i], 10, 64)
	return v, err == nil
}

// bool parses true or false, or the numbers 1 and 0.
func (p *jsonParser) bool() (bool, bool) {
	for _, c := range []struct {
		lit string
		v   bool
	}{{"true", true}, {"false", false}, {"1", true}, {"0", false}} {
		if strings.HasPrefix(p.s[p.i:], c.lit) {
			p.i += len(c.lit)
			return c.v, true
		}
	}
	return false, false
}

// skip passes over any JSON value.
func (p *jsonParser) skip(depth int) bool {
	if depth > 64 || p.i >= len(p.s) {
		return false
	}
	switch c := p.s[p.i]; c {
	case '"':
		_, ok := p.string()
		return ok
	case '[', '{':
		p.i++
		closing := byte(']')
		if c == '{' {
			closing = '}'
		}
		p.space()
		if p.next(closing) {
			return true
		}
		for {
			p.space()
			if c == '{' {
				if _, ok := p.string(); !ok {
					return false
				}
				p.space()
				if !p.next(':') {
					return false
				}
				p.space()
			}
			if !p.skip(depth + 1) {
				return false
			}
			p.space()
			if p.next(closing) {
				return true
			}
			if !p.next(',') {
				return false
			}
		}
	default:
		// A number or a literal: up to the next delimiter.
		start := p.i
		for p.i < len(p.s) && strings.IndexByte(",]} \t\n\r", p.s[p.i]) < 0 {
			p.i++
		}
		return p.i > start
	}
}

// string parses a JSON string.
func (p *jsonParser) string() (string, bool) {
	if !p.next('"') {
		return "", false
	}
	start := p.i
	// The common case: no escapes.
	for p.i < len(p.s) {
		switch c := p.s[p.i]; {
		case c == '"':
			p.i++
			return p.s[start : p.i-1], true
		case c == '\\':
			return p.escaped(start)
		case c < 0x20:
			return "", false
		}
		p.i++
	}
	return "", false
}

// escaped parses the rest of a string that has escapes, from p.i at the
// first backslash; the string's text began at start.
func (p *jsonParser) escaped(start int) (string, bool) {
	b := []byte(p.s[start:p.i])
	for p.i < len(p.s) {
		c := p.s[p.i]
		p.i++
		switch {
		case c == '"':
			return string(b), true
		case c < 0x20:
			return "", false
		case c != '\\':
			b = append(b, c)
			continue
		}
		if p.i >= len(p.s) {
			return "", false
		}
		e := p.s[p.i]
		p.i++
		switch e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", false
			}
			if utf16.IsSurrogate(r) && strings.HasPrefix(p.s[p.i:], "\\u") {
				save := p.i
				p.i += 2
				if r2, ok := p.hex4(); ok && utf16.DecodeRune(r, r2) != utf8.RuneError {
					r = utf16.DecodeRune(r, r2)
				} else {
					p.i = save
				}
			}
			b = utf8.AppendRune(b, r)
		default:
			return "", false
		}
	}
	return "", false
}

func (p *jsonParser) hex4() (rune, bool) {
	if p.i+4 > len(p.s) {
		return 0, false
	}
	v, err := strconv.ParseUint(p.s[p.i:p.i+4], 16, 16)
	if err != nil {
		return 0, false
	}
	p.i += 4
	return rune(v), true
}
