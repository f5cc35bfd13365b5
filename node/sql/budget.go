package sql

import (
	"context"
	"errors"
	"time"

	"github.com/cockroachdb/apd/v3"
)

// Budget bounds the work of one batch by counts alone: rows read, rows written, bytes made
// and held. Counts, never time or memory, so a batch over its budget fails with the same
// error at the same row on every node that applies it, and the digests stay equal.
//
// The leader writes its budget into every batch it proposes (Batch.Budget) and Apply
// enforces that one, so nodes started with different flags still agree.
type Budget struct {
	// RowsExamined bounds the rows a write batch reads: every row a scan visits and every
	// row a join combines. Reads are bounded by HeldBytes and their timeout instead.
	RowsExamined int64 `json:"rows_examined"`
	// RowsWritten bounds the rows a batch inserts, updates or deletes.
	RowsWritten int64 `json:"rows_written"`
	// ValueBytes bounds any one text value the batch computes or stores.
	ValueBytes int64 `json:"value_bytes"`
	// WriteBytes bounds the bytes of row keys and values a batch writes.
	WriteBytes int64 `json:"write_bytes"`
	// HeldBytes bounds what one statement keeps in memory: result rows, groups, rows
	// materialized for a join.
	HeldBytes int64 `json:"held_bytes"`
}

// DefaultBudget is what a node allows unless its flags say otherwise.
func DefaultBudget() Budget {
	return Budget{RowsExamined: 1_000_000, RowsWritten: 100_000, ValueBytes: 1 << 20,
		WriteBytes: 64 << 20, HeldBytes: 256 << 20}
}

// ceilingBudget is the most any batch may ask for. It applies to batches that carry no
// budget (written before batches had one) and caps one that asks for more, so even an
// entry that reached the log without the leader's checks is bounded.
func ceilingBudget() Budget {
	return Budget{RowsExamined: 100_000_000, RowsWritten: 10_000_000, ValueBytes: 64 << 20,
		WriteBytes: 1 << 30, HeldBytes: 4 << 30}
}

// capped fills unset fields from the ceiling and lowers any field above it.
func (b Budget) capped() Budget {
	c := ceilingBudget()
	pick := func(v, ceil int64) int64 {
		if v <= 0 || v > ceil {
			return ceil
		}
		return v
	}
	return Budget{
		RowsExamined: pick(b.RowsExamined, c.RowsExamined),
		RowsWritten:  pick(b.RowsWritten, c.RowsWritten),
		ValueBytes:   pick(b.ValueBytes, c.ValueBytes),
		WriteBytes:   pick(b.WriteBytes, c.WriteBytes),
		HeldBytes:    pick(b.HeldBytes, c.HeldBytes),
	}
}

// withDefaults fills unset fields from DefaultBudget.
func (b Budget) withDefaults() Budget {
	d := DefaultBudget()
	return Budget{
		RowsExamined: orDefault(b.RowsExamined, d.RowsExamined),
		RowsWritten:  orDefault(b.RowsWritten, d.RowsWritten),
		ValueBytes:   orDefault(b.ValueBytes, d.ValueBytes),
		WriteBytes:   orDefault(b.WriteBytes, d.WriteBytes),
		HeldBytes:    orDefault(b.HeldBytes, d.HeldBytes),
	}
}

// orDefault is v, or d when v is unset (zero or negative).
func orDefault[T int | int64](v, d T) T {
	if v <= 0 {
		return d
	}
	return v
}

// ErrCanceled matches every cancelled or timed-out statement (SQLSTATE 57014).
var ErrCanceled = &Error{SQLState: StateQueryCanceled}

// errBudgetPaused stops a read that ran out of its allowance under the state's lock; the
// engine then copies what the read needs and runs it again without the lock (read.go).
var errBudgetPaused = errors.New("read paused: over its allowance under the lock")

// meter counts one batch's work against its budget. A nil context means Apply: only the
// counts can stop it. Reads have a context and are checked for cancellation every
// cancelEvery rows.
type meter struct {
	b       Budget
	ctx     context.Context
	write   bool  // the batch writes: RowsExamined applies
	pauseAt int64 // > 0: stop with errBudgetPaused after this many rows (reads under the lock)
	// paceAfter > 0: a read without the lock that has run this long sleeps as long as it
	// works from then on, so a runaway query takes at most half a core from the writes.
	paceAfter time.Duration
	started   time.Time
	lastPace  time.Time
	now       func() time.Time                     // the clock pacing reads (tests replace it)
	sleep     func(context.Context, time.Duration) // how pacing waits (tests replace it)
	examined  int64
	produced  int64 // rows made by recursion and generate_series (produce)
	written   int64
	wbytes    int64
	held      int64
}

