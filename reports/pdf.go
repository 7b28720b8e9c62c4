package reports

import (
	"context"
	"fmt"
)

// PrintPDF is filled in by pdf printing support.
func PrintPDF(ctx context.Context, out string, pages []Page) ([]string, error) {
	return nil, fmt.Errorf("not yet")
}
