package review

// Row heights as receipt/layout.go sets them: Excel, WPS and LibreOffice do not grow a row
// for its wrapped text reliably, so every row gets a height for its lines, estimated the
// same way everywhere.
