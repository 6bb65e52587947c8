// Command tgsession moves a login from Pyrogram or Telethon to tgraw,
// and shows what a tgraw session file holds.
//
// Usage:
//
//	tgsession import [-force] [-from auto|pyrogram|telethon] SOURCE ACCOUNT.session
//	tgsession info ACCOUNT.session
//
// import reads SOURCE, a Pyrogram or Telethon .session file, a file that
// holds a string session of either, or "-" for a string session on
// standard input (so that it stays out of the shell's history), and
// writes its DC, auth key, account and peers into ACCOUNT.session, the
// SQLite file of package peer/sqlitestore that client.Options{Session:
// store, Peers: store} runs on. SOURCE is opened read-only and left as it
// was. An ACCOUNT.session that holds an auth key already is left alone
// unless -force.
//
// info prints the session of ACCOUNT.session: its DC, its auth key's ID
// (never the key), the account, the update state and the keys of other
// DCs.
//
// Stop the Python program before using the imported session: an auth key
// used by two programs at once gets AUTH_KEY_DUPLICATED, and Telegram
// revokes it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"

	"github.com/tgraw/tgraw/peer"
	"github.com/tgraw/tgraw/peer/sqlitestore"
	"github.com/tgraw/tgraw/session"
	"github.com/tgraw/tgraw/session/pysession"
)

