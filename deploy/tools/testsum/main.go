// Command testsum reads `go test -json` on standard input, prints the output of failing tests,
// names every skipped test with its reason, and ends with one summary line
// "N passed, N failed, N skipped". It exits non-zero when a test or a build failed.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

type event struct {
	Action     string
	ImportPath string
	Package    string
	Test       string
	Output     string
	Elapsed    float64
}

func main() {
	os.Exit(run())
}

func run() int {
	outputs := map[string]*strings.Builder{}
	var passed, failed, skipped int
	var failedNames, skippedNames []string
	buildFailed := false
	pkgFailed := map[string]bool{}
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var ev event
		if err := json.Unmarshal(line, &ev); err != nil || ev.Action == "" {
			// Build errors and other non-JSON output: pass through.
			fmt.Println(string(line))
			if strings.Contains(string(line), "build failed") || strings.HasPrefix(string(line), "#") {
				buildFailed = true
			}
			continue
		}
		key := ev.Package + " " + ev.Test
		switch ev.Action {
		case "build-output":
			fmt.Print(ev.Output)
		case "build-fail":
			buildFailed = true
		case "output":
			b := outputs[key]
			if b == nil {
				b = &strings.Builder{}
				outputs[key] = b
			}
			b.WriteString(ev.Output)
			if ev.Test == "" && !strings.HasPrefix(ev.Output, "=== ") && !strings.HasPrefix(ev.Output, "--- ") {
				// Package-level lines (ok, FAIL, coverage, benchmarks) are shown as they come.
				if strings.HasPrefix(ev.Output, "ok ") || strings.HasPrefix(ev.Output, "FAIL") || strings.HasPrefix(ev.Output, "?") || strings.HasPrefix(ev.Output, "---") {
					fmt.Print(ev.Output)
				}
			}
		case "pass":
			if ev.Test != "" {
				passed++
			}
			delete(outputs, key)
		case "fail":
			if ev.Test != "" {
				failed++
				failedNames = append(failedNames, ev.Package+"."+ev.Test)
				if b := outputs[key]; b != nil {
					fmt.Print(b.String())
				}
			} else {
				pkgFailed[ev.Package] = true
				if b := outputs[key]; b != nil {
					fmt.Print(b.String())
				}
			}
		case "skip":
			if ev.Test != "" {
				skipped++
				reason := ""
				if b := outputs[key]; b != nil {
					for _, l := range strings.Split(b.String(), "\n") {
						l = strings.TrimSpace(l)
						if l != "" && !strings.HasPrefix(l, "=== ") && !strings.HasPrefix(l, "--- ") {
							reason = l
						}
					}
				}
				skippedNames = append(skippedNames, fmt.Sprintf("%s.%s: %s", ev.Package, ev.Test, reason))
			}
			delete(outputs, key)
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "testsum: read:", err)
		return 1
	}
	if len(skippedNames) > 0 {
		sort.Strings(skippedNames)
		fmt.Println("\nSKIPPED (not counted as passing):")
		for _, s := range skippedNames {
			fmt.Println("  " + s)
		}
	}
	if len(failedNames) > 0 {
		sort.Strings(failedNames)
		fmt.Println("\nFAILED:")
		for _, s := range failedNames {
			fmt.Println("  " + s)
		}
	}
	for p := range pkgFailed {
		if !containsPrefix(failedNames, p+".") {
			fmt.Printf("package %s failed (build error, panic or timeout)\n", p)
		}
	}
	fmt.Printf("\n%d passed, %d failed, %d skipped\n", passed, failed, skipped)
	if failed > 0 || buildFailed || len(pkgFailed) > 0 {
		return 1
	}
	if passed == 0 {
		fmt.Println("no test ran")
		return 1
	}
	return 0
}

func containsPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}