const cancelEvery = 1024

func newMeter(ctx context.Context, b Budget, write bool) *meter {
	return &meter{b: b, ctx: ctx, write: write, now: time.Now, sleep: sleepCtx}
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// examine counts one row read or combined.
func (m *meter) examine() error {
	m.examined++
	if m.pauseAt > 0 && m.examined > m.pauseAt {
		return errBudgetPaused
	}
	if m.write && m.examined > m.b.RowsExamined {
		return errf(StateLimitExceeded, "statement examines more than %d rows (the rows_examined limit)", m.b.RowsExamined)
	}
	if m.ctx != nil && m.examined%cancelEvery == 0 {
		if err := m.canceled(); err != nil {
			return err
		}
		m.pace()
	}
	return nil
}

// pace sleeps, once a read has run paceAfter, as long as it worked since it last slept.
// Only reads off the lock pace (never Apply, which the clock must not touch, nor a read
// under the lock, which would hold the lock longer).
func (m *meter) pace() {
	if m.paceAfter <= 0 {
		return
	}
	now := m.now()
	if m.started.IsZero() {
		m.started, m.lastPace = now, now
		return
	}
	if now.Sub(m.started) < m.paceAfter {
		m.lastPace = now
		return
	}
	m.sleep(m.ctx, now.Sub(m.lastPace))
	m.lastPace = m.now()
}

// canceled reports the context's end as SQLSTATE 57014.
func (m *meter) canceled() error {
	if m.ctx == nil {
		return nil
	}
	return Canceled(m.ctx)
}

// Canceled is ctx's end as a statement's error (SQLSTATE 57014), or nil while ctx lives:
// a deadline is a statement timeout, anything else the user's request.
func Canceled(ctx context.Context) error {
	switch err := ctx.Err(); {
	case err == nil:
		return nil
	case errors.Is(err, context.DeadlineExceeded):
		return errf(StateQueryCanceled, "canceling statement due to statement timeout")
	default:
		return errf(StateQueryCanceled, "canceling statement due to user request")
	}
}

// wrote counts one row written as key and value.
func (m *meter) wrote(key, value string) error { return m.wroteBytes(int64(len(key) + len(value))) }

// wroteBytes counts one row written of n bytes.
func (m *meter) wroteBytes(n int64) error {
	m.written++
	m.wbytes += n
	if m.written > m.b.RowsWritten {
		return errf(StateLimitExceeded, "statement writes more than %d rows (the rows_written limit)", m.b.RowsWritten)
	}
	if m.wbytes > m.b.WriteBytes {
		return errf(StateLimitExceeded, "batch writes more than %d bytes (the write_bytes limit)", m.b.WriteBytes)
	}
	return nil
}

// hold counts n bytes a statement keeps in memory.
func (m *meter) hold(n int64) error {
	m.held += n
	if m.held > m.b.HeldBytes {
		return errf(StateLimitExceeded, "statement holds more than %d bytes of rows (the held_bytes limit)", m.b.HeldBytes)
	}
	return nil
}

// produce counts a row a recursive WITH item or generate_series makes. Unlike the rows a
// read examines, these are bounded for reads too: nothing else would stop a recursion
// that never ends before it had filled the held-bytes limit, slowly.
func (m *meter) produce() error {
	if err := m.examine(); err != nil {
		return err
	}
	m.produced++
	limit := orDefault(m.b.RowsExamined, DefaultBudget().RowsExamined)
	if m.produced > limit {
		return errf(StateLimitExceeded, "statement examines more than %d rows (the rows_examined limit)", limit)
	}
	return nil
}

// release returns what a finished statement held.
func (m *meter) release() { m.held = 0 }

// text checks a computed text value against ValueBytes.
func (m *meter) text(n int) error {
	if int64(n) > m.b.ValueBytes {
		return errf(StateLimitExceeded, "value of %d bytes is more than the value_bytes limit of %d", n, m.b.ValueBytes)
	}
	return nil
}

// rowBytes is what a decoded row costs to keep, roughly: a slot per value plus the bytes of
// its text. Only counts enter it, so it is the same on every node.
func rowBytes(row []any) int64 {
	n := int64(24 + 16*len(row))
	for _, v := range row {
		switch x := v.(type) {
		case string:
			n += int64(len(x))
		case *apd.Decimal:
			// What it prints as, not what it holds: 1e131071 is a few bytes here and
			// 131,072 digits in an answer.
			n += int64(textLen(x))
		}
	}
	return n
}
