package sqlitestore

import (
	"context"
	"database/sql"
	"strconv"
)

// maxCells bounds the values of one statement of a values list: each
// value takes a register of 56 bytes, and each bound parameter a second
// slot as large. modernc.org/sqlite compiles every statement on each
// execution and binds its parameters in time quadratic in their number, so
// a batch is written in statements of a few dozen rows: fewer rows per
// statement pay more compilations, more rows pay more binding. Past 256
// cells (32 rows of a new peer bound whole) the registers and parameters
// of a statement outgrow the C heap's largest block, 16 KiB, and are mapped
// from the operating system and unmapped on every run (heap.go): on a busy
// machine BenchmarkPut250New took 6-8 ms of CPU with 192 or 256 cells,
// 10-12 ms with 320 and 11-13 ms with 384.
const maxCells = 256

// values collects the rows of a statement of the form
//
//	head VALUES (...), (...), ... tail
//
// and executes it in statements of at most maxCells cells. Integers that
// are not negative (kinds and IDs) are written into the statement, which
// is compiled on every run anyway, as literals: they cost one cell, and no
// binding. Other values are bound as parameters.
type values struct {
	head, tail string
	cols       int
	rows       int // room for this many rows is made at the first add
	args       []any
}

// init sets the statement's head, tail and columns, and the most rows
// expected.
func (v *values) init(head, tail string, cols, rows int) {
	v.head, v.tail, v.cols, v.rows = head, tail, cols, rows
}

// add appends a row of v.cols values.
func (v *values) add(row ...any) {
	if v.args == nil {
		v.args = make([]any, 0, v.cols*max(v.rows, 1))
	}
	v.args = append(v.args, row...)
}

// literal returns a as an integer written into the statement.
func literal(a any) (int64, bool) {
	n, ok := a.(int64)
	return n, ok && n >= 0
}

// exec executes the statement over the rows added, if any.
func (v *values) exec(ctx context.Context, tx *sql.Tx) error {
	var (
		q     []byte
		bound []any
		cells int
	)
	flush := func() error {
		if cells == 0 {
			return nil
		}
		q = append(q, v.tail...)
		_, err := tx.ExecContext(ctx, string(q), bound...)
		q, bound, cells = q[:0], bound[:0], 0
		return err
	}
	for r := 0; r < len(v.args); r += v.cols {
		row := v.args[r : r+v.cols]
		cost := len(row)
		for _, a := range row {
			if _, ok := literal(a); !ok {
				cost++
			}
		}
		if cells > 0 && cells+cost > maxCells {
			if err := flush(); err != nil {
				return err
			}
		}
		if cells == 0 {
			q = append(q, v.head...)
			q = append(q, "\nVALUES ("...)
		} else {
			q = append(q, ",("...)
		}
		for c, a := range row {
			if c > 0 {
				q = append(q, ',')
			}
			if n, ok := literal(a); ok {
				q = strconv.AppendInt(q, n, 10)
			} else {
				q = append(q, '?')
				bound = append(bound, a)
			}
		}
		q = append(q, ')')
		cells += cost
	}
	return flush()
}
