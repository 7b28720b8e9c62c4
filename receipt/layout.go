package receipt

// How a receipt reads and prints the same in Excel, WPS and LibreOffice: every row that
// holds wrapped text gets a height for its lines (none of them grows a row by itself
// reliably, merged cells never), and every sheet prints on A4 landscape, one page wide,
// its header rows again on every page.

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
