package cli

import (
	"context"
	"errors"

	"plantrack/plan"
	"plantrack/store"
	"plantrack/transform"
)

// dbPeriod reads a --period flag against the database: any form ingest reads, a quarter
// of the plan year; empty, the latest period reported. A bad flag is a usage error.
func dbPeriod(ctx context.Context, db *store.DB, flag string) (plan.Period, error) {
	p, err := transform.Period(ctx, db.DB, flag)
	if errors.Is(err, transform.ErrPeriod) {
		return "", usageErrorf("--period: %v", err)
	}
	return p, err
}
