package peer_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLightDependencies checks that importing peer compiles neither SQLite
// nor gotd/td's MTProto client.
func TestLightDependencies(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command:", err)
	}
	out, err := exec.Command(goTool, "list", "-deps", "github.com/tgraw/tgraw/peer").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		for _, banned := range []string{"modernc.org/sqlite", "github.com/gotd/td/telegram", "github.com/gotd/td/mtproto", "github.com/tgraw/tgraw/peer/sqlitestore"} {
			if pkg == banned || strings.HasPrefix(pkg, banned+"/") {
				t.Errorf("peer depends on %s", pkg)
			}
		}
	}
}
