package store

import (
	"fmt"
	"testing"

	"github.com/hashicorp/raft"
)

func BenchmarkApplyPut(b *testing.B) {
	f, _ := New(Options{})
	defer f.Close()
	logs := make([][]byte, 1024)
	for i := range logs {
		logs[i], _ = PutCommand(fmt.Sprintf("key%d", i), []byte("a value of some length")).Encode()
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		f.Apply(&raft.Log{Index: uint64(i + 1), Term: 1, Type: raft.LogCommand, Data: logs[i%len(logs)]})
		i++
	}
}

func BenchmarkApplyBatch64(b *testing.B) {
	f, _ := New(Options{})
	defer f.Close()
	batch := Command{V: CommandVersion, Op: OpBatch}
	for i := range 64 {
		batch.Cmds = append(batch.Cmds, PutCommand(fmt.Sprintf("key%d", i), []byte("a value of some length")))
	}
	data, _ := batch.Encode()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		f.Apply(&raft.Log{Index: uint64(i + 1), Term: 1, Type: raft.LogCommand, Data: data})
		i++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*64), "ns/command")
}

func BenchmarkCommandCodec(b *testing.B) {
	c := PutCommand("some/key", []byte("a value of some length"))
	b.ReportAllocs()
	for b.Loop() {
		data, _ := c.Encode()
		if _, err := DecodeCommand(data); err != nil {
			b.Fatal(err)
		}
	}
}
