// Package cli is plantrack's command line: one file per command, every error turned into a
// message and an exit code here, and Run taking its arguments and streams so tests drive
// the real commands in-process.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit codes, as documented in `plantrack --help`.
const (
	ExitOK       = 0 // done
	ExitError    = 1 // a fatal error: bad input file, broken plan, database trouble; nothing written
	ExitRejected = 2 // --strict, and some rows were rejected; nothing written
	ExitUsage    = 3 // bad command line
)

const exitHelp = `Exit codes:
  0  done
  1  fatal error (a message names the file, row and value); nothing was written
  2  --strict and some rows were rejected; nothing was written
  3  bad command line`

// exitError carries an exit code other than ExitError up to Run.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return &exitError{code: ExitUsage, err: fmt.Errorf(format, args...)}
}

// env is what every command gets: its streams and logger.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	log            *slog.Logger
	verbose        bool
}

// Run runs plantrack with args (without the program name) and returns the exit code.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	root := newRoot(e)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	code := ExitError
	var xe *exitError
	switch {
	case errors.As(err, &xe):
		code = xe.code
	case strings.HasPrefix(err.Error(), "unknown command"):
		code = ExitUsage
	}
	fmt.Fprintf(stderr, "plantrack: %v\n", err)
	if code == ExitUsage {
		fmt.Fprintln(stderr, "Run 'plantrack --help' for usage.")
	}
	return code
}

func newRoot(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "plantrack",
		Short: "Turn a work plan and its progress reports into trustworthy numbers and charts",
		Long: `plantrack reads a government work plan (工作计划), the units that answer for its tasks,
and the progress reports (进度报表) units file each quarter, and turns them into a DuckDB
database, completion rates by section, task, unit and county, and offline chart reports.`,
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRun: func(cmd *cobra.Command, _ []string) {
			level := slog.LevelWarn
			if e.verbose {
				level = slog.LevelDebug
			}
			e.log = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
		},
	}
	root.PersistentFlags().BoolVarP(&e.verbose, "verbose", "v", false, "log what is being done to stderr")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &exitError{code: ExitUsage, err: err}
	})
	root.SetUsageTemplate(root.UsageTemplate() + "\n" + exitHelp + "\n")
	root.AddCommand(newPlanCmd(e), newIngestCmd(e), newBuildCmd(e), newSQLCmd(e), newExportCmd(e),
		newReportCmd(e), newTemplateCmd(e), newStatusCmd(e), newDemoCmd(e))
	return root
}

// SignalContext is cancelled on SIGINT or SIGTERM, so long work stops cleanly and
// uncommitted batches are rolled back.
func SignalContext() context.Context {
	ctx, _ := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	return ctx
}

// exactArgs is cobra.ExactArgs with a usage exit code and a message naming what is missing.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErrorf("want %s, got %d argument(s)", what, len(args))
		}
		return nil
	}
}
