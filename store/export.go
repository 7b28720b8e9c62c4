package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/duckdb/duckdb-go/v2"
	"golang.org/x/sync/errgroup"
)

// Tables are the fact and catalog tables of the contract, which export writes besides the
// metric views.
var Tables = []string{"plans", "plan_sources", "sections", "tasks", "carried_tasks", "units", "assignments", "ingest_batches", "ingest_files", "submissions", "rejected_rows", "review_batches", "reviews", "editions", "edition_figures"}

// Partitioning is how export --partition writes a relation: as a folder NAME/ of
// hive-style folders, one per value of the keys (NAME/plan_year=2021/period=2021Q2/),
// each holding data_0.parquet, the relation's rows with that value, in the order the
// relation gives them (see Export), without the key columns (a reader takes them from the
// folder names). DuckDB keeps at most 100 such files open while it writes: past 100
// quarters a folder may hold data_1.parquet too.
type Partitioning struct {
	Select string   // the relation with its keys as columns
	Keys   []string // the key columns, outermost folder first
}

// Partitioned are the relations export --partition writes as folders: the facts keyed by
// a quarter of a plan year. submissions has no plan_year: it is the year of the period.
// The other relations stay one file each (rejected_rows has no period; the metric views
// are at one period).
var Partitioned = map[string]Partitioning{
	"submissions":        {Select: `SELECT *, CAST(left(period::VARCHAR, 4) AS INTEGER) AS plan_year FROM submissions`, Keys: []string{"plan_year", "period"}},
	"reports":            {Select: `SELECT * FROM reports`, Keys: []string{"plan_year", "period"}},
	"assignment_history": {Select: `SELECT * FROM assignment_history`, Keys: []string{"plan_year", "at_period"}},
}

// copyOptions are the Parquet writer's settings, all fixed so that the same rows give the
// same bytes: zstd at level 1, row groups of 122,880 rows (DuckDB's own row group), format
// version 1. Level 1 rather than zstd's default 3: a tenth less time writing 1M reports,
// and files no larger (11.3 MB against 11.5 MB; snappy, the reference's codec, 21.5 MB).
// DuckDB embeds no time; its created_by names its version, so a DuckDB upgrade may change
// the bytes.
const copyOptions = "FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, ROW_GROUP_SIZE 122880, PARQUET_VERSION V1"

// Export writes each table or view of names to dir/NAME.parquet; the same database gives
// the same files. DuckDB writes them itself (COPY … TO … (FORMAT parquet)), never through
// Go. done, when set, hears each file's name and rows once every file is in place.
//
// Nothing is sorted (sorting every relation, ORDER BY ALL, took most of an export's time).
// The bytes are the same because each relation is written by one statement that DuckDB
// runs on one thread, with the Parquet writer's settings fixed (copyOptions): one thread
// reads a table's row groups in the order they are stored, and runs a view's operators in
// a fixed order (hash tables filled, sums added, rows sorted, in the order rows arrive),
// so that a table's rows come out in the order it stores them and a view's in its own
// ORDER BY or else the order its plan gives, the same each time. Several statements run
// at once, each on a connection of its own, as many as the database had threads; so that
// none changes another's plan, DuckDB may not spill meanwhile (see copyAll). While an
// export runs the database has one thread and no temporary directory, for every
// statement on it; exports in one process run one at a time.
//
// An export is whole or nothing: the files are written into a temporary folder in dir
// (.plantrack-export-*.tmp) and moved to dir only when every one has been written. On any
// failure (a view that errors, a full disk, Ctrl-C) the temporary folder is removed, and
// so are the folders the export created: dir is left as it was, older files included.
func (db *DB) Export(ctx context.Context, dir string, names []string, done func(name string, rows int64)) error {
	return db.ExportPartitioned(ctx, dir, names, nil, done)
}

