package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
)

// record is the measured cost of one tool run: one line of the log.
type record struct {
	Tool   string        `json:"tool"`          // base name: compile, asm, link, vet, ...
	Pkg    string        `json:"pkg,omitempty"` // package the tool worked on; see packageOf
	Wall   time.Duration `json:"wall_ns"`
	CPU    time.Duration `json:"cpu_ns"` // user plus system time
	MaxRSS int64         `json:"maxrss_bytes"`
	Exit   int           `json:"exit"` // -1 when killed by a signal
}

// row is one line of the printed table.
type row struct {
	Package string
	Step    string
	Wall    time.Duration // 0 for a row that adds up runs made in parallel
	CPU     time.Duration
	MaxRSS  int64
}

// toolName returns the name of the tool at path: "compile" for
// ".../pkg/tool/linux_amd64/compile" or "...\compile.exe".
func toolName(p string) string {
	return strings.TrimSuffix(path.Base(strings.ReplaceAll(p, `\`, "/")), ".exe")
}

// packageOf returns the package a tool run works on, as the go command
// describes it: TOOLEXEC_IMPORTPATH, passed here as env, which is the
// import path, followed for a test variant by the test binary's path in
// brackets ("x/m [x/m.test]"). When env is empty, it falls back to the -p
// flag of compile and asm. It returns "" for a query of the tool's version
// ("compile -V=full"), which the go command makes to identify the tool.
func packageOf(env string, args []string) string {
	for i, a := range args {
		if a == "-V" || strings.HasPrefix(a, "-V=") {
			return ""
		}
		if env == "" && a == "-p" && i+1 < len(args) {
			return args[i+1]
		}
		if p, ok := strings.CutPrefix(a, "-p="); ok && env == "" {
			return p
		}
	}
	return env
}

// importPath returns the import path of pkg, a package as packageOf
// returns it, without the test variant suffix.
func importPath(pkg string) string {
	path, _, _ := strings.Cut(pkg, " ")
	return path
}

// readLog parses a log of JSON lines, one record each.
func readLog(r io.Reader) ([]record, error) {
	var recs []record
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		if len(strings.TrimSpace(sc.Text())) == 0 {
			continue
		}
		var rec record
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return nil, fmt.Errorf("log line %d: %v", n, err)
		}
		recs = append(recs, rec)
	}
	return recs, sc.Err()
}

// summarize turns the records of one "go VERB PATTERN" run into table rows:
// for each package of pkgs, its compile run (vet run for "go vet"), then a
// total with the go command's wall time, the CPU time of all tool runs
// added up and the highest peak RSS among them.
func summarize(verb, pattern string, pkgs []string, recs []record, wall time.Duration) []row {
	tool := "compile"
	if verb == "vet" {
		tool = "vet"
	}
	var rows []row
	for _, pkg := range pkgs {
		r := row{Package: pkg, Step: tool + " (not run)"}
		for _, rec := range recs {
			if rec.Tool != tool || importPath(rec.Pkg) != pkg {
				continue
			}
			r = row{Package: pkg, Step: tool, Wall: rec.Wall, CPU: rec.CPU, MaxRSS: rec.MaxRSS}
			if rec.Exit != 0 {
				r.Step = tool + " (failed)"
			}
		}
		rows = append(rows, r)
	}

	name := "go " + verb + " " + pattern
	if verb == "build" {
		// The compiler alone, over every package the build compiled:
		// what the figures of a program's build are made of.
		compiles := row{Package: name}
		n := 0
		for _, rec := range recs {
			if rec.Tool == "compile" && rec.Pkg != "" {
				n++
				compiles.CPU += rec.CPU
				compiles.MaxRSS = max(compiles.MaxRSS, rec.MaxRSS)
			}
		}
		compiles.Step = fmt.Sprintf("all %d compile runs", n)
		rows = append(rows, compiles)
	}
	total := row{
		Package: name,
		Step:    fmt.Sprintf("total, %d tool runs", len(recs)),
		Wall:    wall,
	}
	for _, rec := range recs {
		total.CPU += rec.CPU
		total.MaxRSS = max(total.MaxRSS, rec.MaxRSS)
	}
	return append(rows, total)
}

// seconds formats d in seconds with one decimal: "42.8s"; 0 (a sum of
// runs in parallel, which has no wall time) is "-".
func seconds(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1fs", d.Seconds())
}

// bytesize formats n bytes in GiB with two decimals, or in MiB below 1 GiB.
func bytesize(n int64) string {
	if n >= 1<<30 {
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	}
	return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
}
