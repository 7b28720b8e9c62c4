// Command plantrack turns a government work plan and the progress reports filed against it
// into a DuckDB database, completion metrics and offline chart reports. See cli for the
// commands and README.md for a tour.
package main

import (
	"os"

	"plantrack/cli"
)

func main() {
	os.Exit(cli.Run(cli.SignalContext(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
