package reports

import (
	"bytes"
	"testing"
)

// A task with more lagging units than the pages name says how many there are, in the
// pages and in summary.xlsx alike.
func TestLaggingNamesAtMostSome(t *testing.T) {
	r, err := newPageRenderer(&Data{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		task Task
		want string
	}{
		{"all named", Task{Lagging: []string{"东阿县", "冠县"}, LaggingCount: 2}, ""},
		{"none", Task{}, ""},
		{"more than named", Task{Lagging: []string{"东阿县"}, LaggingCount: 1200}, " 等1200个单位"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := r.t.ExecuteTemplate(&b, "more", c.task); err != nil {
				t.Fatal(err)
			}
			if b.String() != c.want {
				t.Errorf("page: %q, want %q", b.String(), c.want)
			}
			if got := moreLagging(c.task); got != c.want {
				t.Errorf("summary.xlsx: %q, want %q", got, c.want)
			}
		})
	}
}
