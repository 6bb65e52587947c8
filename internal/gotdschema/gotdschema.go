// Package gotdschema finds the TL schemas that gotd/td's module carries in
// its _schema directory, for tests: telegram.tl (the Telegram API at
// gotd/td's layer, 170 in v0.93.0), encrypted.tl (secret chats) and
// tdapi.tl (TDLib's td_api).
package gotdschema

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// Module is gotd/td's module path.
const Module = "github.com/gotd/td"

// Path returns the path of the schema file name in the _schema directory
// of gotd/td's module, in the version that the go command resolves for
// the module of the current directory.
func Path(name string) (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", Module).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return "", fmt.Errorf("go list -m %s: %v: %s", Module, err, strings.TrimSpace(string(ee.Stderr)))
		}
		return "", fmt.Errorf("go list -m %s: %v", Module, err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		return "", fmt.Errorf("go list -m %s: the module is not in the module cache", Module)
	}
	return filepath.Join(dir, "_schema", name), nil
}
