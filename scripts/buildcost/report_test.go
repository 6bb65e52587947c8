package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestToolName(t *testing.T) {
	for path, want := range map[string]string{
		"/usr/local/go/pkg/tool/linux_amd64/compile": "compile",
		`C:\Go\pkg\tool\windows_amd64\link.exe`:      "link",
		"vet":                                        "vet",
	} {
		if got := toolName(path); got != want {
			t.Errorf("toolName(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestPackageOf(t *testing.T) {
	compile := []string{"-o", "$WORK/b001/_pkg_.a", "-p", "main", "-lang=go1.26", "-pack", "./m/m.go"}
	for _, tc := range []struct {
		name string
		env  string
		args []string
		want string
	}{
		{"env wins over -p", "x/m", compile, "x/m"},
		{"-p without env", "", compile, "main"},
		{"-p= without env", "", []string{"-p=x/a", "a.go"}, "x/a"},
		{"test variant", "x/m [x/m.test]", []string{"-json", "vet.cfg"}, "x/m [x/m.test]"},
		{"version query", "x/m", []string{"-V=full"}, ""},
		{"version query without env", "", []string{"-V=full"}, ""},
		{"link", "", []string{"-o", "a.out", "-importcfg", "importcfg.link", "_pkg_.a"}, ""},
		{"dangling -p", "", []string{"-p"}, ""},
	} {
		if got := packageOf(tc.env, tc.args); got != tc.want {
			t.Errorf("%s: packageOf(%q, %q) = %q, want %q", tc.name, tc.env, tc.args, got, tc.want)
		}
	}
}

func TestImportPath(t *testing.T) {
	for pkg, want := range map[string]string{
		"github.com/gotd/td/tg": "github.com/gotd/td/tg",
		"x/m [x/m.test]":        "x/m",
		"x/a_test [x/a.test]":   "x/a_test",
		"":                      "",
	} {
		if got := importPath(pkg); got != want {
			t.Errorf("importPath(%q) = %q, want %q", pkg, got, want)
		}
	}
}

func TestReadLog(t *testing.T) {
	log := `{"tool":"compile","wall_ns":3000000,"cpu_ns":2000000,"maxrss_bytes":9887744,"exit":0}

{"tool":"compile","pkg":"x/a","wall_ns":1500000000,"cpu_ns":2500000000,"maxrss_bytes":2147483648,"exit":0}
`
	recs, err := readLog(strings.NewReader(log))
	if err != nil {
		t.Fatal(err)
	}
	want := []record{
		{Tool: "compile", Wall: 3 * time.Millisecond, CPU: 2 * time.Millisecond, MaxRSS: 9887744},
		{Tool: "compile", Pkg: "x/a", Wall: 1500 * time.Millisecond, CPU: 2500 * time.Millisecond, MaxRSS: 2 << 30},
	}
	if len(recs) != len(want) {
		t.Fatalf("readLog: got %d records, want %d", len(recs), len(want))
	}
	for i := range want {
		if recs[i] != want[i] {
			t.Errorf("record %d: got %+v, want %+v", i, recs[i], want[i])
		}
	}

	if _, err := readLog(strings.NewReader("{\"tool\":\"vet\"}\nnot json\n")); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("readLog of a bad line: got error %v, want one naming line 2", err)
	}
}

// TestAppendRecord checks that records appended by concurrent tool runs
// read back whole.
func TestAppendRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tools.jsonl")
	const n = 50
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := record{Tool: "compile", Pkg: strings.Repeat("p", 200), Wall: time.Duration(i), MaxRSS: int64(i)}
			if err := appendRecord(path, rec); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := readLog(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	seen := make(map[int64]bool)
	for _, r := range recs {
		seen[r.MaxRSS] = true
	}
	if len(recs) != n || len(seen) != n {
		t.Errorf("got %d records, %d distinct; want %d", len(recs), len(seen), n)
	}
}

func TestSummarize(t *testing.T) {
	recs := []record{
		{Tool: "compile", Wall: 1, CPU: 1, MaxRSS: 10}, // compile -V=full
		{Tool: "compile", Pkg: "runtime", Wall: 3 * time.Second, CPU: 4 * time.Second, MaxRSS: 300},
		{Tool: "asm", Pkg: "runtime", Wall: time.Second, CPU: time.Second, MaxRSS: 20},
		{Tool: "compile", Pkg: "x/tg", Wall: 40 * time.Second, CPU: 60 * time.Second, MaxRSS: 4000},
		{Tool: "compile", Pkg: "x/bad", Wall: time.Second, CPU: time.Second, MaxRSS: 50, Exit: -1},
		{Tool: "vet", Pkg: "x/tg", Wall: 8 * time.Second, CPU: 9 * time.Second, MaxRSS: 1200},
	}
	got := summarize("build", "./...", []string{"x/tg", "x/bad", "x/none"}, recs, 50*time.Second)
	want := []row{
		{Package: "x/tg", Step: "compile", Wall: 40 * time.Second, CPU: 60 * time.Second, MaxRSS: 4000},
		{Package: "x/bad", Step: "compile (failed)", Wall: time.Second, CPU: time.Second, MaxRSS: 50},
		{Package: "x/none", Step: "compile (not run)"},
		{Package: "go build ./...", Step: "all 3 compile runs", CPU: 65 * time.Second, MaxRSS: 4000},
		{Package: "go build ./...", Step: "total, 6 tool runs", Wall: 50 * time.Second,
			CPU: 75*time.Second + 1, MaxRSS: 4000},
	}
	checkRows(t, got, want)

	vetRecs := []record{
		{Tool: "compile", Pkg: "x/dep", Wall: time.Second, CPU: time.Second, MaxRSS: 100},
		{Tool: "vet", Pkg: "x/dep", Wall: time.Second, CPU: time.Second, MaxRSS: 30},
		{Tool: "vet", Pkg: "x/m [x/m.test]", Wall: 2 * time.Second, CPU: 3 * time.Second, MaxRSS: 40},
	}
	got = summarize("vet", "x/m", []string{"x/m"}, vetRecs, 5*time.Second)
	want = []row{
		{Package: "x/m", Step: "vet", Wall: 2 * time.Second, CPU: 3 * time.Second, MaxRSS: 40},
		{Package: "go vet x/m", Step: "total, 3 tool runs", Wall: 5 * time.Second, CPU: 5 * time.Second, MaxRSS: 100},
	}
	checkRows(t, got, want)
}

func checkRows(t *testing.T, got, want []row) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d rows, want %d:\n%+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{seconds(42830 * time.Millisecond), "42.8s"},
		{seconds(40 * time.Millisecond), "0.0s"},
		{seconds(0), "-"},
		{bytesize(3940000000), "3.67 GiB"},
		{bytesize(1 << 30), "1.00 GiB"},
		{bytesize(300 << 20), "300 MiB"},
		{bytesize(0), "0 MiB"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}

	var buf bytes.Buffer
	printTable(&buf, []row{{Package: "x/tg", Step: "compile", Wall: 2 * time.Second, CPU: 3 * time.Second, MaxRSS: 2 << 30}})
	want := "package  step     wall  CPU   peak RSS\n" +
		"x/tg     compile  2.0s  3.0s  2.00 GiB\n"
	if buf.String() != want {
		t.Errorf("printTable:\n%s\nwant:\n%s", buf.String(), want)
	}
}
