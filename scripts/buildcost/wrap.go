package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"time"
)

// wrap runs the tool command argv (the go command passes the tool's path,
// then its arguments), measures it, appends its record to the log at
// logPath, and returns the exit status to exit with. The tool's standard
// streams are passed through untouched: the go command reads the output
// of "compile -V=full" to identify the compiler.
func wrap(logPath string, argv []string) int {
	if len(argv) == 0 {
		fmt.Fprintf(os.Stderr, "buildcost: %s is set but no tool command was given\n", logEnv)
		return 2
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin = os.Stdin
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	ps := cmd.ProcessState
	if ps == nil { // the tool did not start
		fmt.Fprintln(os.Stderr, "buildcost:", err)
		return 1
	}

	tool := toolName(argv[0])
	rec := record{
		Tool:   tool,
		Pkg:    packageOf(os.Getenv("TOOLEXEC_IMPORTPATH"), argv[1:]),
		Wall:   wall,
		CPU:    ps.UserTime() + ps.SystemTime(),
		MaxRSS: maxRSS(ps),
		Exit:   ps.ExitCode(),
	}
	if err := appendRecord(logPath, rec); err != nil {
		fmt.Fprintln(os.Stderr, "buildcost:", err)
		return 1
	}
	if !ps.Success() {
		if rec.Exit < 0 { // killed by a signal, e.g. by the OOM killer
			fmt.Fprintf(os.Stderr, "buildcost: %s: %v\n", tool, err)
			return 1
		}
		return rec.Exit
	}
	return 0
}

// appendRecord appends rec as one JSON line to the file at path. The go
// command runs tools in parallel; each record is written with a single
// write to a file opened with O_APPEND, so lines do not interleave.
func appendRecord(path string, rec record) error {
	line, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
