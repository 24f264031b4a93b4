package ingest_test

import (
	"testing"

	"gongkai/internal/ingest"
	"gongkai/internal/workflow"
)

// An import copies no larger attachment than the console accepts.
func TestAttachmentBoundMatchesTheConsole(t *testing.T) {
	if ingest.MaxAttachment != workflow.DefaultMaxAttachment {
		t.Fatalf("ingest.MaxAttachment = %d, the console's workflow.DefaultMaxAttachment = %d", ingest.MaxAttachment, workflow.DefaultMaxAttachment)
	}
}
