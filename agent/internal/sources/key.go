package sources

import (
	"crypto/ed25519"
	"fmt"

	"github.com/ceplus/ceplus/shared/pluginapi"
)

// publicKey is the base64 ed25519 key that plugin manifests must be signed with. `make build`
// sets it with -ldflags "-X github.com/ceplus/ceplus/agent/internal/sources.publicKey=…", so the
// trust anchor is part of the agent binary and nobody who can only write the plugin directory
// can replace it.
var publicKey string

// PublicKey returns the plugin signing key built into this agent.
func PublicKey() (ed25519.PublicKey, error) {
	if publicKey == "" {
		return nil, fmt.Errorf("this ceplus-agent was built without a plugin signing key, so it can run no plugin: build it with `make build`")
	}
	pub, err := pluginapi.ParsePublicKey(publicKey)
	if err != nil {
		return nil, fmt.Errorf("plugin signing key built into this agent: %w", err)
	}
	return pub, nil
}
