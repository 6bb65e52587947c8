package sqlitestore

import (
	"context"
	"strings"
	"sync"
)

// chunkRows are the numbers of rows a statement of a values list writes:
// a list is written in statements of the first as long as it fills them,
// then of the next ones for the rest. Each size is one statement text, so
// the writer connection compiles it once and runs it batch after batch
// (conn.prepare); fewer, larger statements pay less per row to start and
// end, and more parameters to bind.
var chunkRows = [...]int{32, 8, 1}

// values collects the rows of a statement of the form
//
//	head VALUES (?, ...), (?, ...), ... tail
//
// and executes it in statements of chunkRows rows, every value bound as a
// parameter.
type values struct {
	head, tail string
	cols       int
	rows       int // room for this many rows is made at the first add
	args       []arg
}

// init empties v, keeping the room its rows took, and sets the
// statement's head, tail and columns, and the most rows expected.
func (v *values) init(head, tail string, cols, rows int) {
	v.head, v.tail, v.cols, v.rows = head, tail, cols, rows
	clear(v.args) // the strings they held go
	v.args = v.args[:0]
}

// add appends a row of v.cols values.
func (v *values) add(row ...arg) {
	if cap(v.args) == 0 {
		v.args = make([]arg, 0, v.cols*max(v.rows, 1))
	}
	v.args = append(v.args, row...)
}

// exec executes the statement over the rows added, if any.
func (v *values) exec(ctx context.Context, c *conn) error {
	rows := len(v.args) / v.cols
	for r := 0; r < rows; {
		n := chunkRows[len(chunkRows)-1]
		for _, size := range chunkRows {
			if size <= rows-r {
				n = size
				break
			}
		}
		q := valuesText(v.head, v.tail, v.cols, n)
		if err := c.execArgs(ctx, q, v.args[r*v.cols:(r+n)*v.cols]); err != nil {
			return err
		}
		r += n
	}
	return nil
}

// valuesTexts holds the statement text of each values list shape.
var valuesTexts sync.Map // valuesShape -> string

type valuesShape struct {
	head, tail string
	cols, rows int
}

// valuesText returns the statement of rows rows of cols parameters
// between head and tail.
func valuesText(head, tail string, cols, rows int) string {
	shape := valuesShape{head, tail, cols, rows}
	if q, ok := valuesTexts.Load(shape); ok {
		return q.(string)
	}
	var b strings.Builder
	b.WriteString(head)
	b.WriteString("\nVALUES ")
	for r := range rows {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('?')
		}
		b.WriteByte(')')
	}
	b.WriteString(tail)
	q, _ := valuesTexts.LoadOrStore(shape, b.String())
	return q.(string)
}
