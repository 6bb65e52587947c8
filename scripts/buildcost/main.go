// Command buildcost measures what it costs to compile Go packages from a
// cold build cache: the wall time, CPU time and peak memory (RSS) of each
// compiler run, and of the whole build.
//
// Usage:
//
//	go run ./scripts/buildcost [-vet] [-count N] [-keep] PATTERN...
//
// For example, to compare this module's tg package with gotd/td's:
//
//	go run ./scripts/buildcost ./tg github.com/gotd/td/tg
//
// Timing "go build" from the outside measures the go command, not the
// compiler it starts. So, for each pattern, buildcost runs
//
//	go build -toolexec BUILDCOST -o /dev/null PATTERN
//
// with GOCACHE set to a new, empty directory, so that the package and all
// of its dependencies compile. The go command then starts every tool
// (compile, asm, link, ...) through buildcost itself, which runs in wrapper
// mode when the BUILDCOST_LOG environment variable is set: it runs the
// tool, measures it with the rusage of the finished process, and appends
// one JSON line to the file named by BUILDCOST_LOG. Once the build is done,
// buildcost reads that log and prints, for each package the pattern
// matches, the cost of the compile run whose -p flag names it, followed by
// a total: the go command's wall time, the CPU time of all tool runs added
// up, and the highest peak RSS of any of them.
//
// With -vet it also runs "go vet" the same way (vet runs through -toolexec
// too) and reports the vet tool's run for each package.
//
// With -std, the standard library is built into the new cache first, and
// not measured: the figures are then those of a machine whose standard
// library is already built, as a developer's is, and a program's build
// counts its own packages and their dependencies only. For a program, the
// row "all N compile runs" adds up the CPU time of the compiler over every
// package compiled and gives the highest peak RSS of any of them.
//
// To compare a program with the same program on other libraries, keep
// the other version where the go command builds it only on request, such
// as in a testdata directory:
//
//	go run ./scripts/buildcost -std ./examples/updateprofile ./scripts/buildcost/testdata/gotdupdateprofile
//
// Other go command settings (GOFLAGS, GOMAXPROCS, ...) are taken from the
// environment. The machine should be otherwise idle: the figures are
// measurements of one run, not benchmarks.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"
)

// logEnv names the environment variable that switches buildcost into
// wrapper mode and names the log file the wrapper appends to.
const logEnv = "BUILDCOST_LOG"

func main() {
	if logPath := os.Getenv(logEnv); logPath != "" {
		os.Exit(wrap(logPath, os.Args[1:]))
	}

	vet := flag.Bool("vet", false, "also measure `go vet` of each pattern, with its own empty cache")
	count := flag.Int("count", 1, "measure each pattern `N` times, one row per run")
	keep := flag.Bool("keep", false, "keep the JSON logs of tool runs and print where they are")
	std := flag.Bool("std", false, "build the standard library into the empty cache first, unmeasured")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: buildcost [flags] PATTERN...\n\n"+
			"Measures the compile cost of Go packages from an empty build cache.\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 || *count < 1 {
		flag.Usage()
		os.Exit(2)
	}

	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "buildcost:", err)
		os.Exit(1)
	}

	verbs := []string{"build"}
	if *vet {
		verbs = append(verbs, "vet")
	}
	var rows []row
	failed := false
	for _, pattern := range flag.Args() {
		pkgs, err := list(pattern)
		if err != nil {
			fmt.Fprintf(os.Stderr, "buildcost: %s: %v\n", pattern, err)
			failed = true
			continue
		}
		for i := 0; i < *count; i++ {
			for _, verb := range verbs {
				r, err := measure(self, verb, pattern, pkgs, *keep, *std)
				rows = append(rows, r...)
				if err != nil {
					fmt.Fprintf(os.Stderr, "buildcost: go %s %s: %v\n", verb, pattern, err)
					failed = true
				}
			}
		}
	}
	printTable(os.Stdout, rows)
	if failed {
		os.Exit(1)
	}
}

// list returns the import paths of the packages that pattern matches.
func list(pattern string) ([]string, error) {
	var stderr bytes.Buffer
	cmd := exec.Command("go", "list", "-f", "{{.ImportPath}}", pattern)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %v\n%s", err, stderr.Bytes())
	}
	pkgs := strings.Fields(string(out))
	if len(pkgs) == 0 {
		return nil, errors.New("matches no packages")
	}
	return pkgs, nil
}

// measure runs "go VERB -toolexec self PATTERN" with an empty GOCACHE and
// returns one row per package of pkgs, then a total row. The rows it could
// fill are returned even when the go command fails.
func measure(self, verb, pattern string, pkgs []string, keep, std bool) ([]row, error) {
	work, err := os.MkdirTemp("", "buildcost-")
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(work, "tools.jsonl")
	if keep {
		fmt.Fprintf(os.Stderr, "buildcost: go %s %s: tool log in %s\n", verb, pattern, logPath)
	}
	defer func() {
		// Keep only the log: the cache is large.
		os.RemoveAll(filepath.Join(work, "cache"))
		if !keep {
			os.RemoveAll(work)
		}
	}()

	if std {
		// Through the same -toolexec, whose command is part of the
		// build cache's keys, into a log that is not read.
		warm := exec.Command("go", "build", "-toolexec", self, "std")
		warm.Env = append(os.Environ(),
			"GOCACHE="+filepath.Join(work, "cache"),
			logEnv+"="+filepath.Join(work, "std.jsonl"))
		warm.Stdout = os.Stderr
		warm.Stderr = os.Stderr
		if err := warm.Run(); err != nil {
			return nil, fmt.Errorf("building the standard library first: %w", err)
		}
	}

	args := []string{verb, "-toolexec", self}
	if verb == "build" && len(pkgs) == 1 {
		// Without -o, building one main package writes a binary to the
		// current directory; with several packages the go command
		// discards the results itself.
		args = append(args, "-o", os.DevNull)
	}
	args = append(args, pattern)
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(),
		"GOCACHE="+filepath.Join(work, "cache"),
		logEnv+"="+logPath)
	cmd.Stdout = os.Stderr
	cmd.Stderr = os.Stderr
	start := time.Now()
	runErr := cmd.Run()
	wall := time.Since(start)

	f, err := os.Open(logPath)
	if err != nil {
		return nil, errors.Join(runErr, err)
	}
	defer f.Close()
	recs, err := readLog(f)
	if err != nil {
		return nil, errors.Join(runErr, err)
	}
	return summarize(verb, pattern, pkgs, recs, wall), runErr
}

// printTable writes rows as an aligned table.
func printTable(w io.Writer, rows []row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "package\tstep\twall\tCPU\tpeak RSS")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n",
			r.Package, r.Step, seconds(r.Wall), seconds(r.CPU), bytesize(r.MaxRSS))
	}
	tw.Flush()
}
