package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"plantrack/plan"
	"plantrack/store"

	"github.com/apache/arrow-go/v18/arrow"
)

// readJSON reads a JSON array of objects, one submission each, keyed by the English column
// names (unit, period, task_no, …; the Chinese headers are accepted too). The rules, so
// nothing depends on what a decoder happens to do:
//   - a key given twice in one object rejects that object (which value was meant?);
//   - keys plantrack does not know are kept in the file, and the row is flagged unknown_field;
//   - numbers and numbers written as strings are the same ("85" and 85), null is empty,
//     true/false are words;
//   - an element that is not an object is rejected; a file that is not an array is
//     rejected whole. Row numbers count the array's elements from 1.
func (j *fileJob) readJSON(ctx context.Context, path string, emit func(arrow.RecordBatch) error) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	b = bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))
	if b, err = j.decode(b); err != nil {
		return err
	}
	// A syntax error anywhere makes the whole file unreadable: objects before it are not
	// taken, as if the file were whole, nor are those after it lost without a word.
	var whole json.RawMessage
	if err := json.Unmarshal(b, &whole); err != nil {
		where, whereZh := "", ""
		if se, ok := errors.AsType[*json.SyntaxError](err); ok {
			line := 1 + bytes.Count(b[:min(int(se.Offset), len(b))], []byte{'\n'})
			where, whereZh = fmt.Sprintf(" at line %d (byte %d)", line, se.Offset), fmt.Sprintf("（第 %d 行）", line)
		}
		j.rejectFile(plan.FileFault(fmt.Sprintf("invalid JSON%s: %v; nothing of the file is taken", where, err),
			"JSON 文件格式有误"+whereZh+"，整个文件未接收：请检查后重新导出"))
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('[') {
		j.rejectFile(plan.FileFault("not a JSON array of objects: the file must start with [", "JSON 文件格式有误：应为由记录组成的数组"))
		return nil
	}
	bb := newBatchBuilder(j.c.dicts)
	defer bb.release()
	for n := 1; dec.More(); n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		var elem json.RawMessage
		if err := dec.Decode(&elem); err != nil {
			j.res.reject(store.Rejection{File: j.name, Row: n, Reason: "unreadable JSON: " + err.Error(),
				ReasonZh: "JSON 文件格式有误：应为由记录组成的数组", Code: string(plan.ReasonFile), Raw: "{}"})
			break // the decoder cannot find the next element after a syntax error
		}
		keys, vals, dup, err := objectFields(elem)
		if err != nil {
			j.res.rowsRead++
			j.res.reject(store.Rejection{File: j.name, Row: n, Value: clipText(string(elem), 80), Reason: err.Error(),
				ReasonZh: "这一项不是一条记录（应为 JSON 对象）", Code: string(plan.ReasonNotObject), Raw: rawJSON([]string{"value"}, []string{string(elem)})})
			continue
		}
		if dup != "" {
			j.res.rowsRead++
			j.res.reject(store.Rejection{File: j.name, Row: n, Column: dup, Value: vals[indexOf(keys, dup)],
				Reason: fmt.Sprintf("key %q appears twice in the object", dup), ReasonZh: "栏目「" + dup + "」在同一条记录中出现了两次，不知以哪个为准",
				Code: string(plan.ReasonDuplicate), Raw: rawJSON(keys, vals)})
			continue
		}
		l := &layout{header: keys}
		for f := range plan.NumFields {
			l.col[f] = -1
		}
		unknown := false
		for i, k := range keys {
			if f, ok := plan.FieldOf(k); ok {
				l.name(f, i)
			} else {
				unknown = true
			}
		}
		j.layout = l
		var extra []plan.Flag
		if unknown {
			extra = append(extra, plan.FlagUnknownField)
		}
		j.row(vals, "", n, bb, &j.res, extra...)
	}
	if b := bb.finish(); b != nil {
		return emit(b)
	}
	return nil
}

// objectFields reads one JSON object's keys and values in order, as text. dup names the
// first key that appears twice.
func objectFields(raw json.RawMessage) (keys, vals []string, dup string, err error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, nil, "", errors.New("not a JSON object")
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, "", err
		}
		k, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, "", err
		}
		if seen[k] && dup == "" {
			dup = k
		}
		seen[k] = true
		keys = append(keys, k)
		vals = append(vals, jsonText(v))
	}
	if _, err := dec.Token(); err != nil && !errors.Is(err, io.EOF) {
		return nil, nil, "", err
	}
	return keys, vals, dup, nil
}

// jsonText is the text a JSON value stands for: strings unquoted, null empty, numbers,
// booleans, objects and arrays as written.
func jsonText(v json.RawMessage) string {
	s := strings.TrimSpace(string(v))
	switch {
	case s == "null":
		return ""
	case strings.HasPrefix(s, `"`):
		var out string
		if json.Unmarshal(v, &out) == nil {
			return out
		}
	}
	return s
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return 0
}

func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
