package docx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// Paragraph is a paragraph as read back from a .docx: its style, its text and the text of
// its highlighted runs. Table cells are paragraphs too (InTable).
type Paragraph struct {
	Style, Text string
	Highlighted []string
	InTable     bool
}

// Read is what a .docx holds, read back for checks: its paragraphs, tables, images, parts
// and the East Asian fonts its styles declare.
type Read struct {
	Paragraphs []Paragraph
	Tables     int
	Images     int
	Parts      map[string][]byte
	EastAsia   []string // w:eastAsia fonts of styles.xml, in order, each once
}

// Open reads a .docx's document part.
func Open(b []byte) (*Read, error) {
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, err
	}
	r := &Read{Parts: map[string][]byte{}}
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		r.Parts[f.Name] = data
		if strings.HasPrefix(f.Name, "word/media/") {
			r.Images++
		}
	}
	doc, ok := r.Parts["word/document.xml"]
	if !ok {
		return nil, fmt.Errorf("no word/document.xml")
	}
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var p *Paragraph
	var inT, highlight bool
	tables := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "tbl":
				tables++
				r.Tables++
			case "p":
				p = &Paragraph{Style: Body, InTable: tables > 0}
			case "pStyle":
				if p != nil {
					p.Style = attr(t, "val")
				}
			case "r":
				highlight = false
			case "highlight":
				highlight = true
			case "t":
				inT = true
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "tbl":
				tables--
			case "p":
				if p != nil {
					r.Paragraphs = append(r.Paragraphs, *p)
				}
				p = nil
			case "t":
				inT = false
			}
		case xml.CharData:
			if inT && p != nil {
				p.Text += string(t)
				if highlight {
					p.Highlighted = append(p.Highlighted, string(t))
				}
			}
		}
	}
	dec = xml.NewDecoder(bytes.NewReader(r.Parts["word/styles.xml"]))
	seen := map[string]bool{}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if s, ok := tok.(xml.StartElement); ok && s.Name.Local == "rFonts" {
			if f := attr(s, "eastAsia"); f != "" && !seen[f] {
				seen[f] = true
				r.EastAsia = append(r.EastAsia, f)
			}
		}
	}
	return r, nil
}

func attr(s xml.StartElement, local string) string {
	for _, a := range s.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// Text is the document's text, a paragraph a line.
func (r *Read) Text() string {
	var b strings.Builder
	for _, p := range r.Paragraphs {
		b.WriteString(p.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

// Styled are the texts of the paragraphs of a style, in order.
func (r *Read) Styled(style string) []string {
	var out []string
	for _, p := range r.Paragraphs {
		if p.Style == style {
			out = append(out, p.Text)
		}
	}
	return out
}
