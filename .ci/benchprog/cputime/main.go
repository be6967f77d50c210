// Command cputime runs a command and appends the CPU time it used (user + system) to a file, in
// milliseconds to the microsecond. Bash's times builtin rounds to the millisecond, a tenth of
// what a headless run costs.
//
//	cputime -o FILE CMD [ARG...]
//
// The command's streams are cputime's; cputime exits with the command's status.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
)

func main() {
	out := flag.String("o", "", "the file the figure is appended to")
	flag.Parse()
	if *out == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: cputime -o FILE CMD [ARG...]")
		os.Exit(2)
	}
	cmd := exec.Command(flag.Arg(0), flag.Args()[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		fmt.Fprintln(os.Stderr, "cputime:", err)
		os.Exit(1)
	}
	ps := cmd.ProcessState
	f, ferr := os.OpenFile(*out, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if ferr == nil {
		_, ferr = fmt.Fprintf(f, "%.3f\n", float64(ps.UserTime()+ps.SystemTime())/1e6)
		ferr = errors.Join(ferr, f.Close())
	}
	if ferr != nil {
		fmt.Fprintln(os.Stderr, "cputime:", ferr)
		os.Exit(1)
	}
	os.Exit(ps.ExitCode())
}