const usage = `usage:
  tgsession import [-force] [-from auto|pyrogram|telethon] SOURCE ACCOUNT.session
  tgsession info ACCOUNT.session

SOURCE is a Pyrogram or Telethon .session file, a file holding a string
session, or - to read a string session from standard input.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "tgsession:", err)
		if errors.Is(err, errUsage) {
			fmt.Fprint(os.Stderr, usage)
			os.Exit(2)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("wrong arguments")

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errUsage
	}
	switch args[0] {
	case "import":
		return importCmd(ctx, args[1:], stdin, stdout, stderr)
	case "info":
		if len(args) != 2 {
			return errUsage
		}
		return infoCmd(ctx, args[1], stdout)
	case "-h", "-help", "--help", "help":
		_, err := fmt.Fprint(stdout, usage)
		return err
	}
	return fmt.Errorf("%w: unknown command %q", errUsage, args[0])
}

func importCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	force := fs.Bool("force", false, "replace the session ACCOUNT.session holds")
	from := fs.String("from", "auto", "the library SOURCE is of: auto, pyrogram or telethon")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() != 2 {
		return fmt.Errorf("%w: import takes SOURCE and ACCOUNT.session", errUsage)
	}
	src, dst := fs.Arg(0), fs.Arg(1)

	imp, err := read(ctx, src, *from, stdin)
	if err != nil {
		return err
	}
	if _, err := os.Stat(src); err == nil && sameFile(src, dst) {
		return errors.New("SOURCE and ACCOUNT.session are the same file")
	}
	store, err := sqlitestore.Open(ctx, dst)
	if err != nil {
		return err
	}
	defer store.Close()
	old, err := store.Load(ctx)
	switch {
	case errors.Is(err, session.ErrNotFound):
	case err != nil:
		return err
	case !old.AuthKey.IsZero() && !*force:
		return fmt.Errorf("%s holds a session already (DC %d, %v, user %d); -force replaces it", dst, old.DC, old.AuthKey, old.UserID)
	}
	if err := imp.Save(ctx, store, store); err != nil {
		return err
	}

	s := imp.Session
	fmt.Fprintf(stdout, "imported a %s into %s\n", imp.Format, dst)
	fmt.Fprintf(stdout, "  DC %d%s, %v\n", s.DC, testSuffix(s.Test), s.AuthKey)
	fmt.Fprintf(stdout, "  account: %s\n", account(s))
	fmt.Fprintf(stdout, "  %d peers", len(imp.Peers))
	if len(imp.Skipped) > 0 {
		fmt.Fprintf(stdout, ", %d rows left out:\n", len(imp.Skipped))
		for _, line := range imp.Skipped {
			fmt.Fprintf(stdout, "    %s\n", line)
		}
	} else {
		fmt.Fprintln(stdout)
	}
	fmt.Fprintln(stdout, "Stop the program that used this session before you use it here: a key used by two programs at once is revoked.")
	return nil
}

// read reads SOURCE as the library from says.
func read(ctx context.Context, src, from string, stdin io.Reader) (*pysession.Imported, error) {
	if src == "-" {
		b, err := io.ReadAll(io.LimitReader(stdin, 4096))
		if err != nil {
			return nil, fmt.Errorf("read standard input: %w", err)
		}
		switch from {
		case "auto":
			return pysession.ParseString(string(b))
		case "pyrogram":
			return pysession.ParsePyrogramString(string(b))
		case "telethon":
			return pysession.ParseTelethonString(string(b))
		}
	} else {
		switch from {
		case "auto":
			return pysession.ReadFile(ctx, src)
		case "pyrogram":
			return pysession.ReadPyrogramFile(ctx, src)
		case "telethon":
			return pysession.ReadTelethonFile(ctx, src)
		}
	}
	return nil, fmt.Errorf("%w: -from %q: want auto, pyrogram or telethon", errUsage, from)
}

func sameFile(a, b string) bool {
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}

func infoCmd(ctx context.Context, path string, stdout io.Writer) error {
	if _, err := os.Stat(path); err != nil {
		return err
	}
	store, err := sqlitestore.Open(ctx, path)
	if err != nil {
		return err
	}
	defer store.Close()
	s, err := store.Load(ctx)
	if errors.Is(err, session.ErrNotFound) {
		_, err := fmt.Fprintf(stdout, "%s: no session yet\n", path)
		return err
	}
	if err != nil {
		return err
	}
	addr := ""
	if s.Addr != "" {
		addr = " at " + s.Addr
	}
	fmt.Fprintf(stdout, "%s: DC %d%s%s, %v\n", path, s.DC, addr, testSuffix(s.Test), s.AuthKey)
	fmt.Fprintf(stdout, "  account: %s\n", account(s))
	if s.UserID != 0 {
		if rec, found, err := store.Peer(ctx, peer.UserKey(s.UserID)); err == nil && found {
			fmt.Fprintf(stdout, "  user: %s\n", describe(rec))
		}
	}
	u := s.Updates
	if u.IsZero() {
		fmt.Fprintln(stdout, "  updates: no state yet")
	} else {
		fmt.Fprintf(stdout, "  updates: pts %d, qts %d, seq %d, date %s, %d channels\n",
			u.Pts, u.Qts, u.Seq, time.Unix(int64(u.Date), 0).UTC().Format(time.RFC3339), len(u.Channels))
	}
	for _, dc := range slices.Sorted(maps.Keys(s.Keys)) {
		k := s.Keys[dc]
		signed := "signed in to no account"
		if k.UserID != 0 {
			signed = fmt.Sprintf("signed in to user %d", k.UserID)
		}
		fmt.Fprintf(stdout, "  DC %d: %v, %s\n", dc, k.Key, signed)
	}
	return nil
}

func testSuffix(test bool) string {
	if test {
		return " (test servers)"
	}
	return ""
}

func account(s *session.Session) string {
	switch {
	case s.UserID == 0:
		return "none (sign in)"
	case s.Bot:
		return fmt.Sprintf("bot %d", s.UserID)
	}
	return fmt.Sprintf("user %d", s.UserID)
}

func describe(r peer.Record) string {
	var parts []string
	if r.Title != "" {
		parts = append(parts, r.Title)
	}
	for _, u := range r.Usernames {
		parts = append(parts, "@"+u)
	}
	if r.Phone != "" {
		parts = append(parts, "+"+r.Phone)
	}
	if len(parts) == 0 {
		return "known, with no name"
	}
	return strings.Join(parts, ", ")
}
