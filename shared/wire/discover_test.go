package wire

import (
	"bytes"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	wirev1 "github.com/ceplus/ceplus/shared/wire/proto/ceplus/wire/v1"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
)

var comparePrefix = cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })

// TestDiscoverRoundTrip checks that a discover command, its progress and a discovery upload
// chunk survive the wire with every field.
func TestDiscoverRoundTrip(t *testing.T) {
	id := UploadID{9, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	msgs := []Message{
		&Command{RequestID: "d1", Kind: Discover, Discovery: &DiscoveryJob{Targets: []string{"127.0.0.1", "127.0.1.0/24"}, Ports: "22,80",
			Service: "light", Intensity: 2, HostTimeout: 30 * time.Second, Timeout: 2 * time.Minute, Timing: 5, MaxAddresses: 512,
			AllowedPrefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}}},
		&Command{RequestID: "d2", Kind: Discover, Discovery: &DiscoveryJob{Targets: []string{"::1"}, TopPorts: 100, Service: "off",
			AllowedPrefixes: []netip.Prefix{netip.MustParsePrefix("::1/128")}}},
		&JobProgress{RequestID: "d1", Task: "Service scan", Percent: 42.5, Remaining: 3 * time.Second, HostsDone: 2, Done: true},
		&UploadChunk{UploadID: id, Total: 1, Data: []byte("x"), ContentHash: hashA, Codec: CodecZstd, RawSize: 1, CollectedAt: when,
			RequestID: "d1", Payload: PayloadDiscovery},
	}
	for _, m := range msgs {
		var buf bytes.Buffer
		if err := WriteFrame(&buf, m); err != nil {
			t.Fatalf("WriteFrame(%T): %v", m, err)
		}
		got, err := ReadFrame(&buf, DefaultMaxFrame)
		if err != nil {
			t.Fatalf("ReadFrame(%T): %v", m, err)
		}
		if diff := cmp.Diff(m, got, comparePrefix); diff != "" {
			t.Errorf("%T round trip (-want +got):\n%s", m, diff)
		}
	}
}

// TestDiscoverRefused checks that a malformed discover command or an unknown payload kind is
// a protocol error naming the problem.
func TestDiscoverRefused(t *testing.T) {
	job := func(edit func(*wirev1.DiscoveryJob)) *wirev1.Frame {
		j := &wirev1.DiscoveryJob{Targets: []string{"127.0.0.1"}, AllowedPrefixes: []string{"127.0.0.0/8"}}
		edit(j)
		return &wirev1.Frame{Body: &wirev1.Frame_Command{Command: &wirev1.Command{RequestId: "d", Kind: wirev1.CommandKind_COMMAND_KIND_DISCOVER, Discovery: j}}}
	}
	tests := []struct {
		name  string
		frame *wirev1.Frame
		want  string
	}{
		{"no job", &wirev1.Frame{Body: &wirev1.Frame_Command{Command: &wirev1.Command{RequestId: "d", Kind: wirev1.CommandKind_COMMAND_KIND_DISCOVER}}}, "carries no job"},
		{"no allow-list", job(func(j *wirev1.DiscoveryJob) { j.AllowedPrefixes = nil }), "has no allow-list"},
		{"bad prefix", job(func(j *wirev1.DiscoveryJob) { j.AllowedPrefixes = []string{"127.0.0.1/33"} }), "allowed prefix"},
		{"no targets", job(func(j *wirev1.DiscoveryJob) { j.Targets = nil }), "0 targets"},
		{"intensity", job(func(j *wirev1.DiscoveryJob) { j.Intensity = 10 }), "out of range"},
		{"unknown command kind", &wirev1.Frame{Body: &wirev1.Frame_Command{Command: &wirev1.Command{RequestId: "d", Kind: 9}}}, "unknown kind 9"},
		{"unknown payload", &wirev1.Frame{Body: &wirev1.Frame_UploadChunk{UploadChunk: &wirev1.UploadChunk{UploadId: make16(), Total: 1, ContentHash: hashA,
			Codec: wirev1.Codec_CODEC_GZIP, CollectedAtUnixMs: 1, Payload: 7}}}, "unknown payload kind 7"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := proto.Marshal(tc.frame)
			if err != nil {
				t.Fatal(err)
			}
			_, err = decodePayload(b)
			var pe *ProtocolError
			if !errors.As(err, &pe) || pe.Code != CodeProtocol || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("decode = %v, want a protocol error containing %q", err, tc.want)
			}
		})
	}
}

// TestUploadKeepsPayload checks that Chunks and the Assembler carry the payload kind.
func TestUploadKeepsPayload(t *testing.T) {
	u := &Upload{ID: NewUploadID(), ContentHash: hashA, Codec: CodecGzip, RawSize: 5, CollectedAt: when, Payload: PayloadDiscovery,
		Body: bytes.Repeat([]byte("z"), 10)}
	a := NewAssembler(DefaultLimits)
	chunks := u.Chunks(4)
	for i := range chunks {
		done, err := a.Add(&chunks[i])
		if err != nil {
			t.Fatal(err)
		}
		if done != (i == len(chunks)-1) {
			t.Fatalf("chunk %d: done = %v", i, done)
		}
	}
	if got := a.Upload(); got.Payload != PayloadDiscovery || !bytes.Equal(got.Body, u.Body) {
		t.Errorf("assembled payload %s, body %q; want discovery, %q", got.Payload, got.Body, u.Body)
	}
}

func make16() []byte { return []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16} }
