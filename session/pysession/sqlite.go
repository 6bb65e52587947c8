package pysession

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ReadFile reads a Pyrogram or Telethon .session file, or a file holding
// a string session of either, and tells which it is by its content.
func ReadFile(ctx context.Context, path string) (*Imported, error) {
	db, t, err := openSession(ctx, path)
	if err != nil {
		return nil, err
	}
	if db == nil {
		return stringFile(path)
	}
	defer db.Close()
	switch {
	case t.isPyrogram():
		return readPyrogram(ctx, db, t)
	case t.isTelethon():
		return readTelethon(ctx, db, t)
	}
	return nil, &FormatError{Source: path, Reason: t.describe()}
}

// ReadPyrogramFile reads a Pyrogram .session file.
func ReadPyrogramFile(ctx context.Context, path string) (*Imported, error) {
	return readAs(ctx, path, "Pyrogram", (*tables).isPyrogram, readPyrogram)
}

// ReadTelethonFile reads a Telethon .session file.
func ReadTelethonFile(ctx context.Context, path string) (*Imported, error) {
	return readAs(ctx, path, "Telethon", (*tables).isTelethon, readTelethon)
}

func readAs(ctx context.Context, path, lib string, is func(*tables) bool,
	read func(context.Context, *sql.DB, *tables) (*Imported, error)) (*Imported, error) {
	db, t, err := openSession(ctx, path)
	if err != nil {
		return nil, err
	}
	if db == nil {
		return nil, &FormatError{Source: path, Reason: "not an SQLite database"}
	}
	defer db.Close()
	if !is(t) {
		return nil, &FormatError{Source: path, Reason: "not a " + lib + " session file: " + t.describe()}
	}
	return read(ctx, db, t)
}

// openSession opens an SQLite file read-only and reads which tables and
// columns it has. It returns a nil db, and no error, for a file that is
// not an SQLite database.
func openSession(ctx context.Context, path string) (*sql.DB, *tables, error) {
	isDB, err := isSQLite(path)
	if err != nil || !isDB {
		return nil, nil, err
	}
	db, err := openReadOnly(path)
	if err != nil {
		return nil, nil, err
	}
	t, err := readTables(ctx, db, path)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, t, nil
}

// oneSessionRow reads the one row that lib keeps in its table sessions,
// with scan.
func oneSessionRow[R any](ctx context.Context, db *sql.DB, path, lib, query string, scan func(*sql.Rows, *R) error) (R, error) {
	var zero R
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return zero, dbError(path, err)
	}
	defer rows.Close()
	var found []R
	for rows.Next() {
		var r R
		if err := scan(rows, &r); err != nil {
			return zero, &FormatError{Source: path, Reason: "a row of sessions does not read: " + err.Error()}
		}
		found = append(found, r)
	}
	if err := rows.Err(); err != nil {
		return zero, dbError(path, err)
	}
	if len(found) != 1 {
		return zero, &FormatError{Source: path, Reason: fmt.Sprintf("%s keeps one row in sessions, this file has %d", lib, len(found))}
	}
	return found[0], nil
}

// sqliteHeader starts every SQLite database file.
const sqliteHeader = "SQLite format 3\x00"

// isSQLite reports whether the file at path starts as an SQLite database.
func isSQLite(path string) (bool, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return false, fmt.Errorf("pysession: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return false, &FormatError{Source: path, Reason: "not a regular file"}
	}
	f, err := os.Open(path)
	if err != nil {
		return false, fmt.Errorf("pysession: %w", err)
	}
	defer f.Close()
	head := make([]byte, len(sqliteHeader))
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("pysession: read %s: %w", path, err)
	}
	return bytes.Equal(head[:n], []byte(sqliteHeader)), nil
}

// openReadOnly opens an SQLite file so that nothing can change it or the
// directory it is in: read only and immutable (mode=ro, immutable=1), so
// that SQLite writes no journal, -wal or -shm file. A file with a
// journal or a write-ahead log beside it is in use, or was left in the
// middle of a write, and is refused: its content is not known without
// them.
func openReadOnly(path string) (*sql.DB, error) {
	for _, suffix := range []string{"-journal", "-wal"} {
		if fi, err := os.Stat(path + suffix); err == nil && fi.Size() > 0 {
			return nil, fmt.Errorf("pysession: %s is in use, or a program's last write to it did not finish (%s exists): close the program that uses it, and try again", path, filepath.Base(path+suffix))
		}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("pysession: %w", err)
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: "mode=ro&immutable=1&_pragma=query_only%281%29"}
	if filepath.VolumeName(abs) != "" {
		u.Path = "/" + u.Path
	}
	db, err := sql.Open("sqlite", strings.Replace(u.String(), "file://", "file:", 1))
	if err != nil {
		return nil, fmt.Errorf("pysession: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// tables is the schema of a file: its tables and their columns.
type tables struct {
	path    string
	columns map[string]map[string]bool
}

func readTables(ctx context.Context, db *sql.DB, path string) (*tables, error) {
	rows, err := db.QueryContext(ctx, `SELECT m.name, p.name FROM sqlite_schema AS m, pragma_table_info(m.name) AS p WHERE m.type = 'table'`)
	if err != nil {
		return nil, dbError(path, err)
	}
	defer rows.Close()
	t := &tables{path: path, columns: map[string]map[string]bool{}}
	for rows.Next() {
		var table, column string
		if err := rows.Scan(&table, &column); err != nil {
			return nil, dbError(path, err)
		}
		if t.columns[table] == nil {
			t.columns[table] = map[string]bool{}
		}
		t.columns[table][column] = true
	}
	if err := rows.Err(); err != nil {
		return nil, dbError(path, err)
	}
	return t, nil
}

// dbError names what SQLite found wrong with a file.
func dbError(path string, err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_NOTADB:
			return &FormatError{Source: path, Reason: "not an SQLite database"}
		case sqlite3.SQLITE_CORRUPT:
			return &FormatError{Source: path, Reason: "a damaged SQLite database (" + se.Error() + ")"}
		}
	}
	return fmt.Errorf("pysession: read %s: %w", path, err)
}

func (t *tables) has(table string, columns ...string) bool {
	cols := t.columns[table]
	if cols == nil {
		return false
	}
	for _, c := range columns {
		if !cols[c] {
			return false
		}
	}
	return true
}

// isPyrogram: sessions(dc_id, test_mode, auth_key, user_id, is_bot),
// peers and version(number).
func (t *tables) isPyrogram() bool {
	return t.has("sessions", "dc_id", "test_mode", "auth_key", "user_id", "is_bot") &&
		t.has("peers", "id", "access_hash", "type") && t.has("version", "number")
}

// isTelethon: sessions(dc_id, server_address, port, auth_key), entities
// and version(version).
func (t *tables) isTelethon() bool {
	return t.has("sessions", "dc_id", "server_address", "port", "auth_key") &&
		t.has("entities", "id", "hash") && t.has("version", "version")
}

// describe says what a file that is neither library's is.
func (t *tables) describe() string {
	switch {
	case len(t.columns) == 0:
		return "an empty SQLite database"
	case t.has("session", "dc", "auth_key", "auth_key_id") || t.has("peers", "kind", "id", "data"):
		return "a tgraw session file already (use it as it is)"
	case t.columns["sessions"] != nil:
		return "its table sessions has neither Pyrogram's columns nor Telethon's"
	}
	names := slices.Sorted(maps.Keys(t.columns))
	if len(names) > 5 {
		names = append(names[:5], "...")
	}
	return "an SQLite database of another application (tables " + strings.Join(names, ", ") + ")"
}
