// Command peakrss runs a command and prints the peak resident set size (VmHWM) of that process
// alone, read at its exit through ptrace, and its wall time. Unlike /usr/bin/time, whose figure
// is the largest of the process and every child it waited for, it leaves out the processes the
// command starts (ceplus-agent's plugins). Linux only.
//
//	go run ./deploy/tools/peakrss bin/ceplus-agent inventory --json
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: peakrss COMMAND [ARG...]")
		os.Exit(2)
	}
	hwm, wall, code, err := measure(os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "peakrss: %v\n", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "peakrss: %s: exit %d, wall %.3fs, peak RSS %.1f MB (VmHWM %d kB, this process only)\n",
		os.Args[1], code, wall.Seconds(), float64(hwm)/1024, hwm)
	os.Exit(code)
}