// ExportPartitioned is Export, but the relations of names that parts has (see Partitioned)
// are written as folders dir/NAME/KEY=VALUE/…/data_0.parquet, hive-style, the form Spark,
// Trino and DuckDB read as one table (DuckDB: read_parquet('NAME/**/*.parquet',
// hive_partitioning = true)). Such a folder replaces an older dir/NAME as a whole; done
// hears its rows in all.
func (db *DB) ExportPartitioned(ctx context.Context, dir string, names []string, parts map[string]Partitioning, done func(name string, rows int64)) (err error) {
	made, err := mkdirAll(dir)
	if err != nil {
		return err
	}
	var tmp string
	var placed []string   // new files and folders put in place
	var moved [][2]string // older ones moved aside: {where it was, where it is now}
	defer func() {
		if err == nil {
			return
		}
		for _, p := range placed {
			os.RemoveAll(p)
		}
		for _, m := range slices.Backward(moved) {
			os.Rename(m[1], m[0])
		}
		if tmp != "" {
			os.RemoveAll(tmp)
		}
		for i := len(made) - 1; i >= 0; i-- {
			os.Remove(made[i]) // only if empty: nothing of anyone else's goes
		}
	}()
	if tmp, err = os.MkdirTemp(dir, ".plantrack-export-*.tmp"); err != nil {
		return err
	}
	// DuckDB reads a path starting with ~ as the home folder, and one with a scheme
	// (s3://) as remote: give it absolute paths.
	if tmp, err = filepath.Abs(tmp); err != nil {
		return err
	}
	counts, err := db.copyAll(ctx, names, func(ctx context.Context, conn *sql.Conn, name string) (int64, error) {
		p, ok := parts[name]
		to := filepath.Join(tmp, name+".parquet")
		if ok {
			to = filepath.Join(tmp, name)
		}
		if err := os.RemoveAll(to); err != nil { // what an attempt that ran out of memory left
			return 0, err
		}
		if ok {
			return copyPartitioned(ctx, conn, p, to)
		}
		return copyParquet(ctx, conn, "SELECT * FROM "+quoteIdent(name), to)
	})
	if err != nil {
		return err
	}
	// Every file is written: put them in place. What is there already is kept aside, in
	// the temporary folder, and put back should a later step fail: an older file is
	// linked there and replaced in one rename (readers see the old file or the new); an
	// older folder is moved there first (a folder cannot be renamed over one that holds
	// files).
	for _, name := range names {
		base := name + ".parquet"
		if _, ok := parts[name]; ok {
			base = name
		}
		from, to := filepath.Join(tmp, base), filepath.Join(dir, base)
		if st, err := os.Lstat(to); err == nil {
			aside := filepath.Join(tmp, ".older-"+base)
			if !st.Mode().IsRegular() || os.Link(to, aside) != nil {
				if err := os.Rename(to, aside); err != nil {
					return fmt.Errorf("export %s: %w", name, err)
				}
			}
			moved = append(moved, [2]string{to, aside})
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("export %s: %w", name, err)
		}
		if err := os.Rename(from, to); err != nil {
			return fmt.Errorf("export %s: %w", name, err)
		}
		placed = append(placed, to)
	}
	// In place: from here nothing is undone.
	placed, moved = nil, nil
	if err := os.RemoveAll(tmp); err != nil { // the older files moved aside with it
		return fmt.Errorf("export: every file is in place, but: %w", err)
	}
	if done != nil {
		for i, name := range names {
			done(name, counts[i])
		}
	}
	return nil
}

