// Package cli is plantrack's command line: one file per command, every error turned into a
// message and an exit code here, and Run taking its arguments and streams so tests drive
// the real commands in-process.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"plantrack/ingest"
	"plantrack/store"

	"github.com/spf13/cobra"
)

// Exit codes, as documented in `plantrack --help`.
const (
	ExitOK          = 0   // done
	ExitError       = 1   // a fatal error: bad input file, broken plan, database trouble; nothing written
	ExitRejected    = 2   // --strict, and some rows were rejected; nothing written
	ExitUsage       = 3   // bad command line
	ExitBusy        = 4   // another process is writing the database: try again when it has finished
	ExitPartial     = 5   // ingest committed its batch, but a step after it (building the metric tables, writing the receipts) failed
	ExitInterrupted = 130 // stopped by Ctrl-C or SIGTERM; an unfinished batch was rolled back
)

const exitHelp = `Exit codes:
  0    done
  1    fatal error (a message names the file, row and value); nothing was written
  2    --strict and some rows were rejected; nothing was written
  3    bad command line
  4    the database is in use by another plantrack: try again when it has finished
  5    ingest committed its batch, but a later step failed (building the metric tables:
       run plantrack build; writing the receipts: run the same ingest again)
  130  interrupted (Ctrl-C); an unfinished batch was rolled back`

// errUsage marks a bad command line: usageErrorf wraps it, and so do cobra's flag errors.
var errUsage = errors.New("bad command line")

// usageError is a bad command line: its message, and errUsage for exitCode.
type usageError struct{ err error }

func (e usageError) Error() string   { return e.err.Error() }
func (e usageError) Unwrap() []error { return []error{e.err, errUsage} }
func usageErrorf(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// errAfterCommit marks a failure after ingest committed its batch: the rows are stored, a
// later step (building the metric tables, writing the receipts) failed.
var errAfterCommit = errors.New("the batch is committed, but a later step failed")

// afterCommitError is a failure after a commit: its message, and errAfterCommit for exitCode.
type afterCommitError struct{ err error }

func (e afterCommitError) Error() string   { return e.err.Error() }
func (e afterCommitError) Unwrap() []error { return []error{e.err, errAfterCommit} }
func afterCommitErrorf(format string, args ...any) error {
	return afterCommitError{fmt.Errorf(format, args...)}
}

// exitCodes turn errors into exit codes: the first that matches decides (an interruption
// after a commit is still an interruption: 130, and its message says what is committed).
var exitCodes = []struct {
	err  error
	code int
}{
	{context.Canceled, ExitInterrupted},
	{errUsage, ExitUsage},
	{ingest.ErrRejected, ExitRejected},
	{store.ErrBusy, ExitBusy},
	{errAfterCommit, ExitPartial},
}

// exitCode is the exit code of a command's error.
func exitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	for _, c := range exitCodes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return ExitError
}

// message is an error as plantrack prints it: a file that cannot be read says its path and
// what is wrong once (/nope.txt: no such file, the path store.Shown), an interruption says
// what happened.
func message(err error) string {
	if errors.Is(err, context.Canceled) {
		if errors.Is(err, errAfterCommit) {
			return "interrupted: " + err.Error()
		}
		return "interrupted: nothing more was written (an unfinished batch was rolled back)"
	}
	msg := err.Error()
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		why := pe.Err.Error()
		switch {
		case errors.Is(pe.Err, fs.ErrNotExist):
			why = "no such file"
		case errors.Is(pe.Err, fs.ErrPermission):
			why = "permission denied"
		}
		msg = strings.Replace(msg, pe.Error(), store.Shown(pe.Path)+": "+why, 1)
	}
	return msg
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
	code := exitCode(err)
	if err != nil {
		fmt.Fprintf(stderr, "plantrack: %s\n", message(err))
	}
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
		// An argument here is a command plantrack does not have.
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorf("unknown command %q", args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
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
		return usageError{err}
	})
	root.SetUsageTemplate(root.UsageTemplate() + "\n" + exitHelp + "\n")
	root.AddCommand(newPlanCmd(e), newIngestCmd(e), newBuildCmd(e), newSQLCmd(e), newExportCmd(e),
		newReportCmd(e), newTemplateCmd(e), newStatusCmd(e), newDemoCmd(e), newPublishCmd(e), newDiffCmd(e), newReviewCmd(e))
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
