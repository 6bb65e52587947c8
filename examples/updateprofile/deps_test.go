package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLightDependencies checks that a program on tgraw's client compiles
// neither gotd/td's generated tg package nor its telegram client: only
// gotd/td's bin and transport.
func TestLightDependencies(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command:", err)
	}
	out, err := exec.Command(goTool, "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	pkgs := strings.Fields(string(out))
	for _, pkg := range pkgs {
		for _, banned := range []string{"github.com/gotd/td/tg", "github.com/gotd/td/telegram"} {
			if pkg == banned || strings.HasPrefix(pkg, banned+"/") {
				t.Errorf("the program depends on %s", pkg)
			}
		}
	}
	// It does compile what it is made of.
	for _, want := range []string{"github.com/tgraw/tgraw/client", "github.com/gotd/td/transport", "modernc.org/sqlite"} {
		found := false
		for _, pkg := range pkgs {
			found = found || pkg == want
		}
		if !found {
			t.Errorf("the program does not depend on %s: the check looks at the wrong package", want)
		}
	}
}