// copyAll runs write for each of names, each statement on one DuckDB thread, several at
// once (see Export), and returns the rows each wrote. The first failure stops the rest and
// is the error returned, naming its relation.
//
// Meanwhile the database has one thread and no temporary directory, and both settings are
// set back when all have stopped. Without a temporary directory DuckDB cannot spill, so it
// gives each operator all the memory the operator asks for, whatever else runs: an
// operator's plan (a hash table's partitions, a join in memory or out of it) does not
// depend on the statements beside it, and on one thread its rows come in the same order
// each time. A statement that runs out of memory beside others is run again alone, still
// unable to spill: the same plan. Only one that runs out of memory alone, a relation
// larger than the memory limit allows, is then written with spilling, alone, once all
// others are done, where nothing else asks for memory: its own fixed plan for that memory
// limit. DuckDB cannot stop spilling once it has spilled: an export from a database that
// has spilled since it was opened fails at once.
func (db *DB) copyAll(ctx context.Context, names []string, write func(ctx context.Context, conn *sql.Conn, name string) (int64, error)) ([]int64, error) {
	exporting.Lock() // so that one export never takes the other's settings for the ones to restore
	defer exporting.Unlock()
	var threads int
	var tempDir string
	if err := db.QueryRowContext(ctx, "SELECT current_setting('threads'), current_setting('temp_directory')").Scan(&threads, &tempDir); err != nil {
		return nil, err
	}
	order, err := exportOrder(ctx, db.DB, names)
	if err != nil {
		return nil, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	spilling := false // temp_directory is tempDir again
	if tempDir != "" {
		if _, err := conn.ExecContext(ctx, "SET GLOBAL temp_directory = ''"); err != nil {
			return nil, fmt.Errorf("export: DuckDB must not spill while an export runs, and this database has spilled to %s since it was opened: export from it opened anew (%w)", tempDir, err)
		}
		defer func() {
			if !spilling { // on a connection of its own: conn may be the one a cancel broke
				db.ExecContext(context.WithoutCancel(ctx), "SET GLOBAL temp_directory = "+quoteString(tempDir))
			}
		}()
	}
	if _, err := conn.ExecContext(ctx, "SET GLOBAL threads = 1"); err != nil {
		return nil, err
	}
	defer db.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("SET GLOBAL threads = %d", threads))

	counts := make([]int64, len(names))
	var mu sync.Mutex
	var alone []int // ran out of memory beside others
	g, gctx := errgroup.WithContext(ctx)
	next := make(chan int)
	workers := min(max(threads, 1), len(names))
	for w := range workers {
		g.Go(func() error {
			c := conn
			if w > 0 {
				var err error
				if c, err = db.Conn(gctx); err != nil {
					return err
				}
				defer c.Close()
			}
			for i := range next {
				n, err := write(gctx, c, names[i])
				if outOfMemory(err) {
					mu.Lock()
					alone = append(alone, i)
					mu.Unlock()
					continue
				}
				if err != nil {
					return fmt.Errorf("export %s: %w", names[i], err)
				}
				counts[i] = n
			}
			return nil
		})
	}
feed:
	for _, i := range order {
		select {
		case next <- i:
		case <-gctx.Done():
			break feed
		}
	}
	close(next)
	if err := g.Wait(); err != nil {
		return nil, err
	}
	slices.Sort(alone)
	var spilled []int // ran out of memory alone
	if workers == 1 {
		alone, spilled = nil, alone // they ran alone already
	}
	for _, i := range alone {
		n, err := write(ctx, conn, names[i])
		if outOfMemory(err) {
			spilled = append(spilled, i)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("export %s: %w", names[i], err)
		}
		counts[i] = n
	}
	if len(spilled) > 0 && tempDir != "" {
		if _, err := conn.ExecContext(ctx, "SET GLOBAL temp_directory = "+quoteString(tempDir)); err != nil {
			return nil, err
		}
		spilling = true
	}
	for _, i := range spilled {
		n, err := write(ctx, conn, names[i])
		if err != nil {
			return nil, fmt.Errorf("export %s: %w", names[i], err)
		}
		counts[i] = n
	}
	return counts, nil
}

// outOfMemory says whether err is DuckDB's out-of-memory error.
func outOfMemory(err error) bool {
	var e *duckdb.Error
	return errors.As(err, &e) && e.Type == duckdb.ErrorTypeOutOfMemory
}

// exporting is held while an export runs: exports in one process run one at a time.
var exporting sync.Mutex

// exportOrder is the order in which copyAll starts the relations of names (indexes into
// it): the costliest first, so that the last to finish is a short one. The cost is a
// guess, made without running or planning anything (planning every view would take a
// tenth of the export): the rows of the stored tables a relation reads, through the views
// and table macros it reads from (FROM and JOIN in their SQL), as often as it reads them.
// Equal guesses keep the order of names.
func exportOrder(ctx context.Context, db *sql.DB, names []string) ([]int, error) {
	rows, err := db.QueryContext(ctx, `SELECT table_name, estimated_size, NULL FROM duckdb_tables() WHERE schema_name = 'main'
		UNION ALL SELECT view_name, NULL, sql FROM duckdb_views() WHERE NOT internal AND schema_name = 'main'
		UNION ALL SELECT function_name, NULL, macro_definition FROM duckdb_functions() WHERE function_type = 'table_macro' AND NOT internal AND schema_name = 'main'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	size := map[string]int64{}     // tables
	reads := map[string][]string{} // views and table macros: what they read
	for rows.Next() {
		var name string
		var n sql.NullInt64
		var text sql.NullString
		if err := rows.Scan(&name, &n, &text); err != nil {
			return nil, err
		}
		if n.Valid {
			size[name] = n.Int64
			continue
		}
		for _, m := range readsRE.FindAllStringSubmatch(text.String, -1) {
			reads[name] = append(reads[name], strings.Trim(m[1], `"`))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	cost := map[string]int64{}
	var guess func(name string, depth int) int64
	guess = func(name string, depth int) int64 {
		if n, ok := size[name]; ok {
			return n
		}
		if c, ok := cost[name]; ok || depth > 20 {
			return c
		}
		var c int64
		for _, r := range reads[name] {
			if r != name {
				c += guess(r, depth+1)
			}
		}
		cost[name] = c
		return c
	}
	order := make([]int, len(names))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(guess(names[b], 0), guess(names[a], 0)) })
	return order, nil
}

