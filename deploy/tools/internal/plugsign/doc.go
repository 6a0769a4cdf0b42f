// Package plugsign signs a directory of ceplus source plugins: it describes every
// ceplus-plugin-* binary (by running its describe subcommand, or for a binary built for another
// platform by running a host build of the same Go package), writes plugins.json and its ed25519
// signature plugins.json.sig, and manages the signing key. deploy/tools/signplugins and
// deploy/tools/pkg use it.
package plugsign
