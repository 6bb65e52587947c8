package sqlitestore

import (
	"context"
	"database/sql"
	"strings"
)

// valuesChunk is the most rows one statement of a values list carries.
// modernc.org/sqlite compiles every statement on each execution and binds
// its parameters in time quadratic in their number, so a batch is written
// in statements of a few dozen rows: fewer rows per statement pay more
// compilations, more rows pay more binding.
const valuesChunk = 64

// values collects the rows of a statement of the form
//
//	head VALUES (?, ...), (?, ...), ... tail
//
// and executes it in chunks of at most valuesChunk rows.
type values struct {
	head, tail string
	cols       int
	args       []any
}

func (v *values) init(head, tail string, cols int) {
	v.head, v.tail, v.cols = head, tail, cols
}

// add appends a row of v.cols values.
func (v *values) add(row ...any) { v.args = append(v.args, row...) }

// exec executes the statement over the rows added, if any.
func (v *values) exec(ctx context.Context, tx *sql.Tx) error {
	args := v.args
	for len(args) > 0 {
		n := min(len(args)/v.cols, valuesChunk)
		if _, err := tx.ExecContext(ctx, valuesStmt(v.head, v.tail, v.cols, n), args[:n*v.cols]...); err != nil {
			return err
		}
		args = args[n*v.cols:]
	}
	return nil
}

// valuesStmt writes the statement head VALUES (...), ... tail over rows
// rows of cols parameters.
func valuesStmt(head, tail string, cols, rows int) string {
	var b strings.Builder
	b.Grow(len(head) + len(tail) + 8 + rows*(2*cols+2))
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
	return b.String()
}