// readsRE finds what SQL reads: the name after FROM or JOIN (a table, a view, a table
// macro; a CTE's name matches nothing stored).
var readsRE = regexp.MustCompile(`(?i)\b(?:FROM|JOIN)\s+((?:"[^"]+"|\w+))`)

// copyParquet writes the rows of query to a new Parquet file at path and returns how many
// there were.
func copyParquet(ctx context.Context, conn *sql.Conn, query, path string) (int64, error) {
	res, err := conn.ExecContext(ctx, "COPY ("+query+") TO "+quoteString(path)+" ("+copyOptions+")")
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	return n, syncFile(path)
}

// syncFile makes a file DuckDB wrote readable by others (0644) and durable.
func syncFile(path string) error {
	if err := os.Chmod(path, 0o644); err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// hiveValue is what a key value may be to name a folder as it is (KEY=VALUE): years and
// quarters, nothing a reader would need to unescape.
var hiveValue = regexp.MustCompile(`^[0-9A-Za-z_.-]+$`)

// hiveNull is the folder name DuckDB gives a NULL key (as Hive does).
const hiveNull = "__HIVE_DEFAULT_PARTITION__"

// copyPartitioned writes the relation p into folder, one Parquet file for each value of
// its keys, in one pass (DuckDB's PARTITION_BY, which on one thread writes each folder's
// rows in the order they come), and returns its rows in all. A value that cannot name a
// folder as it is (NULL, empty, or with characters DuckDB escapes) fails the export.
func copyPartitioned(ctx context.Context, conn *sql.Conn, p Partitioning, folder string) (int64, error) {
	var keys []string
	for _, k := range p.Keys {
		keys = append(keys, quoteIdent(k))
	}
	if err := os.Mkdir(folder, 0o755); err != nil {
		return 0, err
	}
	res, err := conn.ExecContext(ctx, "COPY ("+p.Select+") TO "+quoteString(folder)+" ("+copyOptions+", PARTITION_BY ("+strings.Join(keys, ", ")+"), OVERWRITE_OR_IGNORE)")
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	err = filepath.WalkDir(folder, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == folder {
			return err
		}
		if !d.IsDir() {
			return syncFile(path)
		}
		rel, _ := filepath.Rel(folder, path)
		depth := strings.Count(rel, string(filepath.Separator))
		if depth >= len(p.Keys) {
			return fmt.Errorf("partition folder %s: more levels than keys", rel)
		}
		k := p.Keys[depth]
		v, ok := strings.CutPrefix(d.Name(), k+"=")
		if !ok {
			return fmt.Errorf("partition folder %s: not %s=…", rel, k)
		}
		if v == hiveNull || !hiveValue.MatchString(v) {
			shown := "NULL"
			if v != hiveNull {
				shown = v
				if u, err := url.PathUnescape(v); err == nil {
					shown = strconv.Quote(u)
				}
			}
			return fmt.Errorf("partition key %s: cannot name a folder after %s", k, shown)
		}
		return nil
	})
	return n, err
}

// quoteString writes s as an SQL string literal.
func quoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// quoteIdent writes s as an SQL identifier.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// mkdirAll makes dir and any missing parent, like os.MkdirAll, and returns the folders it
// made, outermost first, so a failed export can take them away again.
func mkdirAll(dir string) ([]string, error) {
	var missing []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil || !errors.Is(err, fs.ErrNotExist) {
			break
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	slices.Reverse(missing)
	return missing, nil
}
