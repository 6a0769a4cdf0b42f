//go:build darwin

package macos

import (
	"context"
	"io/fs"
	"os"
	"time"

	"github.com/ceplus/ceplus/shared/command"
)

// systemHost reads the running macOS system.
type systemHost struct{}

func newHost() host { return systemHost{} }

func (systemHost) run(ctx context.Context, timeout time.Duration, name string, args ...string) ([]byte, []byte, error) {
	return command.Run(ctx, timeout, nil, name, args...)
}

func (systemHost) root() fs.FS { return os.DirFS("/") }
