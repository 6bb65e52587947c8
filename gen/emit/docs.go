package emit

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/dave/jennifer/jen"
)

// docWidth is the widest a line of doc comment text gets, "// " aside.
const docWidth = 77

// doc is a doc comment in the making: paragraphs of text, wrapped, and
// code blocks.
type doc struct {
	lines  []string
	indent int // the width the comment is indented by: 4 for a struct field
}

// para adds a paragraph, wrapped to docWidth.
func (d *doc) para(format string, args ...any) *doc {
	d.sep()
	d.lines = append(d.lines, wrap(fmt.Sprintf(format, args...), docWidth-d.indent, "")...)
	return d
}

// codeWidth is the widest a line of a code block gets, "//\t" aside.
const codeWidth = 72

// code adds a code block of one line of TL, wrapped to codeWidth with its
// continuation lines indented. The result type stays with its "=".
func (d *doc) code(line string) *doc {
	d.sep()
	line = strings.Replace(line, " = ", " =\u00a0", 1)
	for _, l := range wrap(line, codeWidth, "    ") {
		d.lines = append(d.lines, "\t"+strings.Replace(l, "\u00a0", " ", 1))
	}
	return d
}

// sep puts a blank line before a new paragraph or block.
func (d *doc) sep() {
	if len(d.lines) > 0 {
		d.lines = append(d.lines, "")
	}
}

// String is the comment: "// line" lines.
func (d *doc) String() string {
	var b strings.Builder
	for i, l := range d.lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		if l == "" {
			b.WriteString("//")
			continue
		}
		if l[0] == '\t' {
			b.WriteString("//" + l)
			continue
		}
		b.WriteString("// " + l)
	}
	return b.String()
}

// comment is the jennifer form of d: jennifer writes a comment that starts
// with // as it is.
func (d *doc) comment() jen.Code { return jen.Comment(d.String()) }

// emitDoc writes a doc comment of paragraphs.
func emitDoc(f *jen.File, paras ...string) {
	d := &doc{}
	for _, p := range paras {
		d.para("%s", p)
	}
	f.Add(d.comment())
}

// wrap breaks s at spaces into lines of at most width bytes (a longer word
// gets a line of its own), with indent before every line but the first.
// A line never starts with a word that Go doc comments would read as
// markup (a heading's #), so the text stays plain text.
func wrap(s string, width int, indent string) []string {
	words := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' })
	var lines []string
	var cur strings.Builder
	for _, w := range words {
		switch {
		case cur.Len() == 0:
			cur.WriteString(w)
		case cur.Len()+1+len(w) > width && !strings.HasPrefix(w, "#"):
			lines = append(lines, cur.String())
			cur.Reset()
			cur.WriteString(indent + w)
		default:
			cur.WriteString(" " + w)
		}
	}
	if cur.Len() > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}

// sentence makes a schema's description a sentence: it ends with a full
// stop unless it ends with other punctuation already.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	if r := rune(s[len(s)-1]); unicode.IsPunct(r) && r != ')' && r != '"' {
		return s
	}
	return s + "."
}

// article is "a" or "an", as the word s takes.
func article(s string) string {
	if s != "" && strings.ContainsRune("AEIOUaeiou", rune(s[0])) {
		return "an"
	}
	return "a"
}
