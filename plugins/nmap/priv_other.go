//go:build !unix

package nmap

import "os/exec"

// isPrivileged is false off Unix: on Windows the scan is run as a connect scan, which needs
// neither Npcap raw access nor Administrator rights.
func isPrivileged() bool { return false }

// ownProcessGroup keeps exec's default: cancellation kills nmap itself.
func ownProcessGroup(*exec.Cmd) {}
