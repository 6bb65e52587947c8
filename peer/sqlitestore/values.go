package sqlitestore

import (
	"context"
	"database/sql"
	"strings"
)

// maxParams is the most parameters one statement of a values list binds.
// modernc.org/sqlite compiles every statement on each execution and binds
// its parameters in time quadratic in their number, so a batch is written
// in statements of a few dozen rows: fewer rows per statement pay more
// compilations, more rows pay more binding. Past 128 parameters (32 rows
// of a peer) the registers and bound values of a statement, 56 bytes each,
// outgrow the C heap's largest block, 16 KiB, and are mapped from the
// operating system and unmapped on every run (heap.go): on a busy machine
// BenchmarkPut250New took 6-8 ms of CPU with 96 or 128 parameters, 10-12
// ms with 160 and 11-13 ms with 192.
const maxParams = 128

// values collects the rows of a statement of the form
//
//	head VALUES (?, ...), (?, ...), ... tail
//
// and executes it in statements of at most maxParams parameters.
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
		n := min(len(args), maxParams) / v.cols
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
